package kernels

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/simdtorch/simdtorch/internal/testutil"
)

type cmpMode int

const (
	cmpExact cmpMode = iota // identical bits (any NaN equals any NaN)
	cmpFMA                  // Axpy: within one rounding of alpha*x
	cmpUlp4                 // transcendentals: within 4 ulp of generic
)

// elemCase is one elementwise kernel, seen as: dst (pre-filled with
// garbage, or holding the in/out operand when inPlace), nIn input slices
// and a scalar s.
type elemCase[T Float] struct {
	name    string
	nIn     int
	inPlace bool // dst is read as well as written (Axpy's y, Scale's x)
	run     func(dst []T, in [][]T, s T)
	ref     func(dst []T, in [][]T, s T)
	mode    cmpMode
	grain   int
}

func elemCases[T Float]() []elemCase[T] {
	bin := func(name string, run, ref func(dst, a, b []T)) elemCase[T] {
		return elemCase[T]{name: name, nIn: 2, grain: grainCheap,
			run: func(d []T, in [][]T, _ T) { run(d, in[0], in[1]) },
			ref: func(d []T, in [][]T, _ T) { ref(d, in[0], in[1]) }}
	}
	sc := func(name string, run, ref func(dst, a []T, s T)) elemCase[T] {
		return elemCase[T]{name: name, nIn: 1, grain: grainCheap,
			run: func(d []T, in [][]T, s T) { run(d, in[0], s) },
			ref: func(d []T, in [][]T, s T) { ref(d, in[0], s) }}
	}
	un := func(name string, run, ref func(dst, x []T), mode cmpMode, grain int) elemCase[T] {
		return elemCase[T]{name: name, nIn: 1, mode: mode, grain: grain,
			run: func(d []T, in [][]T, _ T) { run(d, in[0]) },
			ref: func(d []T, in [][]T, _ T) { ref(d, in[0]) }}
	}
	return []elemCase[T]{
		bin("Add", Add[T], addGeneric[T]),
		bin("Sub", Sub[T], subGeneric[T]),
		bin("Mul", Mul[T], mulGeneric[T]),
		bin("Div", Div[T], divGeneric[T]),
		sc("AddScalar", AddScalar[T], addScalarGeneric[T]),
		sc("SubScalar", SubScalar[T], subScalarGeneric[T]),
		sc("MulScalar", MulScalar[T], mulScalarGeneric[T]),
		sc("DivScalar", DivScalar[T], divScalarGeneric[T]),
		{name: "Axpy", nIn: 1, inPlace: true, mode: cmpFMA, grain: grainCheap,
			run: func(d []T, in [][]T, s T) { Axpy(s, in[0], d) },
			ref: func(d []T, in [][]T, s T) { axpyGeneric(s, in[0], d) }},
		{name: "Scale", inPlace: true, grain: grainCheap,
			run: func(d []T, _ [][]T, s T) { Scale(s, d) },
			ref: func(d []T, _ [][]T, s T) { scaleGeneric(s, d) }},
		{name: "Fill", grain: grainCheap,
			run: func(d []T, _ [][]T, s T) { Fill(d, s) },
			ref: func(d []T, _ [][]T, s T) { fillGeneric(d, s) }},
		un("Relu", Relu[T], reluGeneric[T], cmpExact, grainCheap),
		bin("ReluBackward", ReluBackward[T], reluBackwardGeneric[T]),
		sc("LeakyRelu", LeakyRelu[T], leakyReluGeneric[T]),
		{name: "LeakyReluBackward", nIn: 2, grain: grainCheap,
			run: func(d []T, in [][]T, s T) { LeakyReluBackward(d, in[0], in[1], s) },
			ref: func(d []T, in [][]T, s T) { leakyReluBackwardGeneric(d, in[0], in[1], s) }},
		un("Exp", Exp[T], expGeneric[T], cmpUlp4, grainCostly),
		un("Log", Log[T], logGeneric[T], cmpUlp4, grainCostly),
		un("Tanh", Tanh[T], tanhGeneric[T], cmpUlp4, grainCostly),
		un("Sigmoid", Sigmoid[T], sigmoidGeneric[T], cmpUlp4, grainCostly),
	}
}

// testLengths: every length through several vector widths and unrolls,
// then a few large ones.
func testLengths() []int {
	var ns []int
	for n := 0; n <= 130; n++ {
		ns = append(ns, n)
	}
	return append(ns, 255, 256, 257, 1000, 4099)
}

