package kernels

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
)

// ops is one implementation of every kernel for one dtype. A path (generic,
// avx2, neon) owns one ops per dtype.
type ops[T Float] struct {
	add, sub, mul, div                         func(dst, a, b []T)
	addScalar, subScalar, mulScalar, divScalar func(dst, a []T, s T)
	axpy                                       func(alpha T, x, y []T)
	scale                                      func(alpha T, x []T)
	fill                                       func(dst []T, v T)
	relu                                       func(dst, x []T)
	reluBackward                               func(dst, grad, x []T)
	leakyRelu                                  func(dst, x []T, slope T)
	leakyReluBackward                          func(dst, grad, x []T, slope T)
	exp, log, tanh, sigmoid                    func(dst, x []T)
	sum                                        func(x []T) T
	dot                                        func(x, y []T) T
	sumSq                                      func(x []T) T
	maxIdx                                     func(x []T) (T, int) // len(x) in [1, maxIdxChunk]
	softmax, logSoftmax                        func(dst, x []T)     // len(x) >= 1
	gemm                                       gemmKernel[T]
	sgd                                        func(param, grad, buf []T, k [sgdK]T, flags int)
	adam                                       func(param, grad, expAvg, expAvgSq, maxExpAvgSq []T, k [adamK]T, flags int)
	rmsprop                                    func(param, grad, squareAvg, gradAvg, momentumBuf []T, k [rmsK]T, flags int)
	adagrad                                    func(param, grad, stateSum []T, k [adagradK]T, flags int)
	transpose                                  transposeKernel[T]
}

func genericOps[T Float]() ops[T] {
	return ops[T]{
		add: addGeneric[T], sub: subGeneric[T], mul: mulGeneric[T], div: divGeneric[T],
		addScalar: addScalarGeneric[T], subScalar: subScalarGeneric[T],
		mulScalar: mulScalarGeneric[T], divScalar: divScalarGeneric[T],
		axpy: axpyGeneric[T], scale: scaleGeneric[T], fill: fillGeneric[T],
		relu: reluGeneric[T], reluBackward: reluBackwardGeneric[T],
		leakyRelu: leakyReluGeneric[T], leakyReluBackward: leakyReluBackwardGeneric[T],
		exp: expGeneric[T], log: logGeneric[T], tanh: tanhGeneric[T], sigmoid: sigmoidGeneric[T],
		sum: sumGeneric[T], dot: dotGeneric[T], sumSq: sumSqGeneric[T], maxIdx: maxIdxGeneric[T],
		softmax: softmaxGeneric[T], logSoftmax: logSoftmaxGeneric[T],
		gemm: genericGemm[T](),
		sgd:  sgdGeneric[T], adam: adamGeneric[T],
		rmsprop: rmspropGeneric[T], adagrad: adagradGeneric[T],
		transpose: transposeKernel[T]{block: 1, f: transposeGeneric[T]},
	}
}

// impl is a named kernel path.
type impl struct {
	name string
	f32  *ops[float32]
	f64  *ops[float64]
}

// registry holds the paths this CPU can run, best first; generic is last.
// The dispatch_<arch>.go files add theirs in init.
var (
	registry    []*impl
	unsupported = map[string]string{} // known path names this CPU or build cannot run, with why
	active      atomic.Pointer[impl]
)

// Known path names, in the order SIMDTORCH_KERNELS documents them.
var knownPaths = []string{"generic", "avx2", "avx512", "neon"}

func init() {
	g32, g64 := genericOps[float32](), genericOps[float64]()
	registry = append(registry, &impl{name: "generic", f32: &g32, f64: &g64})
	registerArch() // dispatch_<arch>.go: prepends the assembly path when the CPU has it
	choice := registry[0]
	if env, ok := os.LookupEnv("SIMDTORCH_KERNELS"); ok && env != "" {
		p, err := lookup(env)
		if err != nil {
			panic("simdtorch: SIMDTORCH_KERNELS: " + err.Error())
		}
		choice = p
	}
	active.Store(choice)
}

func lookup(name string) (*impl, error) {
	for _, p := range registry {
		if p.name == name {
			return p, nil
		}
	}
	if why, ok := unsupported[name]; ok {
		return nil, fmt.Errorf("kernel path %q is not available here (%s); this CPU supports: %s",
			name, why, strings.Join(Paths(), ", "))
	}
	return nil, fmt.Errorf("unknown kernel path %q (known: %s); this CPU supports: %s",
		name, strings.Join(knownPaths, ", "), strings.Join(Paths(), ", "))
}

// Path reports the kernel path in use: "avx512", "avx2", "neon" or "generic". It is
// chosen once at init from the CPU features (golang.org/x/sys/cpu), unless
// the environment variable SIMDTORCH_KERNELS names another one.
func Path() string { return active.Load().name }

// Paths lists the kernel paths this CPU and build can run, best first.
func Paths() []string {
	names := make([]string, len(registry))
	for i, p := range registry {
		names[i] = p.name
	}
	return names
}

// SetPath switches every kernel to the named path and returns the previous
// one. It is meant for tests, benchmarks and fuzzing (to compare a path with
// generic); it must not run while other goroutines call kernels.
func SetPath(name string) (prev string, err error) {
	p, err := lookup(name)
	if err != nil {
		return Path(), err
	}
	return active.Swap(p).name, nil
}

// opsFor returns the active implementation for T.
func opsFor[T Float]() *ops[T] {
	p := active.Load()
	var z T
	if _, ok := any(z).(float32); ok {
		return any(p.f32).(*ops[T])
	}
	return any(p.f64).(*ops[T])
}
