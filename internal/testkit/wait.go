package testkit

import (
	"net"
	"strconv"
	"time"
)

// Dial reports whether something accepts TCP connections on the loopback
// port: the Ready of servers with no cheaper probe.
func Dial(port int) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 200*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// WaitFor polls cond every 10 ms until it holds or timeout passes, and
// reports whether it held: the bounded wait for a state a test caused.
func WaitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return cond()
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}
