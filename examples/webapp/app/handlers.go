package app

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/narvik-go/narvik"
	"golang.org/x/time/rate"
)

// maxForm bounds a form body: a larger one is answered 413.
const maxForm = 16 << 10

// notices are the fixed messages a redirect can ask for with ?m=; nothing
// from the URL is ever echoed.
var notices = map[string]string{
	"signed-out": "You are signed out on this device.",
	"everywhere": "You are signed out on every device.",
	"others":     "Every other session is signed out.",
	"revoked":    "That session is signed out.",
	"ended":      "You were signed out from another device (or your session ran out).",
	"gone":       "Your account no longer exists here; sign-ups live only as long as the server process.",
}

// current returns the request's session and its user. A session whose user
// is gone (a sign-up from before a restart) counts as none.
func (a *App) current(r *http.Request) (*narvik.Session[SessionData], *user) {
	s, ok := requestOf(r).site.h.Session(r)
	if !ok {
		return nil, nil
	}
	u := a.users.byUserID(s.UserID)
	if u == nil {
		return nil, nil
	}
	return s, u
}

// ended reports whether r carried a session cookie that names no valid
// session: one signed out from another device, as a browser drops an
// expired cookie by itself. The middleware has already cleared it.
func (a *App) ended(r *http.Request) bool {
	st := requestOf(r).site
	if _, ok := st.h.Session(r); ok {
		return false
	}
	for _, c := range r.CookiesNamed(st.n.CookieName()) {
		if c.Value != "" {
			return true
		}
	}
	return false
}

// toSignIn sends a signed-out request to the sign-in page, saying why when
// its session was ended elsewhere.
func (a *App) toSignIn(w http.ResponseWriter, r *http.Request) {
	if a.ended(r) {
		redirect(w, r, "/signin?m=ended")
		return
	}
	redirect(w, r, "/signin")
}

