package kernels

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch"
	"golang.org/x/sys/cpu"
)

func TestLengthMismatchPanics(t *testing.T) {
	a, b := make([]float32, 3), make([]float32, 4)
	cases := []struct {
		kernel string
		call   func()
	}{
		{"Add", func() { Add(a, a, b) }},
		{"Sub", func() { Sub(b, a, a) }},
		{"Mul", func() { Mul(a, b, a) }},
		{"Div", func() { Div(a, b, b) }},
		{"AddScalar", func() { AddScalar(a, b, 1) }},
		{"SubScalar", func() { SubScalar(a, b, 1) }},
		{"MulScalar", func() { MulScalar(a, b, 1) }},
		{"DivScalar", func() { DivScalar(a, b, 1) }},
		{"Axpy", func() { Axpy(2, a, b) }},
		{"Relu", func() { Relu(a, b) }},
		{"ReluBackward", func() { ReluBackward(a, a, b) }},
		{"LeakyRelu", func() { LeakyRelu(a, b, 0.1) }},
		{"LeakyReluBackward", func() { LeakyReluBackward(a, b, a, 0.1) }},
		{"Exp", func() { Exp(a, b) }},
		{"Log", func() { Log(a, b) }},
		{"Tanh", func() { Tanh(a, b) }},
		{"Sigmoid", func() { Sigmoid(a, b) }},
		{"Dot", func() { Dot(a, b) }},
		{"Softmax", func() { Softmax(a, b) }},
		{"LogSoftmax", func() { LogSoftmax(a, b) }},
	}
	for _, c := range cases {
		t.Run(c.kernel, func(t *testing.T) {
			defer func() {
				r := recover()
				require.NotNil(t, r, "no panic")
				var le *LengthError
				require.True(t, errors.As(r.(error), &le), "panic value %T is not *LengthError", r)
				msg := le.Error()
				assert.Equal(t, c.kernel, le.Kernel)
				assert.Contains(t, msg, "kernels: "+c.kernel+":")
				assert.Contains(t, msg, "= 3")
				assert.Contains(t, msg, "= 4")
			}()
			c.call()
		})
	}
}

