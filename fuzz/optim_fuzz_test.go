package fuzz

import (
	"math/rand/v2"
	"testing"

	"github.com/simdtorch/simdtorch/internal/testutil"
	"github.com/simdtorch/simdtorch/kernels"
)

// FuzzSGDStepF32/F64 and FuzzAdamStepF32/F64 run the fused optimizer steps
// on every assembly path and on the generic loop and compare every output
// (the parameter and all the state) bit for bit, NaN payloads aside. The
// parameter, gradient and state come from raw bits; the hyperparameters
// are arbitrary float64s (NaN and ±Inf included: the contract holds for
// any), and the variant bits of flags zero the momentum or weight decay
// and set Init, Nesterov, Decoupled and AMSGrad, so every loop of the
// assembly is reached.

func FuzzSGDStepF32(f *testing.F) { fuzzSGDStep[float32](f) }
func FuzzSGDStepF64(f *testing.F) { fuzzSGDStep[float64](f) }

func FuzzAdamStepF32(f *testing.F) { fuzzAdamStep[float32](f) }
func FuzzAdamStepF64(f *testing.F) { fuzzAdamStep[float64](f) }

// sgdFromFlags: bit 0 keeps Momentum (else 0), bit 1 keeps WeightDecay (else
// 0), bit 2 Init, bit 3 Nesterov.
func sgdFromFlags(flags uint8, lr, mom, damp, wd float64) kernels.SGDParams {
	h := kernels.SGDParams{LR: lr, Momentum: mom, Dampening: damp, WeightDecay: wd,
		Init: flags&4 != 0, Nesterov: flags&8 != 0}
	if flags&1 == 0 {
		h.Momentum = 0
	}
	if flags&2 == 0 {
		h.WeightDecay = 0
	}
	return h
}

// adamFromFlags: bit 0 keeps WeightDecay (else 0), bit 1 Decoupled, bit 2
// AMSGrad.
func adamFromFlags(flags uint8, lr, b1, b2, eps, wd float64, step int64) kernels.AdamParams {
	h := kernels.AdamParams{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: wd,
		Decoupled: flags&2 != 0, AMSGrad: flags&4 != 0, Step: step}
	if flags&1 == 0 {
		h.WeightDecay = 0
	}
	return h
}

// optimSeedData is parts slices of n values each (random, specials mixed
// in) as raw bytes.
func optimSeedData[T Float](n, parts int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(uint64(n), seed))
	return testutil.ToBytes(testutil.Values[T](r, n*parts, true))
}

// compareOptim runs step on guarded copies of args under generic and
// every assembly path and compares all of them.
func compareOptim[T Float](t *testing.T, args [][]T, off uint8, desc any, step func(s [][]T)) {
	result := func(path string) [][]T {
		gs, ss := guarded(args, off)
		onPath(t, path, func() { step(ss) })
		checkGuards(t, path, gs)
		return ss
	}
	want := result("generic")
	for _, p := range asmPaths() {
		got := result(p)
		for k := range want {
			for i := range want[k] {
				if !testutil.SameBits(got[k][i], want[k][i]) {
					in := make([]T, len(args))
					for j := range args {
						in[j] = args[j][i]
					}
					t.Fatalf("path %s, %+v, n=%d, slice %d element %d: inputs %v: got %v, generic %v",
						p, desc, len(want[k]), k, i, in, got[k][i], want[k][i])
				}
			}
		}
	}
}

func fuzzSGDStep[T Float](f *testing.F) {
	for i, n := range seedLengths {
		f.Add(optimSeedData[T](n, 3, 1), uint8(n%8), uint8(i%16), 0.1, 0.9, 0.1*float64(i%2), 0.01)
	}
	f.Add(optimSeedData[T](33, 3, 2), uint8(3), uint8(15), 0.05, 1e-50, 0.0, 1e-50)
	f.Fuzz(func(t *testing.T, data []byte, off, flags uint8, lr, mom, damp, wd float64) {
		args := split[T](data, 3)
		h := sgdFromFlags(flags, lr, mom, damp, wd)
		compareOptim(t, args, off, h, func(s [][]T) { kernels.SGDStep(s[0], s[1], s[2], h) })
	})
}

func fuzzAdamStep[T Float](f *testing.F) {
	for i, n := range seedLengths {
		f.Add(optimSeedData[T](n, 5, 3), uint8(n%8), uint8(i%8), 1e-3, 0.9, 0.999, 1e-8, 0.01, int64(1+i))
	}
	f.Add(optimSeedData[T](17, 5, 4), uint8(5), uint8(7), 3e-2, 0.8, 0.99, 1e-6, 1e-50, int64(1000))
	f.Fuzz(func(t *testing.T, data []byte, off, flags uint8, lr, b1, b2, eps, wd float64, step int64) {
		args := split[T](data, 5)
		h := adamFromFlags(flags, lr, b1, b2, eps, wd, step)
		compareOptim(t, args, off, h, func(s [][]T) { kernels.AdamStep(s[0], s[1], s[2], s[3], s[4], h) })
	})
}