// signedIn runs next for a signed-in user; anyone else is sent to the
// sign-in page (a browser app's RequireSession: a page, not a 401).
func (a *App) signedIn(next func(http.ResponseWriter, *http.Request, *narvik.Session[SessionData], *user)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, u := a.current(r)
		if s == nil {
			if _, ok := requestOf(r).site.h.Session(r); ok {
				// A valid session of a user who no longer exists: end it.
				if err := requestOf(r).site.h.EndSession(w, r); err != nil {
					a.fail(w, r, err)
					return
				}
				redirect(w, r, "/signin?m=gone")
				return
			}
			a.toSignIn(w, r)
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
	a.toSignIn(w, r)
}

// formPage is the sign-in or sign-up page. The header's "Signed in as"
// comes from the session only (SignedInAs), never from the form: these
// pages are shown to signed-out visitors, so it is always empty here.
type formPage struct {
	Title      string
	Notice     string
	PlainHTTP  bool // the page did not come over HTTPS, as far as the app can tell, nor from localhost
	Error      string
	Username   string // what was typed, to fill the form again
	SignedInAs string
	Demo       []Credential // the demo accounts, when they exist
}

func (a *App) formPage(r *http.Request, title string) formPage {
	p := formPage{Title: title, Demo: a.demo}
	c := requestOf(r).client
	p.PlainHTTP = !c.https && !c.local && !a.assertTLS
	return p
}

func (a *App) signInPage(w http.ResponseWriter, r *http.Request) {
	if s, _ := a.current(r); s != nil {
		redirect(w, r, "/sessions")
		return
	}
	p := a.formPage(r, "Sign in")
	p.Notice = notices[r.URL.Query().Get("m")]
	if p.Notice == "" && a.ended(r) {
		p.Notice = notices["ended"]
	}
	a.render(w, http.StatusOK, "signin", p)
}

func (a *App) signIn(w http.ResponseWriter, r *http.Request) {
	if !a.parseForm(w, r) {
		return
	}
	name, password := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	p := a.formPage(r, "Sign in")
	p.Username = name
	now := a.now()
	isFresh, ok := a.allow(w, a.addressLimits(r).signIn, now, "signin", p)
	if !ok {
		return
	}
	u := a.users.byName(name)
	if u != nil {
		if _, ok := a.allow(w, a.users.wrongPasswords(u), now, "signin", p); !ok {
			return
		}
	}
	// No account has a name of another form, and the form is no secret:
	// such a name is refused without the cost of a hash.
	right := false
	if validUsername(name) {
		release, free := a.slots.acquire(isFresh)
		if !free {
			a.busy(w, "signin", p)
			return
		}
		right = a.users.checkPassword(u, password)
		release()
	}
	if !right {
		p.Error = "Wrong username or password."
		a.render(w, http.StatusUnauthorized, "signin", p)
		return
	}
	a.users.resetWrongPasswords(u)
	if _, err := requestOf(r).site.h.StartSession(w, r, u.ID, clientData(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	redirect(w, r, "/sessions")
}

func (a *App) signUpPage(w http.ResponseWriter, r *http.Request) {
	if s, _ := a.current(r); s != nil {
		redirect(w, r, "/sessions")
		return
	}
	a.render(w, http.StatusOK, "signup", a.formPage(r, "Create an account"))
}

// signUp checks, in order of cost: the form, the address's sign-up limit,
// whether the name is free and the user cap, a hash slot; only then does it
// hash the password.
func (a *App) signUp(w http.ResponseWriter, r *http.Request) {
	if !a.parseForm(w, r) {
		return
	}
	name, password := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	p := a.formPage(r, "Create an account")
	p.Username = name
	refuse := func(err error) {
		p.Error = upperFirst(err.Error()) + "."
		a.render(w, http.StatusBadRequest, "signup", p)
	}
	if err := checkNewUser(name, password); err != nil {
		refuse(err)
		return
	}
	isFresh, ok := a.allow(w, a.addressLimits(r).signUp, a.now(), "signup", p)
	if !ok {
		return
	}
	if err := a.users.available(name); err != nil {
		refuse(err)
		return
	}
	release, free := a.slots.acquire(isFresh)
	if !free {
		a.busy(w, "signup", p)
		return
	}
	u, err := a.users.signUp(name, password)
	release()
	if err != nil {
		if errors.Is(err, errUserExists) || errors.Is(err, errTooManyUsers) {
			refuse(err) // taken or full since the check above
			return
		}
		a.fail(w, r, err)
		return
	}
	if _, err := requestOf(r).site.h.StartSession(w, r, u.ID, clientData(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	redirect(w, r, "/sessions")
}

// addressLimits returns the limits of r's client address.
func (a *App) addressLimits(r *http.Request) *addressLimits {
	return a.addresses.get(addressKey(requestOf(r).client.addr), func() *addressLimits {
		return &addressLimits{signIn: a.limits.SignInPerAddress.limiter(), signUp: a.limits.SignUpPerAddress.limiter()}
	})
}

// allow takes one attempt from lim. When none is left it answers 429 with
// the form again, Retry-After and a message that says when, and returns
// false. wasFresh reports whether lim was full: no attempt recently.
func (a *App) allow(w http.ResponseWriter, lim *rate.Limiter, now time.Time, page string, p formPage) (wasFresh, ok bool) {
	wasFresh = fresh(lim, now)
	if lim.AllowN(now, 1) {
		return wasFresh, true
	}
	seconds := retryAfter(lim, now)
	w.Header().Set("Retry-After", strconv.Itoa(seconds))
	p.Error = fmt.Sprintf("Too many attempts. Try again in %s.", plural(seconds, "second"))
	a.render(w, http.StatusTooManyRequests, page, p)
	return wasFresh, false
}

// busy answers 503 when every password check slot is taken.
func (a *App) busy(w http.ResponseWriter, page string, p formPage) {
	w.Header().Set("Retry-After", "1")
	p.Error = "The server is busy checking other passwords. Try again in a moment."
	a.render(w, http.StatusServiceUnavailable, page, p)
}

// parseForm reads a POST form of at most maxForm bytes. It answers 413 for
// a larger one and 400 for an unreadable one, and then returns false.
func (a *App) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	err := r.ParseForm()
	if err == nil {
		return true
	}
	if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
		http.Error(w, fmt.Sprintf("This form is too large: at most %d KiB.", maxForm>>10), http.StatusRequestEntityTooLarge)
		return false
	}
	http.Error(w, "This form could not be read.", http.StatusBadRequest)
	return false
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
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
	Title      string
	Notice     string
	SignedInAs string
	Current    sessionRow
	Sessions   []sessionRow
	Others     int
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
	p := sessionsPage{Title: "Your sessions", Notice: notices[r.URL.Query().Get("m")], SignedInAs: u.Username, Current: row(s)}
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
	if err := requestOf(r).site.h.EndSession(w, r); err != nil {
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
	requestOf(r).site.h.ClearCookie(w)
	redirect(w, r, "/signin?m=everywhere")
}

// revoke signs out one of the user's sessions. Another user's session ID
// is answered as if it did not exist: IDs are not capabilities here.
func (a *App) revoke(w http.ResponseWriter, r *http.Request, s *narvik.Session[SessionData], u *user) {
	if !a.parseForm(w, r) {
		return
	}
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
