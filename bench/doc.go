// Package bench holds simdtorch's benchmarks. Kernel benchmarks are named
//
//	Benchmark<Kernel>/dtype=<f32|f64>/n=<N>/impl=<generic|avx2|neon>
//
// with the size before the implementation, so that
//
//	go test ./bench -run '^$' -bench 'Exp|Add' -count 10 > new.txt
//	benchstat -col /impl new.txt
//
// prints asm-vs-generic ratios side by side. Kernel benchmarks pin
// kernels.SetThreads(1) (single-core speed); BenchmarkThreads measures the
// goroutine split. Bytes per second count every byte read and written.
package bench
