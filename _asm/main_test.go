package main

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestGeneratedUpToDate regenerates the kernels and compares them with the
// files in the repository root, so that an edit of the generator without
// regenerating (or a hand edit of the output) fails.
func TestGeneratedUpToDate(t *testing.T) {
	s, g, err := generate("simdtorch")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		path string
		want []byte
	}{{"../kernels_amd64.s", s}, {"../kernels_amd64.go", g}} {
		have, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(have, f.want) {
			t.Errorf("%s is stale: run `cd _asm && %s`", f.path, strings.Join(command, " "))
		}
	}
}

// TestEveryRoutine checks that the tables agree: every kernel has a
// generator, a doc line and a signature, and nothing is left unused.
func TestEveryRoutine(t *testing.T) {
	if len(routines) != 25 {
		t.Errorf("%d routines, want 25 (50 with both dtypes)", len(routines))
	}
	for _, name := range routines {
		if gen[name] == nil || docs[name] == "" || sigs[name] == "" {
			t.Errorf("%s: generator %v, doc %q, signature %q", name, gen[name] != nil, docs[name], sigs[name])
		}
	}
	// The AVX-512 routines of routines512 reuse the AVX2 routine's doc and
	// signature.
	for _, name := range routines512 {
		if gen512[name] == nil || docs[name] == "" || sigs[name] == "" {
			t.Errorf("%s (AVX-512): generator %v, doc %q, signature %q", name, gen512[name] != nil, docs[name], sigs[name])
		}
	}
	if len(gen512) != len(routines512) {
		t.Errorf("%d AVX-512 generators for %d routines512", len(gen512), len(routines512))
	}
	// The AVX-512 GEMM routines have their own docs; their signatures are
	// shared with the AVX2 GEMM routines of the same name.
	only512 := 0
	for _, name := range gemm512Routines {
		if docs512[name] == "" || sigs[name] == "" {
			t.Errorf("%s (AVX-512): doc %q, signature %q", name, docs512[name], sigs[name])
		}
		if !slices.Contains(gemmRoutines, name) {
			only512++
		}
	}
	if len(gen) != len(routines) || len(docs) != len(routines)+len(gemmRoutines)+len(optimRoutines)+len(transposeRoutines) || len(sigs) != len(routines)+len(gemmRoutines)+len(optimRoutines)+len(transposeRoutines)+only512 || len(docs512) != len(gemm512Routines) {
		t.Errorf("tables: %d generators, %d docs, %d AVX-512 docs, %d signatures for %d routines", len(gen), len(docs), len(docs512), len(sigs), len(routines))
	}
}
