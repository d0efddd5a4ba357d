package narvik_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
)

// Login is session data that encodes itself: narvik calls its methods
// instead of encoding/json, without an option.
type Login struct {
	IP  string
	MFA bool
}

// AppendSessionData writes tagged fields (tag, uvarint length, value), so
// that a field added later is skipped by this version and a field this
// version writes but a later one drops is skipped by that one.
func (l Login) AppendSessionData(b []byte) ([]byte, error) {
	b = append(b, 1)
	b = binary.AppendUvarint(b, uint64(len(l.IP)))
	b = append(b, l.IP...)
	mfa := byte(0)
	if l.MFA {
		mfa = 1
	}
	return append(b, 2, 1, mfa), nil
}

// UnmarshalSessionData reads what AppendSessionData wrote, refusing
// truncated input: the bytes come from a store.
func (l *Login) UnmarshalSessionData(data []byte) error {
	for len(data) > 0 {
		n, k := binary.Uvarint(data[1:])
		if k <= 0 || n > uint64(len(data)-1-k) {
			return errors.New("login: truncated field")
		}
		v := data[1+k : 1+k+int(n)]
		switch data[0] {
		case 1:
			l.IP = string(v)
		case 2:
			l.MFA = len(v) == 1 && v[0] == 1
		}
		data = data[1+k+int(n):]
	}
	return nil
}

func ExampleDataMarshaler() {
	ctx := context.Background()
	auth, err := narvik.New[Login](memstore.New())
	if err != nil {
		panic(err)
	}
	res, err := auth.CreateSession(ctx, "user-42", Login{IP: "192.0.2.1", MFA: true})
	if err != nil {
		panic(err)
	}
	s, err := auth.ValidateSession(ctx, res.Token)
	if err != nil || s == nil {
		panic(fmt.Sprint("not valid: ", err))
	}
	fmt.Println(s.Data.IP, s.Data.MFA)
	// Output: 192.0.2.1 true
}
