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
	"unicode/utf8"
)

// Password hashing: PBKDF2-HMAC-SHA256 from the standard library, with a
// random 16-byte salt per user and OWASP's 2023 iteration count. Only the
// salt and the derived key are kept, never the password.
const (
	DefaultPasswordIterations = 600_000
	saltLen                   = 16
	keyLen                    = 32
	maxUsers                  = 10_000 // sign-ups live in memory: bound them
)

// Errors of the user directory, shown to the person signing up.
var (
	errUserExists   = errors.New("that username is taken")
	errBadUsername  = errors.New("a username is 3 to 32 characters: lowercase letters, digits, - and _")
	errBadPassword  = errors.New("a password is 8 to 128 characters")
	errTooManyUsers = errors.New("this demo has enough users; sign in as a demo user")
)

// Credential is a demo user's name and password, printed at start-up.
type Credential struct{ Username, Password string }

// DemoUsers are created by New. Their IDs are fixed ("demo-" + name), so
// that sessions kept in a bbolt file still name them after a restart.
var DemoUsers = []Credential{
	{"alice", "wonderland"},
	{"bob", "canwefixit"},
}

type user struct {
	ID       string
	Username string
	salt     []byte
	key      []byte
}

// users is the demo's user directory, in memory: sign-ups are lost when
// the process ends, demo users are recreated at start-up.
type users struct {
	iterations int
	mu         sync.RWMutex
	byName     map[string]*user
	byID       map[string]*user
	dummy      *user // checked against for unknown names, so timing does not tell
}

func newUsers(iterations int) (*users, error) {
	u := &users{iterations: iterations, byName: map[string]*user{}, byID: map[string]*user{}}
	dummy, err := u.hash("", "")
	if err != nil {
		return nil, err
	}
	u.dummy = dummy
	for _, c := range DemoUsers {
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

// signUp validates and adds a new user with a random ID.
func (u *users) signUp(username, password string) (*user, error) {
	if !validUsername(username) {
		return nil, errBadUsername
	}
	if n := utf8.RuneCountInString(password); n < 8 || n > 128 {
		return nil, errBadPassword
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
	if _, ok := u.byName[username]; ok {
		return nil, errUserExists
	}
	if len(u.byName) >= maxUsers {
		return nil, errTooManyUsers
	}
	u.byName[username] = nu
	u.byID[id] = nu
	return nu, nil
}

// authenticate returns the user when the password is right, else nil. An
// unknown name costs the same hashing as a known one.
func (u *users) authenticate(username, password string) *user {
	u.mu.RLock()
	found := u.byName[username]
	u.mu.RUnlock()
	check := found
	if check == nil {
		check = u.dummy
	}
	key, err := pbkdf2.Key(sha256.New, password, check.salt, u.iterations, keyLen)
	if err != nil || subtle.ConstantTimeCompare(key, check.key) != 1 || found == nil {
		return nil
	}
	return found
}

func (u *users) byUserID(id string) *user {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return u.byID[id]
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
