// Package fuzz holds the fuzz targets of simdtorch. The kernel targets
// (FuzzAddF32, FuzzExpF64, ...: one per kernel and dtype) build inputs from
// raw bits, so every float class occurs, run the kernel under every
// assembly path this CPU has and under the generic Go twin, and compare:
// bit for bit for exact kernels, within the documented bound otherwise.
// Inputs land at every misalignment with guard values on both sides.
//
// The file targets feed untrusted bytes to the readers: FuzzSafetensorsRead
// and FuzzIDXRead (an error or a value that round-trips, never a panic),
// FuzzLoadStateDict (a model checkpoint is refused and changes nothing,
// or loads every value and the model runs), FuzzOptimizerLoadState,
// FuzzOptimizerLoadValues and FuzzSchedulerLoadValues (an optimizer or
// schedule checkpoint is refused and changes nothing, or loads into
// settings the constructor accepts and a state that steps).
//
// Their seeds sit at the lane and unroll edges; `go test ./fuzz` replays
// the seeds and any committed crashers in testdata/fuzz. To fuzz one:
//
//	go test -run '^$' -fuzz '^FuzzExpF32$' -fuzztime 30s -fuzzminimizetime 0 ./fuzz
package fuzz
