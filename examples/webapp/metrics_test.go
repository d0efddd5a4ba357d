package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/examples/webapp/app"
)

// TestMetrics signs in and out over the app with -metrics-addr's set-up
// and reads the page Prometheus scrapes: the operator's numbers are there,
// the session token is not.
func TestMetrics(t *testing.T) {
	m, err := newMetrics()
	if err != nil {
		t.Fatal(err)
	}
	store, err := m.wrap(memstore.New())
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Config{Store: store, Observer: m.observer, PasswordIterations: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	post := func(path string, form url.Values) {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", srv.URL)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("POST %s: %d", path, resp.StatusCode)
		}
	}
	post("/signin", url.Values{"username": {"alice"}, "password": {"wonderland"}}) // then lists on /sessions
	u, _ := url.Parse(srv.URL)
	var token string
	for _, c := range jar.Cookies(u) {
		token = c.Value
	}
	if len(token) != 32 {
		t.Fatalf("no session cookie after sign-in: %q", token)
	}
	resp, err := client.Get(srv.URL + "/sessions")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	post("/signout", nil)

	rec := httptest.NewRecorder()
	m.handler.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	page := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("GET /metrics: %d %s", rec.Code, page)
	}
	for _, want := range []string{
		"\nnarvik_session_created_total 1\n",
		`narvik_session_validations_total{narvik_outcome="valid"`,
		`narvik_session_revocations_total{narvik_revocation_scope="session"`,
		"\nnarvik_session_listed_count 2\n",
		`narvik_operation_duration_seconds_bucket{narvik_operation="validate",narvik_outcome="valid"`,
		`narvik_store_operation_duration_seconds_count{db_operation_name="SaveSession",narvik_outcome="ok"`,
		`target_info{service_name="narvik-webapp"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(page, token) {
		t.Error("/metrics shows the session token")
	}
	// The app's own port does not serve it.
	resp, err = http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || strings.Contains(string(body), "narvik_") {
		t.Errorf("the app's port answers /metrics: %d", resp.StatusCode)
	}
}
