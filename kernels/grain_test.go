package kernels

import (
	"fmt"
	"testing"
)

// BenchmarkGrain measures where splitting one call across two goroutines
// starts to pay, by forcing the split below the grain constants of
// parallel.go: compare split=1 with split=2 per size.
//
//	go test ./kernels -run '^$' -bench Grain -count 5 | benchstat -col /split -
func BenchmarkGrain(b *testing.B) {
	o := opsFor[float32]()
	kinds := []struct {
		name string
		fn   func(dst, x []float32)
	}{
		{"add", func(dst, x []float32) { o.add(dst, x, x) }},
		{"exp", o.exp},
	}
	for _, k := range kinds {
		for _, n := range []int{1 << 10, 1 << 12, 1 << 13, 1 << 14, 1 << 15, 1 << 16, 1 << 17, 1 << 18, 1 << 20} {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(i%100) / 50
			}
			dst := make([]float32, n)
			for _, split := range []int{1, 2} {
				b.Run(fmt.Sprintf("kernel=%s/n=%d/split=%d", k.name, n, split), func(b *testing.B) {
					b.SetBytes(int64(8 * n))
					for b.Loop() {
						if split == 1 {
							k.fn(dst, x)
						} else {
							parallel(n, split, func(_, lo, hi int) { k.fn(dst[lo:hi], x[lo:hi]) })
						}
					}
				})
			}
		}
	}
}
