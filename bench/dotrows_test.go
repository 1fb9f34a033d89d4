package bench

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/simdtorch/simdtorch/kernels"
)

// BenchmarkDotRows: y = B·x (kernels.DotRows, GEMM's m = 1 case with B
// transposed: nn.Linear at batch 1) for the MLP's layer shapes and one
// out of L2, single-threaded, on every path (impl=avx2 and impl=generic
// call Dot once per row). Bytes count B, x and y once; GFLOP/s is 2·rows·k.
//
//	BenchmarkDotRows/dtype=<f32|f64>/rows=<R>/k=<K>/impl=<path>
func BenchmarkDotRows(b *testing.B) {
	shapes := [][2]int{{256, 784}, {128, 256}, {10, 128}, {8, 784}, {4096, 4096}}
	for _, dt := range []string{"f32", "f64"} {
		for _, s := range shapes {
			rows, k := s[0], s[1]
			b.Run(fmt.Sprintf("dtype=%s/rows=%d/k=%d", dt, rows, k), func(b *testing.B) {
				forImpls(b, func(b *testing.B) {
					if dt == "f32" {
						benchDotRows[float32](b, rows, k)
					} else {
						benchDotRows[float64](b, rows, k)
					}
				})
			})
		}
	}
}

func benchDotRows[T kernels.Float](b *testing.B, rows, k int) {
	w := randSlice[T](rows*k, 3)
	x := randSlice[T](k, 4)
	y := make([]T, rows)
	var z T
	b.SetBytes(int64((rows*k + k + rows) * int(unsafe.Sizeof(z))))
	for b.Loop() {
		kernels.DotRows(y, x, w, k)
	}
	b.ReportMetric(2*float64(rows)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
