package narvikhttp_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/narvikhttp"
)

// Profile is the typed data kept with each session.
type Profile struct {
	Name string `json:"name"`
}

func Example() {
	n, err := narvik.New[Profile](memstore.New(), narvik.WithCookieSecure(false)) // plain HTTP here
	if err != nil {
		panic(err)
	}
	m, err := narvikhttp.New(n)
	if err != nil {
		panic(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /signin", func(w http.ResponseWriter, r *http.Request) {
		// Check the user's credentials here.
		if _, err := m.StartSession(w, r, "user-1", Profile{Name: "Ada"}); err != nil {
			http.Error(w, "try again", http.StatusInternalServerError)
		}
	})
	mux.Handle("GET /me", m.RequireSessionFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := m.Session(r) // a *narvik.Session[Profile]
		fmt.Fprintf(w, "hello %s (%s)", s.Data.Name, s.UserID)
	}))
	mux.HandleFunc("POST /signout", func(w http.ResponseWriter, r *http.Request) {
		if err := m.EndSession(w, r); err != nil {
			http.Error(w, "try again", http.StatusInternalServerError)
		}
	})
	srv := httptest.NewServer(m.Wrap(mux))
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	send := func(method, path, origin string) {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if origin != "" {
			req.Header.Set("Origin", origin) // as a browser does on POST
		}
		resp, err := client.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		fmt.Println(strings.TrimSpace(fmt.Sprintln(method, path, resp.StatusCode, strings.TrimSpace(string(body)))))
	}

	send("GET", "/me", "")
	send("POST", "/signin", srv.URL)
	send("GET", "/me", "")
	send("POST", "/signout", "https://evil.example") // refused by the CSRF check
	send("POST", "/signout", srv.URL)
	send("GET", "/me", "")
	// Output:
	// GET /me 401 Unauthorized
	// POST /signin 200
	// GET /me 200 hello Ada (user-1)
	// POST /signout 403 Forbidden: cross-origin request
	// POST /signout 200
	// GET /me 401 Unauthorized
}
