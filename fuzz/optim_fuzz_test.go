package fuzz

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdtorch/simdtorch/internal/testutil"
	"github.com/simdtorch/simdtorch/kernels"
)

// FuzzSGDStepF32/F64, FuzzAdamStepF32/F64, FuzzRMSpropStepF32/F64 and
// FuzzAdagradStepF32/F64 run the fused optimizer steps on every assembly
// path and on the generic loop and compare every output (the parameter and
// all the state) bit for bit, NaN payloads aside. The parameter, gradient
// and state come from raw bits; the hyperparameters are arbitrary float64s
// (NaN and ±Inf included: the contract holds for any), and the variant
// bits of flags zero the momentum or weight decay and set Init, Nesterov,
// Decoupled, AMSGrad and Centered, and one more bit turns on the
// flush-to-zero mode (kernels.SetFlushDenormal) for all the runs, so every
// loop of the assembly is reached.

func FuzzSGDStepF32(f *testing.F) { fuzzSGDStep[float32](f) }
func FuzzSGDStepF64(f *testing.F) { fuzzSGDStep[float64](f) }

func FuzzAdamStepF32(f *testing.F) { fuzzAdamStep[float32](f) }
func FuzzAdamStepF64(f *testing.F) { fuzzAdamStep[float64](f) }

func FuzzRMSpropStepF32(f *testing.F) { fuzzRMSpropStep[float32](f) }
func FuzzRMSpropStepF64(f *testing.F) { fuzzRMSpropStep[float64](f) }

func FuzzAdagradStepF32(f *testing.F) { fuzzAdagradStep[float32](f) }
func FuzzAdagradStepF64(f *testing.F) { fuzzAdagradStep[float64](f) }

// sgdFromFlags: bit 0 keeps Momentum (else 0), bit 1 keeps WeightDecay (else
// 0), bit 2 Init, bit 3 Nesterov (bit 4 is sgdFlushBit).
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
// AMSGrad (bit 3 is adamFlushBit).
func adamFromFlags(flags uint8, lr, b1, b2, eps, wd float64, step int64) kernels.AdamParams {
	h := kernels.AdamParams{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: wd,
		Decoupled: flags&2 != 0, AMSGrad: flags&4 != 0, Step: step}
	if flags&1 == 0 {
		h.WeightDecay = 0
	}
	return h
}

// rmspropFromFlags: bit 0 keeps WeightDecay (else 0), bit 1 Centered, bit 2
// keeps Momentum (else 0; a negative momentum is no momentum too) (bit 3 is
// rmspropFlushBit).
func rmspropFromFlags(flags uint8, lr, alpha, eps, wd, mom float64) kernels.RMSpropParams {
	h := kernels.RMSpropParams{LR: lr, Alpha: alpha, Eps: eps, WeightDecay: wd, Momentum: mom,
		Centered: flags&2 != 0}
	if flags&1 == 0 {
		h.WeightDecay = 0
	}
	if flags&4 == 0 {
		h.Momentum = 0
	}
	return h
}

// adagradFromFlags: bit 0 keeps WeightDecay (else 0) (bit 1 is
// adagradFlushBit).
func adagradFromFlags(flags uint8, lr, lrDecay, wd, eps float64, step int64) kernels.AdagradParams {
	h := kernels.AdagradParams{LR: lr, LRDecay: lrDecay, WeightDecay: wd, Eps: eps, Step: step}
	if flags&1 == 0 {
		h.WeightDecay = 0
	}
	return h
}

// The flags bits that turn on kernels.SetFlushDenormal for a run.
const (
	sgdFlushBit     = 16
	adamFlushBit    = 8
	rmspropFlushBit = 8
	adagradFlushBit = 2
)

// withFlush runs fn with kernels.SetFlushDenormal(on), then restores it.
func withFlush(on bool, fn func()) {
	prev := kernels.SetFlushDenormal(on)
	defer kernels.SetFlushDenormal(prev)
	fn()
}

// subnormalSeedData is optimSeedData where most values are subnormal or
// near the smallest normal number (where the flush decides), of both signs.
func subnormalSeedData[T Float](n, parts int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(uint64(n), seed))
	vals := testutil.Values[T](r, n*parts, true)
	tiny, mant := 0x1p-126, uint64(1)<<23-1
	if _, ok := any(T(0)).(float64); ok {
		tiny, mant = 0x1p-1022, uint64(1)<<52-1
	}
	for i := range vals {
		sign := T(1 - 2*r.IntN(2))
		switch r.IntN(4) {
		case 0, 1:
			vals[i] = sign * testutil.FromBits[T](1+r.Uint64N(mant))
		case 2:
			vals[i] = sign * T(tiny*math.Exp2(r.Float64()*6-3))
		}
	}
	return testutil.ToBytes(vals)
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
	for i, n := range seedLengths {
		f.Add(subnormalSeedData[T](n, 3, 5), uint8(n%8), uint8(sgdFlushBit|i%16), 0.1, 0.9, 0.1*float64(i%2), 0.01)
	}
	f.Add(optimSeedData[T](33, 3, 2), uint8(3), uint8(15), 0.05, 1e-50, 0.0, 1e-50)
	f.Fuzz(func(t *testing.T, data []byte, off, flags uint8, lr, mom, damp, wd float64) {
		args := split[T](data, 3)
		h := sgdFromFlags(flags, lr, mom, damp, wd)
		withFlush(flags&sgdFlushBit != 0, func() {
			compareOptim(t, args, off, struct {
				kernels.SGDParams
				Flush bool
			}{h, flags&sgdFlushBit != 0}, func(s [][]T) { kernels.SGDStep(s[0], s[1], s[2], h) })
		})
	})
}