func TestPathSelection(t *testing.T) {
	paths := Paths()
	require.Equal(t, "generic", paths[len(paths)-1], "generic is always available, last")
	assert.Equal(t, paths[0], Path(), "the best path is chosen by default")
	want := []string{"generic"}
	switch {
	case !simdtorch.Assembly:
	case runtime.GOARCH == "amd64" && cpu.X86.HasAVX2 && cpu.X86.HasFMA &&
		cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL:
		want = []string{"avx512", "avx2", "generic"}
	case runtime.GOARCH == "amd64" && cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		want = []string{"avx2", "generic"}
	case runtime.GOARCH == "arm64" && cpu.ARM64.HasASIMD:
		want = []string{"neon", "generic"}
	}
	if os.Getenv("SIMDTORCH_KERNELS") == "" {
		assert.Equal(t, want, paths)
	}

	prev, err := SetPath("generic")
	require.NoError(t, err)
	assert.Equal(t, "generic", Path())
	_, err = SetPath(prev)
	require.NoError(t, err)

	_, err = SetPath("sse9")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"sse9"`)
	assert.Contains(t, err.Error(), "this CPU supports: "+strings.Join(paths, ", "))
	assert.Equal(t, prev, Path(), "a failed SetPath changes nothing")
	other := "neon"
	if runtime.GOARCH == "arm64" {
		other = "avx2"
	}
	_, err = SetPath(other)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not available")
}

// TestEnvOverride runs this test binary again with SIMDTORCH_KERNELS set.
func TestEnvOverride(t *testing.T) {
	if os.Getenv("SIMDTORCH_ENV_CHILD") == "1" {
		fmt.Printf("PATH=%s\n", Path())
		return
	}
	// Under user-mode emulation (go test -exec qemu-aarch64-static) the
	// child must go through the emulator too: SIMDTORCH_TEST_EXEC names it.
	run := func(val string) (string, error) {
		args := []string{os.Args[0], "-test.run=^TestEnvOverride$", "-test.count=1"}
		if emu := os.Getenv("SIMDTORCH_TEST_EXEC"); emu != "" {
			args = append([]string{emu}, args...)
		}
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = append(os.Environ(), "SIMDTORCH_ENV_CHILD=1", "SIMDTORCH_KERNELS="+val)
		out, err := cmd.CombinedOutput()
		if errors.Is(err, syscall.ENOEXEC) {
			t.Fatalf("cannot re-exec the test binary (%v): under emulation set SIMDTORCH_TEST_EXEC to the emulator, e.g. qemu-aarch64-static", err)
		}
		return string(out), err
	}
	out, err := run("generic")
	require.NoError(t, err, out)
	assert.Contains(t, out, "PATH=generic")

	out, err = run(Paths()[0])
	require.NoError(t, err, out)
	assert.Contains(t, out, "PATH="+Paths()[0])

	out, err = run("bogus")
	require.Error(t, err, "an unknown path must stop the program")
	assert.Contains(t, out, `SIMDTORCH_KERNELS: unknown kernel path "bogus"`)
	assert.Contains(t, out, "this CPU supports: "+strings.Join(Paths(), ", "))

	other := "neon"
	if runtime.GOARCH == "arm64" {
		other = "avx2"
	}
	out, err = run(other)
	require.Error(t, err, "a path this CPU lacks must stop the program")
	assert.Contains(t, out, fmt.Sprintf("kernel path %q is not available", other))
}

// TestAssemblyWired: every kernel of an assembly path is an assembly
// routine, not the generic fallback left in by mistake.
func TestAssemblyWired(t *testing.T) {
	g32, g64 := genericOps[float32](), genericOps[float64]()
	for _, p := range registry {
		if p.name == "generic" {
			continue
		}
		for _, pair := range [][2]any{{*p.f32, g32}, {*p.f64, g64}} {
			av, gv := reflect.ValueOf(pair[0]), reflect.ValueOf(pair[1])
			for i := range av.NumField() {
				name := av.Type().Field(i).Name
				fa, fg := av.Field(i), gv.Field(i)
				if name == "gemm" { // a struct: its micro-kernel must be assembly too
					fa, fg = fa.FieldByName("micro"), fg.FieldByName("micro")
				}
				if name == "transpose" { // likewise its block routine
					fa, fg = fa.FieldByName("f"), fg.FieldByName("f")
				}
				require.False(t, fa.IsNil(), "%s: %s is nil", p.name, name)
				assert.NotEqual(t, fg.Pointer(), fa.Pointer(), "%s: %s is the generic twin", p.name, name)
				fn := runtime.FuncForPC(fa.Pointer()).Name()
				assert.True(t, strings.HasPrefix(fn, "github.com/simdtorch/simdtorch."), "%s: %s is %s", p.name, name, fn)
			}
		}
	}
}

func TestThreadsSetting(t *testing.T) {
	prev := SetThreads(0)
	defer SetThreads(prev)
	assert.Equal(t, runtime.GOMAXPROCS(0), Threads())
	assert.Equal(t, 0, SetThreads(3), "the default is reported as 0")
	assert.Equal(t, 3, Threads())
	assert.Equal(t, 3, SetThreads(-2), "a negative count restores the default")
	assert.Equal(t, runtime.GOMAXPROCS(0), Threads())

	// The defer idiom restores the default itself, not the count it gave:
	// Threads follows a later GOMAXPROCS change.
	func() { defer SetThreads(SetThreads(1)); assert.Equal(t, 1, Threads()) }()
	procs := runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 1)
	defer runtime.GOMAXPROCS(procs)
	assert.Equal(t, procs+1, Threads())
}

// TestParallelCoversOnce: every index is handed to exactly one piece.
func TestParallelCoversOnce(t *testing.T) {
	for _, n := range []int{1, 63, 64, 65, 1000, 12345} {
		for k := 1; k <= 7; k++ {
			seen := make([]int32, n)
			parallel(n, k, func(_, lo, hi int) {
				for i := lo; i < hi; i++ {
					seen[i]++
				}
			})
			require.Equal(t, -1, slices.IndexFunc(seen, func(v int32) bool { return v != 1 }), "n=%d k=%d", n, k)
		}
	}
}

// TestSmallCallsDoNotAllocate: below the split size, kernels allocate
// nothing (they run inside tensor and grad hot paths).
func TestSmallCallsDoNotAllocate(t *testing.T) {
	x := make([]float32, 1000)
	y := make([]float32, 1000)
	allocs := testing.AllocsPerRun(100, func() {
		Add(y, x, x)
		AddScalar(y, x, 1)
		Axpy(2, x, y)
		Exp(y, x)
		_ = Sum(x)
		_ = Dot(x, y)
		_ = SumSq(x)
		_, _ = MaxIdx(x)
		Softmax(y, x)
	})
	assert.Zero(t, allocs)
}
