package memstore_test

import (
	"context"
	"fmt"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
)

func ExampleNew() {
	auth, err := narvik.New[struct{}](memstore.New())
	if err != nil {
		panic(err)
	}
	res, _ := auth.CreateSession(context.Background(), "user-1", struct{}{})
	s, _ := auth.ValidateSession(context.Background(), res.Token)
	fmt.Println(s.UserID)
	// Output: user-1
}
