package testkeys

import "testing"

// TestSequence: each sequence gives distinct keys, and every sequence the
// same ones in the same order.
func TestSequence(t *testing.T) {
	a, b := Sequence(), Sequence()
	var first []string
	for i := range 3 {
		k, err := a()
		if err != nil {
			t.Fatal(err)
		}
		for j, seen := range first {
			if seen == k.N.String() {
				t.Fatalf("key %d repeats key %d", i, j)
			}
		}
		first = append(first, k.N.String())
	}
	for i := range 3 {
		k, err := b()
		if err != nil {
			t.Fatal(err)
		}
		if k.N.String() != first[i] {
			t.Errorf("the second sequence's key %d differs from the first's", i)
		}
	}
}
