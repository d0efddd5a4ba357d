package peers

import (
	"context"
	"crypto/rand"
	"encoding/gob"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"

	scsredis "github.com/alexedwards/scs/redisstore"
	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	redigo "github.com/gomodule/redigo/redis"
	"github.com/redis/go-redis/v9"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	narvikmem "github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/drivers/redisstore"
	"github.com/narvik-go/narvik/internal/testenv"
	"github.com/narvik-go/narvik/narvikhttp"
)

func init() {
	// scs keeps values as gob in a map[string]any: a struct must be
	// registered with gob to travel in it.
	gob.Register(conformance.BenchData{})
}

var bg = context.Background()

// prefix returns a key prefix no other run uses.
func prefix(tb testing.TB) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	return "bench-peers-" + hex.EncodeToString(b[:]) + ":"
}

// redisURL is the shared Redis, or a skip (a failure under CI).
func redisURL(tb testing.TB) string {
	return testenv.Get(tb, "NARVIK_REDIS_URL", "scripts/redis.sh up")
}

// narvikSession returns a Narvik over store and a token of a live session
// holding the benchmarks' data.
func narvikSession[D any](tb testing.TB, store narvik.SessionStore, data D) (*narvik.Narvik[D], string) {
	n, err := narvik.New[D](store)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := n.CreateSession(bg, "bench-user", data)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = n.InvalidateSession(bg, res.Session.ID) })
	return n, res.Token
}

// scsSession returns a session manager over store and the token of a
// session holding the benchmarks' data.
func scsSession(tb testing.TB, store scs.Store, hashed bool) (*scs.SessionManager, string) {
	sm := scs.New()
	sm.Store = store
	sm.HashTokenInStore = hashed
	ctx, err := sm.Load(bg, "")
	if err != nil {
		tb.Fatal(err)
	}
	sm.Put(ctx, "data", conformance.BenchSample)
	token, _, err := sm.Commit(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	return sm, token
}

// scsMemstore returns scs's memory store without its cleanup goroutine
// (nothing expires during a run): StopCleanup races with the goroutine's
// start, which the race detector reports (scs issues 228, 231, 250).
// scs.New still starts one for its default store, which is replaced.
func scsMemstore(testing.TB) *memstore.MemStore { return memstore.NewWithCleanupInterval(0) }

// scsRedis returns scs's Redis store over a redigo pool on the shared
// Redis, under a prefix of its own.
func scsRedis(tb testing.TB) *scsredis.RedisStore {
	url := redisURL(tb)
	pool := &redigo.Pool{MaxIdle: 16, Dial: func() (redigo.Conn, error) { return redigo.DialURL(url) }}
	tb.Cleanup(func() { _ = pool.Close() })
	return scsredis.NewWithPrefix(pool, prefix(tb))
}

// goRedis returns a go-redis client on the shared Redis.
func goRedis(tb testing.TB) *redis.Client {
	opts, err := redis.ParseURL(redisURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	c := redis.NewClient(opts)
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// narvikRedis returns narvik's Redis store under a prefix of its own.
func narvikRedis(tb testing.TB) narvik.SessionStore {
	s, err := redisstore.New(goRedis(tb), redisstore.WithKeyPrefix(prefix(tb)))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// validateNarvik is one narvik validation that must find the session.
func validateNarvik[D any](n *narvik.Narvik[D], token string) func(b *testing.B) {
	return func(b *testing.B) {
		if s, err := n.ValidateSession(bg, token); s == nil || err != nil {
			b.Fatalf("ValidateSession = %v, %v", s, err)
		}
	}
}

// loadScs is one scs Load that must find the session's data.
func loadScs(sm *scs.SessionManager, token string) func(b *testing.B) {
	return func(b *testing.B) {
		ctx, err := sm.Load(bg, token)
		if err != nil {
			b.Fatal(err)
		}
		if d, ok := sm.Get(ctx, "data").(conformance.BenchData); !ok || d.IP != conformance.BenchSample.IP {
			b.Fatalf("Load: data %v", sm.Get(ctx, "data"))
		}
	}
}

// serve is one request through handler with the session cookie.
func serve(handler http.Handler, cookie, token string) func(b *testing.B) {
	return func(b *testing.B) {
		req := httptest.NewRequest(http.MethodGet, "https://example.com/", nil)
		req.AddCookie(&http.Cookie{Name: cookie, Value: token})
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// narvikHandler is narvikhttp's middleware around a handler that reads the
// session's data.
func narvikHandler(b *testing.B, n *narvik.Narvik[conformance.BenchData]) http.Handler {
	h, err := narvikhttp.New(n)
	if err != nil {
		b.Fatal(err)
	}
	return h.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s, ok := narvikhttp.SessionFrom[conformance.BenchData](r.Context()); !ok || s.Data.IP != conformance.BenchSample.IP {
			http.Error(w, "no session", http.StatusUnauthorized)
		}
	}))
}

// scsHandler is scs's LoadAndSave around a handler that reads the
// session's data.
func scsHandler(sm *scs.SessionManager) http.Handler {
	return sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d, ok := sm.Get(r.Context(), "data").(conformance.BenchData); !ok || d.IP != conformance.BenchSample.IP {
			http.Error(w, "no session", http.StatusUnauthorized)
		}
	}))
}

