package seq

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func randPackSeq(rng *rand.Rand, maxLen int) string {
	alpha := "ACGTN"
	if rng.IntN(10) == 0 {
		alpha = "ACGTNRa."
	}
	b := make([]byte, rng.IntN(maxLen+1))
	for i := range b {
		b[i] = alpha[rng.IntN(len(alpha))]
	}
	return string(b)
}

func packable(s string, max int) bool {
	return len(s) > 0 && len(s) <= max && strings.Trim(s, "ACGTN") == ""
}

// Packing against the plain rules: packable iff 1..max bases of ACGTN,
// unpacking gives the sequence back, equal keys iff equal sequences, and
// key order is string order.
func TestPackKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var prev string
	var prevKey key2
	prevOK := false
	for i := 0; i < 200000; i++ {
		s := randPackSeq(rng, 50)
		if i%3 == 0 && prevOK {
			s = prev[:rng.IntN(len(prev)+1)] // shares a prefix: order and equality edge cases
		}
		k, ok := pack2([]byte(s))
		if ok != packable(s, 42) {
			t.Fatalf("pack2(%q) ok = %v", s, ok)
		}
		if !ok {
			continue
		}
		if u := string(appendUnpacked(nil, k[:])); u != s {
			t.Fatalf("pack2 round trip %q -> %q", s, u)
		}
		if n := seqLen(k); n != len(s) {
			t.Fatalf("seqLen(%q) = %d", s, n)
		}
		if prevOK {
			if got, want := less2(k, prevKey), strings.Compare(s, prev); got != want {
				t.Fatalf("order of %q, %q: keys %d, strings %d", s, prev, got, want)
			}
			if (k == prevKey) != (s == prev) {
				t.Fatalf("equality of %q, %q", s, prev)
			}
		}
		prev, prevKey, prevOK = s, k, true
	}
	long := strings.Repeat("T", 42)
	if k, ok := pack2([]byte(long)); !ok || string(appendUnpacked(nil, k[:])) != long {
		t.Fatal("42 T's")
	}
	if _, ok := pack2([]byte(long + "A")); ok {
		t.Fatal("43 bases packed")
	}
}

// idTable against a map of counts, through growth: find says whether a
// key is there, counts kept in slots survive the moves.
func TestIDTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tab := newIDTable(0)
	ref := map[key2]int64{}
	grew := 0
	for i := 0; i < 300000; i++ {
		s := randPackSeq(rng, 12) // short: many repeats
		k, ok := pack2([]byte(s))
		if !ok {
			continue
		}
		slot, found := tab.find(k)
		if _, inRef := ref[k]; found != inRef {
			t.Fatalf("%q: found %v, map %v", s, found, inRef)
		}
		if !found {
			if tab.insert(slot, k) {
				grew++
				slot, _ = tab.find(k)
			}
		}
		tab.slots[slot].n += int64(len(s))
		ref[k] += int64(len(s))
	}
	if tab.n != len(ref) || grew == 0 {
		t.Fatalf("%d entries, map %d; %d grows", tab.n, len(ref), grew)
	}
	for _, sl := range tab.slots {
		if sl.k != (key2{}) && sl.n != ref[sl.k] {
			t.Fatalf("%s: count %d, map %d", appendUnpacked(nil, sl.k[:]), sl.n, ref[sl.k])
		}
	}
}

// readCache against a map: hits return what was put, and it stops taking
// entries at its bound.
func TestReadCache(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	c := newReadCache(500)
	ref := map[string]cacheEntry{}
	for i := 0; i < 50000; i++ {
		s := randPackSeq(rng, 6)
		if rng.IntN(50) == 0 {
			s = strings.Repeat(s, 30) // long reads too
		}
		e, hit, h, slot := c.lookup([]byte(s))
		want, inRef := ref[s]
		if hit != inRef || hit && e != want {
			t.Fatalf("%q: hit %v %+v, map %v %+v", s, hit, e, inRef, want)
		}
		if hit {
			continue
		}
		if (slot < 0) != (len(ref) >= 500) {
			t.Fatalf("%q: slot %d with %d entries", s, slot, len(ref))
		}
		if slot >= 0 {
			e := cacheEntry{id: int32(i), is: uint16(len(s)), cat: uint8(i % 8)}
			c.put(slot, h, []byte(s), e)
			ref[s] = e
		}
	}
	if len(ref) != 500 {
		t.Fatalf("cache holds %d", len(ref))
	}
}

// unpackKey against appendUnpacked on random sequences of every length
// the keys hold.
func TestUnpackKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for i := 0; i < 20000; i++ {
		s := make([]byte, 1+rng.IntN(2*basesPerWord))
		for j := range s {
			s[j] = "ACGTN"[rng.IntN(5)]
		}
		k, ok := pack2(s)
		if !ok {
			t.Fatalf("pack2(%s) failed", s)
		}
		got := make([]byte, seqLen(k))
		unpackKey(got, k)
		if string(got) != string(s) || string(got) != string(appendUnpacked(nil, k[:])) {
			t.Fatalf("unpackKey(%s) = %s", s, got)
		}
	}
}
