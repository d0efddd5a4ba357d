package cborcodec_test

import (
	"context"
	"fmt"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/codecs/cborcodec"
	"github.com/narvik-go/narvik/drivers/memstore"
)

// Device is the data an application keeps with each session.
type Device struct {
	IP        string `json:"ip"`
	UserAgent string `json:"ua"`
}

func Example() {
	ctx := context.Background()
	auth, err := narvik.New[Device](memstore.New(), narvik.WithCodec(cborcodec.New()))
	if err != nil {
		panic(err)
	}
	res, err := auth.CreateSession(ctx, "user-42", Device{IP: "192.0.2.1", UserAgent: "curl/8"})
	if err != nil {
		panic(err)
	}
	s, err := auth.ValidateSession(ctx, res.Token)
	if err != nil || s == nil {
		panic(fmt.Sprint("not valid: ", err))
	}
	fmt.Println(s.UserID, s.Data.IP, s.Data.UserAgent)
	// Output: user-42 192.0.2.1 curl/8
}
