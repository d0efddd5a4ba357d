package narvikhttp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/narvikhttp"
)

// benchHandler returns the middleware around a no-op handler and a valid
// token, over memstore: what is measured is the middleware and the core,
// not a network store.
func benchHandler(b *testing.B, opts ...narvikhttp.Option) (http.Handler, string) {
	b.Helper()
	n, err := narvik.New[data](memstore.New())
	if err != nil {
		b.Fatal(err)
	}
	h, err := narvikhttp.New(n, opts...)
	if err != nil {
		b.Fatal(err)
	}
	res, err := n.CreateSession(context.Background(), "alice", data{Device: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	return h.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := narvikhttp.SessionFrom[data](r.Context()); !ok {
			b.Fatal("no session")
		}
	})), res.Token
}

func BenchmarkWrapCookieGET(b *testing.B) {
	hd, token := benchHandler(b)
	req := httptest.NewRequest("GET", "https://example.com/", nil)
	req.AddCookie(&http.Cookie{Name: narvik.DefaultCookieName, Value: token})
	b.ReportAllocs()
	for b.Loop() {
		hd.ServeHTTP(httptest.NewRecorder(), req)
	}
}

func BenchmarkWrapCookiePOSTWithCSRFCheck(b *testing.B) {
	hd, token := benchHandler(b)
	req := httptest.NewRequest("POST", "https://example.com/", nil)
	req.AddCookie(&http.Cookie{Name: narvik.DefaultCookieName, Value: token})
	req.Header.Set("Origin", "https://example.com") // no Sec-Fetch-Site: the longer path
	b.ReportAllocs()
	for b.Loop() {
		hd.ServeHTTP(httptest.NewRecorder(), req)
	}
}

func BenchmarkWrapBearer(b *testing.B) {
	hd, token := benchHandler(b, narvikhttp.WithBearerTokens())
	req := httptest.NewRequest("GET", "https://example.com/", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	b.ReportAllocs()
	for b.Loop() {
		hd.ServeHTTP(httptest.NewRecorder(), req)
	}
}
