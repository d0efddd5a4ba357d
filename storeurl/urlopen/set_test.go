package urlopen_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// TestZeroSetOpensMemoryAndBolt: with no opener a Set opens the two stores
// that need no server client, and says so when asked for another.
func TestZeroSetOpensMemoryAndBolt(t *testing.T) {
	var set urlopen.Set
	if got := set.Forms(); got != "memory, bolt:PATH" {
		t.Fatalf("Forms() = %q", got)
	}
	path := filepath.Join(t.TempDir(), "s.db")
	for _, raw := range []string{"memory", "bolt:" + path} {
		o, err := set.Open(ctx(t), raw, urlopen.Create())
		if err != nil {
			t.Fatalf("Open(%q): %v", raw, err)
		}
		if err := o.Store.SaveSession(ctx(t), narvik.Record{
			ID: narvik.SessionIDFromToken("t"), UserID: "u", CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour),
		}); err != nil {
			t.Fatalf("%s: save: %v", o.Description(), err)
		}
		if err := o.Close(); err != nil {
			t.Fatalf("%s: close: %v", o.Description(), err)
		}
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("bolt:PATH with Create made no file: %v", err)
	}
}

// TestNotBuiltIn: a well-formed URL of a kind the Set has no opener for is
// a *NotBuiltInError naming the kind, matching ErrBadURL, without the
// URL's password; a typo stays an unknown kind.
func TestNotBuiltIn(t *testing.T) {
	set := urlopen.New(nil) // a driver this build left out
	for raw, kind := range map[string]urlopen.Kind{
		"redis://u:topsecret@127.0.0.1:6390/0": urlopen.Redis,
		"rediss-cluster://127.0.0.1:7101":      urlopen.RedisCluster,
		"mongodb+srv://cluster0.example.net/":  urlopen.MongoDB,
		"dynamodb://aws":                       urlopen.DynamoDB,
		"postgresql://app@db.example.com/app":  urlopen.Postgres,
		"mysql://root:topsecret@127.0.0.1/app": urlopen.MySQL,
		"sqlite:" + filepath.Join("x", "s.db"): urlopen.SQLite,
	} {
		_, err := set.Parse(raw)
		var nb *urlopen.NotBuiltInError
		if !errors.As(err, &nb) || nb.Kind != kind || !errors.Is(err, urlopen.ErrBadURL) {
			t.Errorf("Parse(%q) = %v, want a NotBuiltInError of kind %s matching ErrBadURL", raw, err, kind)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "topsecret") || !strings.Contains(msg, "without the "+string(kind)+" driver") ||
			!strings.Contains(msg, "memory, bolt:PATH") {
			t.Errorf("Parse(%q): %q: want the kind, what the program opens, and no password", raw, msg)
		}
	}
	for _, raw := range []string{"", "Memory", "bolt", "reddis://x", "nope://x"} {
		_, err := set.Parse(raw)
		var nb *urlopen.NotBuiltInError
		if !errors.Is(err, urlopen.ErrBadURL) || errors.As(err, &nb) {
			t.Errorf("Parse(%q) = %v, want ErrBadURL and no NotBuiltInError", raw, err)
		}
	}
}

// fake is an Opener of Redis URLs whose Open returns err.
type fake struct {
	err  error
	file string
}

func (f fake) Kinds() []urlopen.Kind { return []urlopen.Kind{urlopen.Redis} }
func (f fake) Forms() string         { return "redis://fake" }
func (f fake) Parse(raw string) (urlopen.Parsed, error) {
	if strings.Contains(raw, "bad") {
		return urlopen.Parsed{}, errors.New("the fake refuses it")
	}
	return urlopen.Parsed{
		Description: "fake store",
		File:        f.file,
		Open: func(context.Context) (narvik.SessionStore, func() error, error) {
			if f.err != nil {
				return nil, nil, f.err
			}
			return memstore.New(), nil, nil
		},
	}, nil
}

// TestOpenerErrors: an opener's parse error becomes ErrBadURL with the
// URL (password hidden); an Open error is ErrUnreachable unless the opener
// marked it Refused; a missing File needs Create.
func TestOpenerErrors(t *testing.T) {
	cause := errors.New("connection refused")
	_, err := urlopen.New(fake{}).Parse("redis://u:topsecret@bad")
	if !errors.Is(err, urlopen.ErrBadURL) || !strings.Contains(err.Error(), "the fake refuses it") ||
		!strings.Contains(err.Error(), "redis://u:xxxxx@bad") {
		t.Errorf("parse error = %v", err)
	}
	_, err = urlopen.New(fake{err: cause}).Open(ctx(t), "redis://x")
	if !errors.Is(err, urlopen.ErrUnreachable) || !errors.Is(err, cause) || errors.Is(err, urlopen.ErrBadURL) {
		t.Errorf("open error = %v, want ErrUnreachable wrapping the cause", err)
	}
	_, err = urlopen.New(fake{err: urlopen.Refused(cause)}).Open(ctx(t), "redis://x")
	if !errors.Is(err, urlopen.ErrBadURL) || !errors.Is(err, cause) || errors.Is(err, urlopen.ErrUnreachable) {
		t.Errorf("refused open error = %v, want ErrBadURL wrapping the cause", err)
	}
	if got := err.Error(); got != "storeurl: bad store URL: fake store: connection refused" {
		t.Errorf("refused open error says %q", got)
	}

	missing := fake{file: filepath.Join(t.TempDir(), "missing.db")}
	if _, err := urlopen.New(missing).Open(ctx(t), "redis://x"); !errors.Is(err, urlopen.ErrUnreachable) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("open of a missing file = %v, want ErrUnreachable", err)
	}
	if o, err := urlopen.New(missing).Open(ctx(t), "redis://x", urlopen.Create()); err != nil {
		t.Errorf("open of a missing file with Create: %v", err)
	} else {
		o.Close()
	}
}

// TestLaterOpenerWins: of two openers of a kind the later one opens, and
// Forms lists what the Set holds.
func TestLaterOpenerWins(t *testing.T) {
	first := fake{err: errors.New("first")}
	set := urlopen.New(first, fake{})
	if _, err := set.Open(ctx(t), "redis://x"); err != nil {
		t.Fatalf("the later opener should open: %v", err)
	}
	if got := set.Forms(); got != "memory, bolt:PATH, redis://fake, redis://fake" {
		t.Errorf("Forms() = %q", got)
	}
	var zero urlopen.Spec
	if _, err := zero.Open(ctx(t)); !errors.Is(err, urlopen.ErrBadURL) {
		t.Errorf("Open of a Spec Parse did not make = %v, want ErrBadURL", err)
	}
}
