package boltstore_test

import (
	"bytes"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/testkit"
)

// TestWalkReleasesTheFile walks 2,500 records (three pages) and, inside the
// loop, checks that no read transaction is open and writes enough to make
// bbolt grow the file. bbolt's remap waits for every open read transaction,
// so a walk that held one across the loop would block that write for as
// long as the walk lasts; here the write must finish on its own. The walk
// still yields every record once, in ID order, and skips the expired ones.
func TestWalkReleasesTheFile(t *testing.T) {
	s, path := openTemp(t)
	var live []narvik.Record
	var all []narvik.Record
	for i := range 2500 {
		r := record("walker", time.Hour)
		if i%10 == 0 {
			r.ExpiresAt = time.Now().Add(-time.Minute)
		} else {
			live = append(live, r)
		}
		all = append(all, r)
	}
	if err := s.SaveMany(all); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	sizeBefore := info.Size()

	var got []string
	for r, err := range s.AllSessions(bg) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.ID)
		if len(got) != 1 && len(got) != 1500 {
			continue
		}
		if n := s.DB().Stats().OpenTxN; n != 0 {
			t.Fatalf("%d read transactions open inside the walk's loop, want 0", n)
		}
		// 8 MiB in one commit: the file must grow and bbolt remap it.
		big := make([]narvik.Record, 8)
		for i := range big {
			big[i] = record("grower", time.Hour)
			big[i].Data = bytes.Repeat([]byte{byte(i)}, 1<<20)
		}
		done := make(chan error, 1)
		go func() { done <- s.SaveMany(big) }()
		var saveErr error
		if !testkit.WaitFor(10*time.Second, func() bool {
			select {
			case saveErr = <-done:
				return true
			default:
				return false
			}
		}) {
			t.Fatal("a write that grows the file did not finish within 10 s inside the walk's loop: the walk holds a read transaction")
		}
		if saveErr != nil {
			t.Fatal(saveErr)
		}
	}
	if info, err := os.Stat(path); err != nil || info.Size() < sizeBefore+16<<20 {
		t.Fatalf("the file did not grow by the 16 MiB written inside the loop (%d -> %v, %v)", sizeBefore, info.Size(), err)
	}

	want := make([]string, 0, len(live))
	for _, r := range live {
		want = append(want, r.ID)
	}
	slices.Sort(want)
	// Records saved inside the loop ("grower") may be yielded too, once.
	var walkers []string
	for _, id := range got {
		if slices.Contains(want, id) {
			walkers = append(walkers, id)
		}
	}
	if !slices.Equal(walkers, want) {
		t.Fatalf("the walk yielded %d of the %d live records (in ID order: %v)", len(walkers), len(want), slices.IsSorted(got))
	}
	if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Fatal("the walk did not yield each record once, in ID order")
	}
}
