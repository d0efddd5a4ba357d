package boltstore_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/drivers/boltstore"
	bolt "go.etcd.io/bbolt"
)

// benchData is what a web app keeps in a session: the benchmarks' session
// data as JSON, 215 bytes.
var benchData, _ = json.Marshal(conformance.BenchSample)

// fill adds n records to s in transactions of up to 10,000 (fixtures only;
// SaveMany writes exactly what SaveSession writes). Records of user
// fmt.Sprintf("user-%d", i%users) expire in ttl (negative: expired).
func fill(b *testing.B, s *boltstore.Store, n, users int, ttl time.Duration) []narvik.Record {
	b.Helper()
	var all []narvik.Record
	for start := 0; start < n; start += 10_000 {
		batch := make([]narvik.Record, 0, min(10_000, n-start))
		for i := start; i < n && i < start+10_000; i++ {
			r := record(fmt.Sprintf("user-%d", i%users), ttl)
			r.Data = benchData
			batch = append(batch, r)
		}
		if err := s.SaveMany(batch); err != nil {
			b.Fatal(err)
		}
		all = append(all, batch...)
	}
	return all
}

const (
	benchTotal   = 100_000
	benchExpired = benchTotal / 100 // 1%
)

// BenchmarkScanAll is the baseline for BenchmarkDeleteAllExpired: one read
// transaction that visits every record of a 100,000-record store and reads
// its expiry, as a store without an expiry index must to find the expired
// ones. It decodes only the expiry and allocates nothing, so it is the
// cheapest full scan possible; a real one would also delete.
func BenchmarkScanAll(b *testing.B) {
	s, _ := openTemp(b)
	fill(b, s, benchTotal-benchExpired, 1000, time.Hour)
	fill(b, s, benchExpired, 1000, -time.Minute)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		now := time.Now().UnixMilli()
		expired, seen := 0, 0
		err := s.DB().View(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("narvik")).Bucket([]byte("sessions")).ForEach(func(_, v []byte) error {
				n, k := binary.Uvarint(v[1:])
				if int64(binary.BigEndian.Uint64(v[1+k+int(n):])) <= now {
					expired++
				}
				seen++
				return nil
			})
		})
		if err != nil || seen != benchTotal || expired != benchExpired {
			b.Fatalf("scan saw %d records, %d expired, %v; want %d, %d", seen, expired, err, benchTotal, benchExpired)
		}
	}
}

// BenchmarkDeleteAllExpired: DeleteAllExpiredSessions on a store of
// 100,000 records of which 1% (1,000) expired. Each iteration first puts
// back 1,000 freshly expired records with the timer stopped; the timed part
// is the cleanup alone, including its commits and fsyncs. Compare with
// BenchmarkScanAll, and see BenchmarkCleanup for how the cost follows the
// number of expired records.
func BenchmarkDeleteAllExpired(b *testing.B) {
	s, _ := openTemp(b)
	fill(b, s, benchTotal-benchExpired, 1000, time.Hour)
	benchCleanup(b, s, benchExpired, deleteAllExpired)
}

// BenchmarkCleanup compares DeleteAllExpiredSessions ("index") with the
// cleanup a store without an expiry index must do ("scan": one write
// transaction that reads every record and deletes the expired ones with
// their index entries), on 99,000 live records plus 0, 10 or 1,000 expired
// ones. It reports the pages bbolt wrote per cleanup.
func BenchmarkCleanup(b *testing.B) {
	s, _ := openTemp(b)
	fill(b, s, benchTotal-benchExpired, 1000, time.Hour)
	for _, way := range []struct {
		name    string
		cleanup func(*boltstore.Store) (int, error)
	}{{"index", deleteAllExpired}, {"scan", deleteExpiredByScan}} {
		for _, n := range []int{0, 10, benchExpired} {
			b.Run(fmt.Sprintf("%s/expired=%d", way.name, n), func(b *testing.B) {
				benchCleanup(b, s, n, way.cleanup)
			})
		}
	}
}

func deleteAllExpired(s *boltstore.Store) (int, error) { return s.DeleteAllExpiredSessions(bg) }

// benchCleanup times cleanup on s, first putting back n freshly expired
// records with the timer stopped in each iteration, and reports bbolt's
// page writes per cleanup.
func benchCleanup(b *testing.B, s *boltstore.Store, n int, cleanup func(*boltstore.Store) (int, error)) {
	var writes int64
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		fill(b, s, n, 1000, -time.Minute)
		before := pageWrites(s)
		b.StartTimer()
		got, err := cleanup(s)
		if err != nil || got != n {
			b.Fatalf("cleanup removed %d, %v; want %d", got, err, n)
		}
		b.StopTimer()
		writes += pageWrites(s) - before
		b.StartTimer()
	}
	b.ReportMetric(float64(writes)/float64(b.N), "pagewrites/op")
}