func cloneAll[T Float](in [][]T) [][]T {
	out := make([][]T, len(in))
	for i, s := range in {
		out[i] = slices.Clone(s)
	}
	return out
}

// checkOne runs c on fresh guarded slices of length n at offset off (each
// slice at its own misalignment) and compares with the generic twin. alias
// >= 0 makes dst the same memory as input alias.
func checkOne[T Float](t *testing.T, c elemCase[T], r *rand.Rand, n, off, alias int) {
	t.Helper()
	s := pickScalar[T](r, c.name)
	ins := make([]*testutil.Guarded[T], c.nIn)
	inS := make([][]T, c.nIn)
	for i := range ins {
		ins[i] = testutil.NewGuarded(fmt.Sprintf("in%d", i), n, (off+3*i+1)%8, testutil.Values[T](r, n, true)...)
		inS[i] = ins[i].S
	}
	dst := testutil.NewGuarded("dst", n, off, testutil.Values[T](r, n, true)...)
	if alias >= 0 {
		dst = ins[alias]
	}
	dst0 := slices.Clone(dst.S)
	want := slices.Clone(dst.S)
	inCopy := cloneAll(inS)
	refIn := cloneAll(inS)
	if alias >= 0 {
		refIn[alias] = want
	}
	c.ref(want, refIn, s)
	c.run(dst.S, inS, s)

	where := fmt.Sprintf("%s n=%d off=%d alias=%d s=%v", c.name, n, off, alias, s)
	for _, g := range append(ins, dst) {
		if err := g.Check(); err != nil {
			t.Fatalf("%s: out-of-bounds write: %v", where, err)
		}
	}
	for i := range inS {
		if i == alias {
			continue
		}
		for j := range inS[i] {
			if !testutil.SameBits(inS[i][j], inCopy[i][j]) {
				t.Fatalf("%s: input %d modified at %d", where, i, j)
			}
		}
	}
	for i := range want {
		got := dst.S[i]
		var bad bool
		switch c.mode {
		case cmpExact:
			bad = exactMismatch(got, want[i])
		case cmpFMA:
			bad = testutil.FMAMismatch(got, want[i], s, inCopy[0][i], dst0[i])
		case cmpUlp4:
			bad = ulpMismatch(got, want[i], 4)
		}
		if bad {
			in := make([]T, len(inCopy))
			for k := range inCopy {
				in[k] = inCopy[k][i]
			}
			t.Fatalf("%s: element %d: inputs %v (dst was %v): got %v (bits %#x), want %v (bits %#x)",
				where, i, in, dst0[i], got, testutil.Bits(got), want[i], testutil.Bits(want[i]))
		}
	}
}

func pickScalar[T Float](r *rand.Rand, name string) T {
	switch name {
	case "LeakyRelu", "LeakyReluBackward":
		return []T{0.01, 0.2, -0.5, 0, 1.5}[r.IntN(5)]
	}
	if r.IntN(4) == 0 {
		sp := testutil.Specials[T]()
		return sp[r.IntN(len(sp))]
	}
	return testutil.Values[T](r, 1, false)[0]
}

func testElementwise[T Float](t *testing.T) {
	for _, c := range elemCases[T]() {
		t.Run(c.name+"/"+dtypeName[T](), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(len(c.name)), 7))
			for _, n := range testLengths() {
				for _, off := range []int{n % 8, (3*n + 5) % 8} {
					checkOne(t, c, r, n, off, -1)
				}
			}
			if !c.inPlace {
				for alias := range c.nIn {
					for _, n := range []int{0, 1, 7, 8, 9, 31, 33, 64, 100, 129} {
						checkOne(t, c, r, n, n%8, alias)
					}
				}
			}
		})
	}
}

func TestElementwise(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		testElementwise[float32](t)
		testElementwise[float64](t)
	})
}

// TestElementwiseThreads splits large inputs across more goroutines than
// cores: pieces must cover everything once, and exact ops stay exact.
func TestElementwiseThreads(t *testing.T) {
	lowerGrains(t)
	forEachPath(t, func(t *testing.T) {
		for _, threads := range []int{1, 3} {
			setThreads(t, threads)
			t.Run(fmt.Sprint("threads=", threads), func(t *testing.T) {
				for _, c := range elemCases[float32]() {
					r := rand.New(rand.NewPCG(3, 3))
					checkOne(t, c, r, 2*c.grain+1000, 3, -1)
					checkOne(t, c, r, 4*c.grain+17, 0, -1)
				}
			})
		}
	})
}
