package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// lockHolder names the process that holds a lock on the file at path, as
// /proc/locks tells (bbolt locks its file with flock): "pid 123 (webapp
// -store bolt:...)". It returns "" when it cannot tell.
func lockHolder(path string) string {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return ""
	}
	f, err := os.Open("/proc/locks")
	if err != nil {
		return ""
	}
	defer f.Close()
	// The device as /proc/locks writes it: major and minor in hex.
	dev := uint64(st.Dev)
	major := (dev>>8)&0xfff | (dev>>32)&^uint64(0xfff)
	minor := dev&0xff | (dev>>12)&^uint64(0xff)
	want := fmt.Sprintf("%02x:%02x:%d", major, minor, st.Ino)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; a waiter's
		// line has "->" after the number, and is skipped.
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] == "->" || fields[5] != want {
			continue
		}
		pid, err := strconv.Atoi(fields[4])
		if err != nil || pid <= 0 {
			continue
		}
		if pid == os.Getpid() {
			return "pid " + fields[4] + " (this process)"
		}
		cmd, err := os.ReadFile("/proc/" + fields[4] + "/cmdline")
		if err != nil || len(cmd) == 0 {
			return "pid " + fields[4]
		}
		line := strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))
		if len(line) > 200 {
			line = line[:200] + "..."
		}
		return fmt.Sprintf("pid %d (%s)", pid, line)
	}
	return ""
}
