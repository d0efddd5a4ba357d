package mongostore_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/narvik-go/narvik/drivers/mongostore"
	"github.com/narvik-go/narvik/internal/testkit"
)

// indexSpec is the part of a listIndexes entry the store documents.
type indexSpec struct {
	Name               string `bson:"name"`
	Key                bson.D `bson:"key"`
	ExpireAfterSeconds *int64 `bson:"expireAfterSeconds"`
}

// TestIndexes lists the collection's indexes after EnsureSchema and checks them
// against the documented set. The TTL option on expiresAt_1 is required on
// every server except one that identified itself as FerretDB in buildInfo,
// where it must be absent (the server refused it and the store fell back to a
// plain index).
func TestIndexes(t *testing.T) {
	client := connect(t)
	info := askServer(t, client)
	_, coll := newStore(t, client)
	specs := listIndexes(t, coll)
	got := map[string]indexSpec{}
	for _, s := range specs {
		got[s.Name] = s
	}
	if len(got) != 3 {
		t.Errorf("got %d indexes %v, want exactly 3 (_id_, %s, %s)", len(got), names(specs), mongostore.UserIndexName, mongostore.ExpiryIndexName)
	}

	wantKeys := map[string]bson.D{
		"_id_":                     {{Key: "_id", Value: int32(1)}},
		mongostore.UserIndexName:   {{Key: "userId", Value: int32(1)}, {Key: "expiresAt", Value: int32(1)}},
		mongostore.ExpiryIndexName: {{Key: "expiresAt", Value: int32(1)}},
	}
	for name, keys := range wantKeys {
		s, ok := got[name]
		if !ok {
			t.Errorf("index %s missing; have %v", name, names(specs))
			continue
		}
		if !sameKeys(s.Key, keys) {
			t.Errorf("index %s keys = %v, want %v", name, s.Key, keys)
		}
	}
	if s := got[mongostore.UserIndexName]; s.ExpireAfterSeconds != nil {
		t.Errorf("index %s has expireAfterSeconds %d, want none", s.Name, *s.ExpireAfterSeconds)
	}

	ttl := got[mongostore.ExpiryIndexName].ExpireAfterSeconds
	switch {
	case info.FerretDB && ttl != nil:
		t.Errorf("FerretDB %s: index %s has expireAfterSeconds %d; FerretDB was expected to refuse TTL indexes", info.Version, mongostore.ExpiryIndexName, *ttl)
	case !info.FerretDB && ttl == nil:
		t.Errorf("MongoDB %s: index %s has no expireAfterSeconds; want a TTL index with 0", info.Version, mongostore.ExpiryIndexName)
	case !info.FerretDB && *ttl != 0:
		t.Errorf("MongoDB %s: index %s expireAfterSeconds = %d, want 0", info.Version, mongostore.ExpiryIndexName, *ttl)
	}
	t.Logf("server %s (FerretDB: %v): indexes %v", info.Version, info.FerretDB, names(specs))
}

// TestTTLRefusalWarnsOnce checks that a server refusing the TTL index gives
// exactly one warning through the store's logger, however often the schema
// is ensured (EnsureIndexes, the deprecated name, included), and that a
// server accepting it gives none.
func TestTTLRefusalWarnsOnce(t *testing.T) {
	client := connect(t)
	info := askServer(t, client)
	coll := newCollection(t, client)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var buf testkit.LogBuffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	s, err := mongostore.New(coll, mongostore.WithLogger(logger))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, ensure := range []func(context.Context) error{s.EnsureSchema, s.EnsureSchema, s.EnsureIndexes} {
		if err := ensure(ctx); err != nil {
			t.Fatalf("EnsureSchema: %v", err)
		}
	}
	out := buf.String()
	n := strings.Count(out, "refused the TTL index")
	want := 0
	if info.FerretDB {
		want = 1
	}
	if n != want {
		t.Fatalf("TTL warning logged %d times, want %d (server %s, FerretDB: %v); log:\n%s", n, want, info.Version, info.FerretDB, out)
	}
	if want == 1 {
		if !strings.Contains(out, "level=WARN") || !strings.Contains(out, coll.Name()) {
			t.Errorf("warning should be at WARN level and name the collection; log:\n%s", out)
		}
	}
	if strings.Count(out, "\n") != want {
		t.Errorf("unexpected log lines:\n%s", out)
	}
}

// TestNewDoesNoIO: New sends nothing to the server, whatever its options
// (the deprecated WithoutIndexCreation is accepted and does nothing), and
// the collection has no index of the store's until EnsureSchema runs.
func TestNewDoesNoIO(t *testing.T) {
	var cmds commands
	client := connectWith(t, cmds.monitor())
	coll := newCollection(t, client)
	cmds.take()
	for _, opts := range [][]mongostore.Option{nil, {mongostore.WithoutIndexCreation()}, {mongostore.WithLogger(nil), mongostore.WithWalkPageSize(10)}} {
		if _, err := mongostore.New(coll, opts...); err != nil {
			t.Fatalf("New: %v", err)
		}
	}
	if sent := cmds.take(); len(sent) != 0 {
		t.Fatalf("New sent %d kinds of commands (%v); want none: New does no I/O", len(sent), keys(sent))
	}
	if got := names(listIndexes(t, coll)); len(got) > 1 {
		t.Fatalf("indexes %v exist before EnsureSchema; want at most _id_", got)
	}
}

// listIndexes lists the collection's indexes; a collection that does not
// exist yet (real mongod: NamespaceNotFound) has none.
func listIndexes(t *testing.T, coll *mongo.Collection) []indexSpec {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cur, err := coll.Indexes().List(ctx)
	var se mongo.ServerError
	if errors.As(err, &se) && se.HasErrorCode(26) {
		return nil
	}
	if err != nil {
		t.Fatalf("listIndexes: %v", err)
	}
	var specs []indexSpec
	if err := cur.All(ctx, &specs); err != nil {
		t.Fatalf("decode indexes: %v", err)
	}
	return specs
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func names(specs []indexSpec) []string {
	var out []string
	for _, s := range specs {
		out = append(out, s.Name)
	}
	return out
}

// sameKeys compares key patterns by field order and numeric direction (servers
// answer int32 or double).
func sameKeys(a, b bson.D) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || num(a[i].Value) != num(b[i].Value) {
			return false
		}
	}
	return true
}

func num(v any) float64 {
	switch n := v.(type) {
	case int32:
		return float64(n)
	case int64:
		return float64(n)
	case float64:
		return n
	}
	return -999
}
