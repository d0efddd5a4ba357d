package redisstore

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestFetchSessionCommand: FetchSession's GET (a sessionGet on a
// *redis.Client) is what a hook sees and what the server gets, a GET of
// the session key, whether the key fits sessionGet's buffer or not (a
// prefix longer than it).
func TestFetchSessionCommand(t *testing.T) {
	for _, prefix := range []string{randomPrefix(), randomPrefix() + strings.Repeat("p", 200) + ":"} {
		client := standaloneClient(t)
		s := newTestStore(t, client, WithKeyPrefix(prefix))
		ctx := context.Background()
		r := rec(newID(), "alice", time.Hour)
		if err := s.SaveSession(ctx, r); err != nil {
			t.Fatal(err)
		}
		var seen recorder
		client.AddHook(&seen)
		got, err := s.FetchSession(ctx, r.ID)
		if err != nil || got.UserID != r.UserID || !bytes.Equal(got.Data, r.Data) || !got.ExpiresAt.Equal(r.ExpiresAt) {
			t.Fatalf("prefix of %d bytes: FetchSession = %+v, %v; want %+v", len(prefix), got, err, r)
		}
		want := "get " + prefix + "s:" + r.ID + ": "
		if cmds := seen.all(); len(cmds) != 1 || !strings.HasPrefix(cmds[0], want) {
			t.Errorf("prefix of %d bytes: the hook saw %q, want one command starting with %q", len(prefix), cmds, want)
		}
	}
}

// recorder is a go-redis hook that keeps each command as the client
// formats it (Cmder.String) after it ran.
type recorder struct {
	mu   sync.Mutex
	cmds []string
}

func (r *recorder) DialHook(next redis.DialHook) redis.DialHook { return next }

func (r *recorder) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		r.mu.Lock()
		r.cmds = append(r.cmds, cmd.String())
		r.mu.Unlock()
		return err
	}
}

func (r *recorder) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.cmds...)
}