// BenchmarkPeers: each library loads the same session, serially and in
// parallel, the rows of one group measured in one run. Names are
// Peers/<where>/<library>/<mode>; Peers/paired/... run two of them in turns
// in one loop (conformance.BenchmarkPaired) and report their ratio.
func BenchmarkPeers(b *testing.B) {
	b.Run("paired", func(b *testing.B) {
		n, tok := narvikSession(b, narvikmem.New(), conformance.BenchSample)
		sm, stok := scsSession(b, scsMemstore(b), false)
		b.Run("memory/scs-vs-narvik", func(b *testing.B) {
			conformance.BenchmarkPaired(b, validateNarvik(n, tok), loadScs(sm, stok))
		})
		b.Run("http-memory/scs-vs-narvik", func(b *testing.B) {
			conformance.BenchmarkPaired(b, serve(narvikHandler(b, n), n.CookieName(), tok), serve(scsHandler(sm), sm.Cookie.Name, stok))
		})
		client := goRedis(b)
		key := prefix(b) + "raw"
		if err := client.Set(bg, key, make([]byte, 320), 0).Err(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { client.Del(bg, key) })
		get := func(b *testing.B) {
			if err := client.Get(bg, key).Err(); err != nil {
				b.Fatal(err)
			}
		}
		rn, rtok := narvikSession(b, narvikRedis(b), conformance.BenchSample)
		rb, rbtok := narvikSession(b, narvikRedis(b), conformance.BenchBinaryData(conformance.BenchSample))
		rsm, rstok := scsSession(b, scsRedis(b), false)
		b.Run("redis/narvik-vs-GET", func(b *testing.B) { conformance.BenchmarkPaired(b, get, validateNarvik(rn, rtok)) })
		b.Run("redis/narvik-DataMarshaler-vs-GET", func(b *testing.B) { conformance.BenchmarkPaired(b, get, validateNarvik(rb, rbtok)) })
		b.Run("redis/scs-vs-narvik", func(b *testing.B) { conformance.BenchmarkPaired(b, validateNarvik(rn, rtok), loadScs(rsm, rstok)) })
		b.Run("http-redis/scs-vs-narvik", func(b *testing.B) {
			conformance.BenchmarkPaired(b, serve(narvikHandler(b, rn), rn.CookieName(), rtok), serve(scsHandler(rsm), rsm.Cookie.Name, rstok))
		})
	})
	b.Run("memory", func(b *testing.B) {
		n, tok := narvikSession(b, narvikmem.New(), conformance.BenchSample)
		b.Run("narvik", func(b *testing.B) { conformance.BenchmarkBaseline(b, validateNarvik(n, tok)) })
		nb, btok := narvikSession(b, narvikmem.New(), conformance.BenchBinaryData(conformance.BenchSample))
		b.Run("narvik-DataMarshaler", func(b *testing.B) { conformance.BenchmarkBaseline(b, validateNarvik(nb, btok)) })
		sm, stok := scsSession(b, scsMemstore(b), false)
		b.Run("scs", func(b *testing.B) { conformance.BenchmarkBaseline(b, loadScs(sm, stok)) })
		smh, shtok := scsSession(b, scsMemstore(b), true)
		b.Run("scs-hashed", func(b *testing.B) { conformance.BenchmarkBaseline(b, loadScs(smh, shtok)) })
	})
	b.Run("redis", func(b *testing.B) {
		client := goRedis(b)
		key := prefix(b) + "raw"
		value, err := narvik.JSONCodec{}.Marshal(conformance.BenchSample)
		if err != nil {
			b.Fatal(err)
		}
		if err := client.Set(bg, key, append(make([]byte, 64), value...), 0).Err(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { client.Del(bg, key) })
		b.Run("GET", func(b *testing.B) {
			conformance.BenchmarkBaseline(b, func(b *testing.B) {
				if err := client.Get(bg, key).Err(); err != nil {
					b.Fatal(err)
				}
			})
		})
		n, tok := narvikSession(b, narvikRedis(b), conformance.BenchSample)
		b.Run("narvik", func(b *testing.B) { conformance.BenchmarkBaseline(b, validateNarvik(n, tok)) })
		nb, btok := narvikSession(b, narvikRedis(b), conformance.BenchBinaryData(conformance.BenchSample))
		b.Run("narvik-DataMarshaler", func(b *testing.B) { conformance.BenchmarkBaseline(b, validateNarvik(nb, btok)) })
		sm, stok := scsSession(b, scsRedis(b), false)
		b.Run("scs", func(b *testing.B) { conformance.BenchmarkBaseline(b, loadScs(sm, stok)) })
		smh, shtok := scsSession(b, scsRedis(b), true)
		b.Run("scs-hashed", func(b *testing.B) { conformance.BenchmarkBaseline(b, loadScs(smh, shtok)) })
	})
	b.Run("http-memory", func(b *testing.B) {
		n, tok := narvikSession(b, narvikmem.New(), conformance.BenchSample)
		b.Run("narvik", func(b *testing.B) {
			conformance.BenchmarkBaseline(b, serve(narvikHandler(b, n), n.CookieName(), tok))
		})
		sm, stok := scsSession(b, scsMemstore(b), false)
		b.Run("scs", func(b *testing.B) { conformance.BenchmarkBaseline(b, serve(scsHandler(sm), sm.Cookie.Name, stok)) })
	})
	b.Run("http-redis", func(b *testing.B) {
		n, tok := narvikSession(b, narvikRedis(b), conformance.BenchSample)
		b.Run("narvik", func(b *testing.B) {
			conformance.BenchmarkBaseline(b, serve(narvikHandler(b, n), n.CookieName(), tok))
		})
		sm, stok := scsSession(b, scsRedis(b), false)
		b.Run("scs", func(b *testing.B) { conformance.BenchmarkBaseline(b, serve(scsHandler(sm), sm.Cookie.Name, stok)) })
	})
}