// pageWrites is bbolt's count of page writes so far.
func pageWrites(s *boltstore.Store) int64 {
	st := s.DB().Stats()
	return st.TxStats.GetWrite()
}

// deleteExpiredByScan is the cleanup without an expiry index: it reads every
// record in one write transaction and deletes the expired ones with their
// users and expiry entries.
func deleteExpiredByScan(s *boltstore.Store) (int, error) {
	removed := 0
	err := s.DB().Update(func(tx *bolt.Tx) error {
		top := tx.Bucket([]byte("narvik"))
		sessions, users, expiry := top.Bucket([]byte("sessions")), top.Bucket([]byte("users")), top.Bucket([]byte("expiry"))
		now := time.Now().UnixMilli()
		var dead [][3][]byte
		err := sessions.ForEach(func(k, v []byte) error {
			n, w := binary.Uvarint(v[1:])
			user := v[1+w : 1+w+int(n)]
			exp := int64(binary.BigEndian.Uint64(v[1+w+int(n):]))
			if exp <= now {
				uk := append(binary.AppendUvarint(nil, n), user...)
				ek := binary.BigEndian.AppendUint64(nil, uint64(exp)^1<<63)
				dead = append(dead, [3][]byte{bytes.Clone(k), append(uk, k...), append(ek, k...)})
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, d := range dead {
			if err := errors.Join(sessions.Delete(d[0]), users.Delete(d[1]), expiry.Delete(d[2])); err != nil {
				return err
			}
			removed++
		}
		return nil
	})
	return removed, err
}

// BenchmarkUserScale: per-user listing and deletion for a user with 10
// sessions, in a store of 1,000 and of 100,000 records. The two sizes should
// cost about the same (the index walk is O(the user's sessions); only the
// B+tree depth grows). Each DeleteSessionsForUser iteration first gives the
// user 10 new sessions with the timer stopped; its time includes the
// commit's fsync.
func BenchmarkUserScale(b *testing.B) {
	const mine = 10
	stores := map[int]*boltstore.Store{}
	totals := []int{1_000, 100_000}
	for _, total := range totals {
		s, _ := openTemp(b)
		fill(b, s, total-mine, 500, time.Hour)
		stores[total] = s
	}
	target := func(s *boltstore.Store) {
		b.Helper()
		rs := make([]narvik.Record, mine)
		for i := range rs {
			rs[i] = record("the-user", time.Hour)
			rs[i].Data = benchData
		}
		if err := s.SaveMany(rs); err != nil {
			b.Fatal(err)
		}
	}
	for _, total := range totals {
		target(stores[total])
	}
	for _, total := range totals {
		b.Run(fmt.Sprintf("FetchSessionsForUser/total=%d", total), func(b *testing.B) {
			s := stores[total]
			b.ReportAllocs()
			for b.Loop() {
				if got, err := s.FetchSessionsForUser(bg, "the-user"); len(got) != mine || err != nil {
					b.Fatalf("FetchSessionsForUser = %d, %v; want %d", len(got), err, mine)
				}
			}
		})
	}
	for _, total := range totals {
		b.Run(fmt.Sprintf("DeleteSessionsForUser/total=%d", total), func(b *testing.B) {
			s := stores[total]
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := s.DeleteSessionsForUser(bg, "the-user"); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				target(s) // for the next iteration and the next sub-benchmark
				b.StartTimer()
			}
		})
	}
}

// BenchmarkBaseline is the cheapest correct read of one session by key with
// bbolt: a read transaction, one Get, and a copy of the value out of the
// transaction. Compare BenchmarkFetchSession (the driver) and
// BenchmarkConformance/ValidateHit (the whole core) with it.
func BenchmarkBaseline(b *testing.B) { conformance.BenchmarkBaseline(b, rawRead(b)) }

// rawRead returns the read of BenchmarkBaseline on a store of its own.
func rawRead(b *testing.B) func(b *testing.B) {
	s, _ := openTemp(b)
	rs := fill(b, s, 1_000, 100, time.Hour)
	key := []byte(rs[len(rs)/2].ID)
	return func(b *testing.B) {
		var out []byte
		err := s.DB().View(func(tx *bolt.Tx) error {
			out = bytes.Clone(sessionsBucket(tx).Get(key))
			return nil
		})
		if err != nil || out == nil {
			b.Fatalf("Get = %x, %v", out, err)
		}
	}
}

// sessionsBucket returns the bucket FetchSession reads.
func sessionsBucket(tx *bolt.Tx) *bolt.Bucket {
	return tx.Bucket([]byte("narvik")).Bucket([]byte("sessions"))
}

// rawKey is the i-th key of the raw write baselines: a session ID (the hex
// SHA-256 of a token), so that writes land on random pages as sessions' do.
func rawKey(i int) []byte { return []byte(narvik.SessionIDFromToken("raw-" + strconv.Itoa(i))) }

// BenchmarkBaselineInsert is the cheapest durable put-if-absent of one
// session-sized value with bbolt: one write transaction (a commit and its
// fsync), a Get and a Put. Compare Conformance/Create with it.
func BenchmarkBaselineInsert(b *testing.B) {
	s, _ := openTemp(b)
	value := encodedRecord(b, s)
	conformance.BenchmarkBaselineEach(b, nil, func(b *testing.B, i int) {
		key := rawKey(i)
		err := s.DB().Update(func(tx *bolt.Tx) error {
			sessions := sessionsBucket(tx)
			if sessions.Get(key) != nil {
				return narvik.ErrDuplicateSession
			}
			return sessions.Put(key, value)
		})
		if err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkBaselineUpdate rewrites one stored value in a write transaction,
// as the raw half of an extension (Conformance/ValidateExtend is compared
// with BenchmarkBaseline + this).
func BenchmarkBaselineUpdate(b *testing.B) {
	s, _ := openTemp(b)
	value := encodedRecord(b, s)
	key := rawKey(0)
	if err := s.DB().Update(func(tx *bolt.Tx) error { return sessionsBucket(tx).Put(key, value) }); err != nil {
		b.Fatal(err)
	}
	conformance.BenchmarkBaseline(b, func(b *testing.B) {
		if err := s.DB().Update(func(tx *bolt.Tx) error { return sessionsBucket(tx).Put(key, value) }); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkBaselineDelete deletes one stored value in a write transaction.
// Compare Conformance/Invalidate with it.
func BenchmarkBaselineDelete(b *testing.B) {
	s, _ := openTemp(b)
	value := encodedRecord(b, s)
	prepare := func(b *testing.B, first, n int) {
		err := s.DB().Update(func(tx *bolt.Tx) error {
			for i := first; i < first+n; i++ {
				if err := sessionsBucket(tx).Put(rawKey(i), value); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	conformance.BenchmarkBaselineEach(b, prepare, func(b *testing.B, i int) {
		if err := s.DB().Update(func(tx *bolt.Tx) error { return sessionsBucket(tx).Delete(rawKey(i)) }); err != nil {
			b.Fatal(err)
		}
	})
}

// encodedRecord returns the stored value of a session with benchData, as
// SaveSession writes it.
func encodedRecord(b *testing.B, s *boltstore.Store) []byte {
	r := record("bench", time.Hour)
	r.Data = benchData
	if err := s.SaveSession(bg, r); err != nil {
		b.Fatal(err)
	}
	var v []byte
	if err := s.DB().View(func(tx *bolt.Tx) error { v = bytes.Clone(sessionsBucket(tx).Get([]byte(r.ID))); return nil }); err != nil || v == nil {
		b.Fatalf("read back %s: %v", r.ID, err)
	}
	return v
}

// BenchmarkFetchSession is FetchSession on the same store shape as
// BenchmarkBaseline: the driver's cost over the raw read (context check,
// decode, copies, Record).
func BenchmarkFetchSession(b *testing.B) {
	s, _ := openTemp(b)
	rs := fill(b, s, 1_000, 100, time.Hour)
	id := rs[len(rs)/2].ID
	fetch := func(b *testing.B) {
		if r, err := s.FetchSession(bg, id); err != nil || r.ID != id {
			b.Fatalf("FetchSession = %v", err)
		}
	}
	conformance.BenchmarkBaseline(b, fetch)
}

// BenchmarkAllSessions walks a store of 100,000 records (one read
// transaction per 1,000), reporting the cost per record yielded: what a
// migration out of bbolt pays to read.
func BenchmarkAllSessions(b *testing.B) {
	s, _ := openTemp(b)
	fill(b, s, benchTotal, 1000, time.Hour)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		n := 0
		for _, err := range s.AllSessions(b.Context()) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != benchTotal {
			b.Fatalf("walk yielded %d records, want %d", n, benchTotal)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchTotal), "ns/record")
}
