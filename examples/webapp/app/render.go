package app

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"
	"time"
)

var funcs = template.FuncMap{
	"when": func(t time.Time) string { return t.Format("2 Jan 2006, 15:04 UTC") },
	"iso":  func(t time.Time) string { return t.Format(time.RFC3339) },
}

// parsePages parses each page together with the shared layout.
func parsePages() (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	for _, name := range []string{"signin", "signup", "sessions"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(webFS, "web/layout.html", "web/"+name+".html")
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

// render writes a page. It renders into a buffer first, so a template
// error becomes a clean 500 rather than half a page.
func (a *App) render(w http.ResponseWriter, status int, page string, data any) {
	var buf bytes.Buffer
	if err := a.pages[page].Execute(&buf, data); err != nil {
		a.log.Error("render", "page", page, "err", err)
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store") // pages show who is signed in
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// describeUserAgent turns a User-Agent into "Browser on System" for people;
// the raw string is shown beside it. Order matters: Edge and Opera say
// Chrome, Chrome says Safari, Android says Linux.
func describeUserAgent(ua string) string {
	browser := "Unknown browser"
	for _, b := range [][2]string{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"},
		{"HeadlessChrome/", "Headless Chrome"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
		{"curl/", "curl"}, {"Go-http-client/", "Go program"},
	} {
		if strings.Contains(ua, b[0]) {
			browser = b[1]
			break
		}
	}
	system := ""
	for _, s := range [][2]string{
		{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, s[0]) {
			system = s[1]
			break
		}
	}
	if system == "" {
		return browser
	}
	return browser + " on " + system
}