// TestBothLoadTheSameSession: the two libraries are compared on equal
// terms, each finding the benchmarks' data in the session it loads, from
// memory and from Redis.
func TestBothLoadTheSameSession(t *testing.T) {
	stores := map[string]func() (narvik.SessionStore, scs.Store){
		"memory": func() (narvik.SessionStore, scs.Store) { return narvikmem.New(), scsMemstore(t) },
		"redis":  func() (narvik.SessionStore, scs.Store) { return narvikRedis(t), scsRedis(t) },
	}
	for where, open := range stores {
		ns, ss := open()
		n, tok := narvikSession(t, ns, conformance.BenchSample)
		s, err := n.ValidateSession(bg, tok)
		if err != nil || s == nil || s.Data.UserAgent != conformance.BenchSample.UserAgent || !s.Data.MFAAt.Equal(conformance.BenchSample.MFAAt) {
			t.Errorf("%s: narvik: %+v, %v", where, s, err)
		}
		sm, stok := scsSession(t, ss, false)
		ctx, err := sm.Load(bg, stok)
		if err != nil {
			t.Fatalf("%s: scs Load: %v", where, err)
		}
		if d, ok := sm.Get(ctx, "data").(conformance.BenchData); !ok || d.UserAgent != conformance.BenchSample.UserAgent || !d.MFAAt.Equal(conformance.BenchSample.MFAAt) {
			t.Errorf("%s: scs: %+v", where, sm.Get(ctx, "data"))
		}
	}
}
