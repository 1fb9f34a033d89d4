package tensor_test

import (
	"testing"

	"github.com/simdtorch/simdtorch/kernels"
	"github.com/simdtorch/simdtorch/tensor"
)

// BenchmarkAdd compares the tensor layer with the raw kernel on contiguous
// float32 data (n = 1M): the ratio of the two is the layer's overhead.
// Both write into a preallocated destination, so allocation does not
// count; impl=alloc adds the cost of a fresh result tensor.
func BenchmarkAdd(b *testing.B) {
	const n = 1 << 20
	x, y := tensor.Rand(n), tensor.Rand(n)
	dst := tensor.Zeros(n)
	xs, ys, ds := tensor.Data[float32](x), tensor.Data[float32](y), tensor.Data[float32](dst)
	b.Run("n=1M/impl=kernel", func(b *testing.B) {
		b.SetBytes(3 * 4 * n)
		for b.Loop() {
			kernels.Add(ds, xs, ys)
		}
	})
	b.Run("n=1M/impl=tensor", func(b *testing.B) {
		b.SetBytes(3 * 4 * n)
		b.ReportAllocs()
		for b.Loop() {
			tensor.AddInto(dst, x, y)
		}
	})
	b.Run("n=1M/impl=alloc", func(b *testing.B) {
		b.SetBytes(3 * 4 * n)
		b.ReportAllocs()
		for b.Loop() {
			_ = x.Add(y)
		}
	})
}

// BenchmarkAddBroadcast adds a [1024] row to every row of [256, 1024];
// impl=copy is Go's copy of the same 1 MiB in the same run, the memory
// speed to compare with.
func BenchmarkAddBroadcast(b *testing.B) {
	x, y := tensor.Rand(256, 1024), tensor.Rand(1024)
	dst := tensor.Zeros(256, 1024)
	b.Run("shape=256x1024+1024/impl=copy", func(b *testing.B) {
		xs, ds := tensor.Data[float32](x), tensor.Data[float32](dst)
		b.SetBytes(2 * 4 * 256 * 1024)
		for b.Loop() {
			copy(ds, xs)
		}
	})
	b.Run("shape=256x1024+1024/impl=tensor", func(b *testing.B) {
		b.SetBytes(2 * 4 * 256 * 1024) // read x, write dst (y stays in cache)
		b.ReportAllocs()
		for b.Loop() {
			tensor.AddInto(dst, x, y)
		}
	})
	col := tensor.Rand(256, 1)
	b.Run("shape=256x1024+256x1/impl=tensor", func(b *testing.B) {
		b.SetBytes(2 * 4 * 256 * 1024)
		b.ReportAllocs()
		for b.Loop() {
			tensor.AddInto(dst, x, col)
		}
	})
}

// BenchmarkTransposeContiguous copies a transposed n×n float32 matrix into
// row-major order (bytes counted: read n² and write n² elements), against
// Go's copy of the same bytes in the same run (impl=copy); n=4096 is the
// size of bench's BenchmarkCopy, out of cache. impl=tensor
// copies into an existing tensor (Copy); impl=alloc is Contiguous, which
// allocates its result, against impl=clone, a Clone of a contiguous tensor
// (allocation and copy). perm= cases copy a permuted 3-D tensor.
func BenchmarkTransposeContiguous(b *testing.B) {
	for _, n := range []int{256, 1000, 1024, 2048, 4096} {
		x := tensor.Rand(n, n)
		dst := tensor.Zeros(n, n)
		xt := x.T()
		b.Run("n="+itoa(n)+"/impl=copy", func(b *testing.B) {
			xs, ds := tensor.Data[float32](x), tensor.Data[float32](dst)
			b.SetBytes(int64(2 * 4 * n * n))
			for b.Loop() {
				copy(ds, xs)
			}
		})
		b.Run("n="+itoa(n)+"/impl=tensor", func(b *testing.B) {
			b.SetBytes(int64(2 * 4 * n * n))
			b.ReportAllocs()
			for b.Loop() {
				dst.Copy(xt)
			}
		})
		// Contiguous writes into a freshly allocated result (its pages
		// are faulted in as they are first written).
		b.Run("n="+itoa(n)+"/impl=alloc", func(b *testing.B) {
			b.SetBytes(int64(2 * 4 * n * n))
			b.ReportAllocs()
			for b.Loop() {
				_ = xt.Contiguous()
			}
		})
		if n == 1024 {
			b.Run("n=1024/impl=tensor-1thread", func(b *testing.B) {
				prev := kernels.SetThreads(1)
				defer kernels.SetThreads(prev)
				b.SetBytes(int64(2 * 4 * n * n))
				b.ReportAllocs()
				for b.Loop() {
					dst.Copy(xt)
				}
			})
			b.Run("n=1024/impl=clone", func(b *testing.B) {
				b.SetBytes(int64(2 * 4 * n * n))
				b.ReportAllocs()
				for b.Loop() {
					_ = x.Clone()
				}
			})
		}
	}
	x := tensor.Rand(64, 128, 128)
	for _, p := range [][]int{{2, 0, 1}, {1, 2, 0}, {0, 2, 1}} {
		xp := x.Permute(p...)
		dst := tensor.Zeros(xp.Shape()...)
		b.Run("perm="+itoa(p[0])+itoa(p[1])+itoa(p[2])+"/impl=tensor", func(b *testing.B) {
			b.SetBytes(2 * 4 * 64 * 128 * 128)
			b.ReportAllocs()
			for b.Loop() {
				dst.Copy(xp)
			}
		})
	}
}

// BenchmarkOverhead measures the fixed cost of an op on a 1×8 tensor:
// allocating the result and dispatching (PyTorch 1.13's a + b: about
// 2.8 µs on the reference machine, 0.77 µs on the project's Xeon).
func BenchmarkOverhead(b *testing.B) {
	x, y := tensor.Rand(1, 8), tensor.Rand(1, 8)
	dst := tensor.Zeros(1, 8)
	b.Run("op=Add", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = x.Add(y)
		}
	})
	b.Run("op=AddInto", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tensor.AddInto(dst, x, y)
		}
	})
	b.Run("op=AddInPlace", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dst.AddInPlace(y)
		}
	})
	row := tensor.Rand(8)
	b.Run("op=AddBroadcast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = x.Add(row)
		}
	})
	b.Run("op=Exp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = x.Exp()
		}
	})
	b.Run("op=Sum", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = x.Sum()
		}
	})
}

// BenchmarkMatMul runs a square float32 product through the tensor layer.
func BenchmarkMatMul(b *testing.B) {
	for _, n := range []int{64, 256} {
		x, y := tensor.Rand(n, n), tensor.Rand(n, n)
		b.Run("n="+itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = x.MatMul(y)
			}
			b.ReportMetric(2*float64(n*n*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkSum reduces [1024, 1024] over each dimension.
func BenchmarkSum(b *testing.B) {
	x := tensor.Rand(1024, 1024)
	for _, d := range []int{0, 1} {
		b.Run("dim="+itoa(d), func(b *testing.B) {
			b.SetBytes(4 * 1024 * 1024)
			b.ReportAllocs()
			for b.Loop() {
				_ = x.Sum(tensor.Dim(d))
			}
		})
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	p := len(b)
	for ; i > 0; i /= 10 {
		p--
		b[p] = byte('0' + i%10)
	}
	return string(b[p:])
}
