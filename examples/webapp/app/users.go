package app

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/time/rate"
)

// Password hashing: PBKDF2-HMAC-SHA256 from the standard library, with a
// random 16-byte salt per user and OWASP's 2023 iteration count. Only the
// salt and the derived key are kept, never the password.
const (
	DefaultPasswordIterations = 600_000
	saltLen                   = 16
	keyLen                    = 32
)

// Errors of the user directory, shown to the person signing up.
var (
	errUserExists   = errors.New("that username is taken")
	errBadUsername  = errors.New("a username is 3 to 32 characters: lowercase letters, digits, - and _")
	errBadPassword  = errors.New("a password is 8 to 128 characters")
	errTooManyUsers = errors.New("this demo has enough users; try again after its next restart")
)

// Credential is a demo user's name and password, printed at start-up.
type Credential struct{ Username, Password string }

// DemoUsers are the demo accounts (see DemoAccounts). Their IDs are fixed
// ("demo-" + name), so that sessions kept in a bbolt file still name them
// after a restart.
var DemoUsers = []Credential{
	{"alice", "wonderland"},
	{"bob", "canwefixit"},
}

type user struct {
	ID       string
	Username string
	salt     []byte
	key      []byte
	// wrong limits wrong passwords for this account; nil until the first
	// attempt and after a right password.
	wrong atomic.Pointer[rate.Limiter]
}

// users is the demo's user directory, in memory: sign-ups are lost when
// the process ends, demo users are recreated at start-up.
type users struct {
	iterations int
	max        int  // sign-ups stop at this many users
	wrongRate  Rate // Limits.WrongPasswordsPerAccount
	mu         sync.RWMutex
	names      map[string]*user
	ids        map[string]*user
	dummy      *user // checked against for unknown names, so timing does not tell
}

func newUsers(iterations, max int, wrongRate Rate, demo []Credential) (*users, error) {
	u := &users{iterations: iterations, max: max + len(demo), wrongRate: wrongRate, names: map[string]*user{}, ids: map[string]*user{}}
	dummy, err := u.hash("", "")
	if err != nil {
		return nil, err
	}
	u.dummy = dummy
	for _, c := range demo {
		if _, err := u.add("demo-"+c.Username, c.Username, c.Password); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// hash returns a user whose key is derived from password with a new salt.
func (u *users) hash(id, password string) (*user, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, u.iterations, keyLen)
	if err != nil {
		return nil, err
	}
	return &user{ID: id, salt: salt, key: key}, nil
}

// checkNewUser checks the form of a sign-up, which costs nothing.
func checkNewUser(username, password string) error {
	if !validUsername(username) {
		return errBadUsername
	}
	if n := utf8.RuneCountInString(password); n < 8 || n > 128 {
		return errBadPassword
	}
	return nil
}

// available reports, before any hashing, whether sign-up could add
// username: the name is free and the directory is not full.
func (u *users) available(username string) error {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return u.availableLocked(username)
}

func (u *users) availableLocked(username string) error {
	if _, ok := u.names[username]; ok {
		return errUserExists
	}
	if len(u.names) >= u.max {
		return errTooManyUsers
	}
	return nil
}

// signUp validates and adds a new user with a random ID.
func (u *users) signUp(username, password string) (*user, error) {
	if err := checkNewUser(username, password); err != nil {
		return nil, err
	}
	if err := u.available(username); err != nil {
		return nil, err
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	return u.add("u-"+hex.EncodeToString(b[:]), username, password)
}

func (u *users) add(id, username, password string) (*user, error) {
	nu, err := u.hash(id, password) // outside the lock: hashing is slow on purpose
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	nu.Username = username
	u.mu.Lock()
	defer u.mu.Unlock()
	if err := u.availableLocked(username); err != nil {
		return nil, err
	}
	u.names[username] = nu
	u.ids[id] = nu
	return nu, nil
}

// checkPassword reports whether password is found's. For found == nil (an
// unknown name) it costs the same hashing and reports false, so timing
// does not tell which names exist.
func (u *users) checkPassword(found *user, password string) bool {
	check := found
	if check == nil {
		check = u.dummy
	}
	key, err := pbkdf2.Key(sha256.New, password, check.salt, u.iterations, keyLen)
	return err == nil && subtle.ConstantTimeCompare(key, check.key) == 1 && found != nil
}

// wrongPasswords returns the limiter of x's wrong passwords.
func (u *users) wrongPasswords(x *user) *rate.Limiter {
	if lim := x.wrong.Load(); lim != nil {
		return lim
	}
	x.wrong.CompareAndSwap(nil, u.wrongRate.limiter())
	return x.wrong.Load()
}

// resetWrongPasswords forgets x's wrong passwords, after a right one: the
// limit is on wrong passwords in a row.
func (u *users) resetWrongPasswords(x *user) { x.wrong.Store(nil) }

func (u *users) byName(name string) *user {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return u.names[name]
}

func (u *users) byUserID(id string) *user {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return u.ids[id]
}

func validUsername(s string) bool {
	if len(s) < 3 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
