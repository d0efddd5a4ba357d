package app

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/narvikhttp"
)

// maxForm bounds a form body.
const maxForm = 16 << 10

// notices are the fixed messages a redirect can ask for with ?m=; nothing
// from the URL is ever echoed.
var notices = map[string]string{
	"signed-out": "You are signed out on this device.",
	"everywhere": "You are signed out on every device.",
	"others":     "Every other session is signed out.",
	"revoked":    "That session is signed out.",
	"gone":       "Your account no longer exists here; sign-ups live only as long as the server process.",
}

// current returns the request's session and its user. A session whose user
// is gone (a sign-up from before a restart) counts as none.
func (a *App) current(r *http.Request) (*narvik.Session[SessionData], *user) {
	s, ok := narvikhttp.SessionFrom[SessionData](r.Context())
	if !ok {
		return nil, nil
	}
	u := a.users.byUserID(s.UserID)
	if u == nil {
		return nil, nil
	}
	return s, u
}

// signedIn runs next for a signed-in user; anyone else is sent to the
// sign-in page (a browser app's RequireSession: a page, not a 401).
func (a *App) signedIn(next func(http.ResponseWriter, *http.Request, *narvik.Session[SessionData], *user)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, u := a.current(r)
		if s == nil {
			if _, ok := narvikhttp.SessionFrom[SessionData](r.Context()); ok {
				// A valid session of a user who no longer exists: end it.
				if err := a.h.EndSession(w, r); err != nil {
					a.fail(w, r, err)
					return
				}
				redirect(w, r, "/signin?m=gone")
				return
			}
			redirect(w, r, "/signin")
			return
		}
		next(w, r, s, u)
	}
}

func (a *App) home(w http.ResponseWriter, r *http.Request) {
	if s, _ := a.current(r); s != nil {
		redirect(w, r, "/sessions")
		return
	}
	redirect(w, r, "/signin")
}

type formPage struct {
	Title    string
	Notice   string
	Error    string
	Username string
	Demo     []Credential
}

func (a *App) signInPage(w http.ResponseWriter, r *http.Request) {
	if s, _ := a.current(r); s != nil {
		redirect(w, r, "/sessions")
		return
	}
	a.render(w, http.StatusOK, "signin", formPage{Title: "Sign in", Notice: notices[r.URL.Query().Get("m")], Demo: DemoUsers})
}

func (a *App) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	name := strings.TrimSpace(r.PostFormValue("username"))
	u := a.users.authenticate(name, r.PostFormValue("password"))
	if u == nil {
		a.render(w, http.StatusUnauthorized, "signin", formPage{Title: "Sign in", Error: "Wrong username or password.", Username: name, Demo: DemoUsers})
		return
	}
	if _, err := a.h.StartSession(w, r, u.ID, clientData(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	redirect(w, r, "/sessions")
}

func (a *App) signUpPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, http.StatusOK, "signup", formPage{Title: "Create an account"})
}

func (a *App) signUp(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	name := strings.TrimSpace(r.PostFormValue("username"))
	u, err := a.users.signUp(name, r.PostFormValue("password"))
	if err != nil {
		if errors.Is(err, errUserExists) || errors.Is(err, errBadUsername) || errors.Is(err, errBadPassword) || errors.Is(err, errTooManyUsers) {
			a.render(w, http.StatusBadRequest, "signup", formPage{Title: "Create an account", Error: upperFirst(err.Error()) + ".", Username: name})
			return
		}
		a.fail(w, r, err)
		return
	}
	if _, err := a.h.StartSession(w, r, u.ID, clientData(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	redirect(w, r, "/sessions")
}

// sessionRow is one line of the sessions page.
type sessionRow struct {
	ID         string
	Device     string
	UserAgent  string
	IP         string
	Created    time.Time
	Expires    time.Time
	ThisDevice bool
}

type sessionsPage struct {
	Title    string
	Notice   string
	Username string
	Current  sessionRow
	Sessions []sessionRow
	Others   int
}

func (a *App) sessionsPage(w http.ResponseWriter, r *http.Request, s *narvik.Session[SessionData], u *user) {
	all, err := a.n.FetchSessionsForUser(r.Context(), u.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	row := func(x *narvik.Session[SessionData]) sessionRow {
		return sessionRow{
			ID: x.ID, Device: describeUserAgent(x.Data.UserAgent), UserAgent: x.Data.UserAgent, IP: x.Data.IP,
			Created: x.CreatedAt.UTC(), Expires: x.ExpiresAt.UTC(), ThisDevice: x.ID == s.ID,
		}
	}
	p := sessionsPage{Title: "Your sessions", Notice: notices[r.URL.Query().Get("m")], Username: u.Username, Current: row(s)}
	for _, x := range all {
		if x.ID == s.ID {
			x = s // the request's copy may have just been extended
		} else {
			p.Others++
		}
		p.Sessions = append(p.Sessions, row(x))
	}
	// This device first, then the newest.
	slices.SortFunc(p.Sessions, func(x, y sessionRow) int {
		if x.ThisDevice != y.ThisDevice {
			if x.ThisDevice {
				return -1
			}
			return 1
		}
		return cmp.Or(y.Created.Compare(x.Created), strings.Compare(x.ID, y.ID))
	})
	a.render(w, http.StatusOK, "sessions", p)
}

func (a *App) signOut(w http.ResponseWriter, r *http.Request) {
	if err := a.h.EndSession(w, r); err != nil {
		a.fail(w, r, err)
		return
	}
	redirect(w, r, "/signin?m=signed-out")
}

func (a *App) signOutOthers(w http.ResponseWriter, r *http.Request, s *narvik.Session[SessionData], u *user) {
	all, err := a.n.FetchSessionsForUser(r.Context(), u.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	for _, x := range all {
		if x.ID == s.ID {
			continue
		}
		if err := a.n.InvalidateSession(r.Context(), x.ID); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	redirect(w, r, "/sessions?m=others")
}

func (a *App) signOutEverywhere(w http.ResponseWriter, r *http.Request, s *narvik.Session[SessionData], u *user) {
	if err := a.n.DeleteSessionsForUser(r.Context(), u.ID); err != nil {
		a.fail(w, r, err)
		return
	}
	a.h.ClearCookie(w)
	redirect(w, r, "/signin?m=everywhere")
}

// revoke signs out one of the user's sessions. Another user's session ID
// is answered as if it did not exist: IDs are not capabilities here.
func (a *App) revoke(w http.ResponseWriter, r *http.Request, s *narvik.Session[SessionData], u *user) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	id := r.PostFormValue("id")
	if id == s.ID {
		a.signOut(w, r)
		return
	}
	all, err := a.n.FetchSessionsForUser(r.Context(), u.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if slices.ContainsFunc(all, func(x *narvik.Session[SessionData]) bool { return x.ID == id }) {
		if err := a.n.InvalidateSession(r.Context(), id); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	redirect(w, r, "/sessions?m=revoked")
}

// fail answers an unexpected error: logged, never shown.
func (a *App) fail(w http.ResponseWriter, r *http.Request, err error) {
	a.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	http.Error(w, "Something went wrong on our side; try again in a moment.", http.StatusInternalServerError)
}

// redirect answers 303, so the browser follows a POST with a GET.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
