package narvik_test

import (
	"context"
	"fmt"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
)

// Device is the data an application keeps with each session.
type Device struct {
	IP        string
	UserAgent string
}

func Example() {
	ctx := context.Background()
	auth, err := narvik.New[Device](memstore.New())
	if err != nil {
		panic(err)
	}

	// Sign-in: create a session and send its token in a cookie.
	res, err := auth.CreateSession(ctx, "user-42", Device{IP: "192.0.2.1", UserAgent: "curl/8"})
	if err != nil {
		panic(err)
	}
	cookie := auth.CreateCookie(res.Token)
	fmt.Println(cookie.Name, len(cookie.Value), cookie.Attributes.MaxAge)

	// Every request: validate the token from the cookie.
	s, err := auth.ValidateSession(ctx, res.Token)
	if err != nil {
		panic(err) // the store failed: answer 500
	}
	fmt.Println(s.UserID, s.Data.IP, s.Extended) // Extended: re-set the cookie

	// Sign-out: delete the session and blank the cookie.
	if err := auth.InvalidateSession(ctx, s.ID); err != nil {
		panic(err)
	}
	s, _ = auth.ValidateSession(ctx, res.Token)
	fmt.Println(s == nil)
	fmt.Println(auth.CreateBlankCookie().Serialize())
	// Output:
	// narvik_session 32 2592000
	// user-42 192.0.2.1 false
	// true
	// narvik_session=; Max-Age=0; Path=/; SameSite=Lax; Secure; HttpOnly
}

func ExampleCookie_Serialize() {
	auth, _ := narvik.New[struct{}](memstore.New(),
		narvik.WithCookieName("example-cookie"),
		narvik.WithCookieExpiresIn(72*time.Hour),
		narvik.WithCookieSecure(false),
		narvik.WithCookieDomain("example.com"),
		narvik.WithCookiePath("/example"))
	fmt.Println(auth.CreateCookie("session-token").Serialize())
	// Output: example-cookie=session-token; Domain=example.com; Max-Age=259200; Path=/example; SameSite=Lax; HttpOnly
}