func fuzzAdamStep[T Float](f *testing.F) {
	for i, n := range seedLengths {
		f.Add(optimSeedData[T](n, 5, 3), uint8(n%8), uint8(i%8), 1e-3, 0.9, 0.999, 1e-8, 0.01, int64(1+i))
	}
	for i, n := range seedLengths {
		f.Add(subnormalSeedData[T](n, 5, 6), uint8(n%8), uint8(adamFlushBit|i%8), 1e-3, 0.9, 0.999, 1e-8, 0.01, int64(1+i))
	}
	f.Add(optimSeedData[T](17, 5, 4), uint8(5), uint8(7), 3e-2, 0.8, 0.99, 1e-6, 1e-50, int64(1000))
	f.Fuzz(func(t *testing.T, data []byte, off, flags uint8, lr, b1, b2, eps, wd float64, step int64) {
		args := split[T](data, 5)
		h := adamFromFlags(flags, lr, b1, b2, eps, wd, step)
		withFlush(flags&adamFlushBit != 0, func() {
			compareOptim(t, args, off, struct {
				kernels.AdamParams
				Flush bool
			}{h, flags&adamFlushBit != 0}, func(s [][]T) { kernels.AdamStep(s[0], s[1], s[2], s[3], s[4], h) })
		})
	})
}

func fuzzRMSpropStep[T Float](f *testing.F) {
	for i, n := range seedLengths {
		f.Add(optimSeedData[T](n, 5, 7), uint8(n%8), uint8(i%8), 1e-2, 0.99, 1e-8, 0.01, 0.9)
	}
	for i, n := range seedLengths {
		f.Add(subnormalSeedData[T](n, 5, 8), uint8(n%8), uint8(rmspropFlushBit|i%8), 1e-2, 0.99, 1e-8, 0.01, 0.9)
	}
	f.Add(optimSeedData[T](17, 5, 9), uint8(5), uint8(7), 0.3, 1.0, 1e-3, 1e-50, 1e-50)
	f.Add(optimSeedData[T](33, 5, 10), uint8(2), uint8(6), 0.3, 0.5, 0.0, 0.1, -0.5)
	f.Fuzz(func(t *testing.T, data []byte, off, flags uint8, lr, alpha, eps, wd, mom float64) {
		args := split[T](data, 5)
		h := rmspropFromFlags(flags, lr, alpha, eps, wd, mom)
		withFlush(flags&rmspropFlushBit != 0, func() {
			compareOptim(t, args, off, struct {
				kernels.RMSpropParams
				Flush bool
			}{h, flags&rmspropFlushBit != 0}, func(s [][]T) { kernels.RMSpropStep(s[0], s[1], s[2], s[3], s[4], h) })
		})
	})
}

func fuzzAdagradStep[T Float](f *testing.F) {
	for i, n := range seedLengths {
		f.Add(optimSeedData[T](n, 3, 11), uint8(n%8), uint8(i%2), 1e-2, 0.01, 0.01, 1e-10, int64(1+i))
	}
	for i, n := range seedLengths {
		f.Add(subnormalSeedData[T](n, 3, 12), uint8(n%8), uint8(adagradFlushBit|i%2), 1e-2, 0.01, 0.01, 1e-10, int64(1+i))
	}
	f.Add(optimSeedData[T](65, 3, 13), uint8(3), uint8(1), 0.5, 0.0, 1e-50, 0.0, int64(1000))
	f.Fuzz(func(t *testing.T, data []byte, off, flags uint8, lr, lrDecay, wd, eps float64, step int64) {
		args := split[T](data, 3)
		h := adagradFromFlags(flags, lr, lrDecay, wd, eps, step)
		withFlush(flags&adagradFlushBit != 0, func() {
			compareOptim(t, args, off, struct {
				kernels.AdagradParams
				Flush bool
			}{h, flags&adagradFlushBit != 0}, func(s [][]T) { kernels.AdagradStep(s[0], s[1], s[2], h) })
		})
	})
}
