package tensor

import (
	"testing"
	"unsafe"
)

// TestSmallResultOneAllocation checks that an op on small tensors makes a
// single allocation (header and data together) of the smallest size class
// that holds them, the per-op cost that BenchmarkOverhead measures.
func TestSmallResultOneAllocation(t *testing.T) {
	if s := unsafe.Sizeof(Tensor{}); unsafe.Sizeof(0) == 8 && s != 112 {
		t.Errorf("Tensor header is %d bytes, want 112", s)
	}
	x, y := Rand(1, 8), Rand(1, 8)
	if n := testing.AllocsPerRun(100, func() { _ = x.Add(y) }); n != 1 {
		t.Errorf("Add of [1 8] tensors: %v allocations, want 1", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = x.Sum() }); n != 1 {
		t.Errorf("Sum: %v allocations, want 1", n)
	}
	// A view allocates its header only.
	z3 := Rand(2, 3, 4)
	for name, f := range map[string]func(){
		"T":         func() { _ = x.T() },
		"Transpose": func() { _ = z3.Transpose(0, 2) },
		"Permute":   func() { _ = z3.Permute(2, 0, 1) },
		"View":      func() { _ = z3.View(6, -1) },
		"Reshape":   func() { _ = z3.Reshape(-1) },
		"Flatten":   func() { _ = z3.Flatten(0, 1) },
		"Narrow":    func() { _ = z3.Narrow(1, 0, 2) },
		"Slice":     func() { _ = z3.Slice(2, 0, 4, 2) },
		"Select":    func() { _ = z3.Select(1, 1) },
		"Squeeze":   func() { _ = z3.Squeeze() },
		"Unsqueeze": func() { _ = z3.Unsqueeze(1) },
		"Expand":    func() { _ = z3.Expand(2, 2, 3, 4) },
	} {
		if n := testing.AllocsPerRun(20, f); n != 1 {
			t.Errorf("%s: %v allocations, want 1", name, n)
		}
	}
	// Every size that fits a box: the data is in the same allocation, and
	// views of it keep it alive and share it.
	for n := range 20 {
		for _, d := range []DType{Float32, Float64} {
			a := d.Full(1, n)
			b := a.AddScalar(1)
			for i := range n {
				if got := b.At(i); got != 2 {
					t.Fatalf("%v n=%d: element %d = %v, want 2", d, n, i, got)
				}
			}
			v := b.View(-1)
			if n > 0 && !v.SharesStorage(b) {
				t.Fatalf("%v n=%d: view does not share storage", d, n)
			}
		}
	}
	// More dimensions than the header holds inline.
	z := Zeros(1, 2, 1, 2, 1, 2)
	z.Set(5, 0, 1, 0, 1, 0, 1)
	if got := z.Permute(5, 4, 3, 2, 1, 0).At(1, 0, 1, 0, 1, 0); got != 5 {
		t.Errorf("6-d permute: got %v, want 5", got)
	}
}
