package fuzz

import (
	"os"
	"testing"

	"github.com/simdtorch/simdtorch/internal/idx/idxtest"
)

// FuzzIDXRead feeds arbitrary bytes to the IDX reader (internal/idx, used
// by examples/fashion): it must never panic, read out of bounds or
// allocate for a header's claims more than its input holds; Parse, Read
// and Read over one-byte reads must agree; whatever it accepts must encode
// back to the same bytes and survive a gzip round trip.
func FuzzIDXRead(f *testing.F) {
	if b, err := os.ReadFile("../examples/fashion/data/t10k-labels-idx1-ubyte.gz"); err == nil {
		f.Add(b)
	}
	for _, b := range idxtest.Valid {
		f.Add(b)
	}
	for _, b := range idxtest.Hostile {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		idxtest.Check(t, data)
	})
}
