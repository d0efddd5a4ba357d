package memstore_test

import (
	"context"
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/drivers/memstore"
)

// TestValidateAllocations is the allocation guard of the hot path, a
// regression check that does not depend on wall time: testing.AllocsPerRun
// counts the same on a busy machine as on an idle one. A validation
// allocates the session ID (the hex SHA-256 of the token), the Session,
// and whatever decoding the data needs: nothing for struct{}, the two
// strings of conformance.BenchBinaryData, which encodes itself, and
// encoding/json's own allocations for conformance.BenchData. The limits are
// the counts measured when they were set; scripts/callgrind.sh guards the
// instructions the same way.
func TestValidateAllocations(t *testing.T) {
	ctx := context.Background()
	t.Run("hit, no data", func(t *testing.T) {
		checkAllocs(t, 2, validator(t, struct{}{}))
	})
	t.Run("hit, data encoding itself", func(t *testing.T) {
		checkAllocs(t, 4, validator(t, conformance.BenchBinaryData(conformance.BenchSample)))
	})
	t.Run("hit, JSON data", func(t *testing.T) {
		checkAllocs(t, 8, validator(t, conformance.BenchSample))
	})
	n, err := narvik.New[struct{}](memstore.New())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("miss", func(t *testing.T) {
		checkAllocs(t, 1, func() {
			if s, err := n.ValidateSession(ctx, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); s != nil || err != nil {
				t.Fatalf("ValidateSession(unknown) = %v, %v", s, err)
			}
		})
	})
	t.Run("malformed", func(t *testing.T) {
		checkAllocs(t, 0, func() {
			if s, err := n.ValidateSession(ctx, "not a token"); s != nil || err != nil {
				t.Fatalf("ValidateSession(malformed) = %v, %v", s, err)
			}
		})
	})
}

// validator returns a validation of a live session holding data.
func validator[D any](t *testing.T, data D) func() {
	ctx := context.Background()
	n, err := narvik.New[D](memstore.New())
	if err != nil {
		t.Fatal(err)
	}
	res, err := n.CreateSession(ctx, "user-42", data)
	if err != nil {
		t.Fatal(err)
	}
	return func() {
		if s, err := n.ValidateSession(ctx, res.Token); s == nil || err != nil {
			t.Fatalf("ValidateSession = %v, %v", s, err)
		}
	}
}

func checkAllocs(t *testing.T, limit float64, f func()) {
	t.Helper()
	if got := testing.AllocsPerRun(200, f); got > limit {
		t.Errorf("%v allocations per call, limit %v", got, limit)
	}
}
