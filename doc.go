// Package simdtorch holds the assembly leaf routines of simdtorch: AVX2+FMA
// on amd64 (kernels_amd64.s) and NEON on arm64 (kernels_arm64.s), with their
// Go declarations.
//
// Most programs do not import this package. They import
// github.com/simdtorch/simdtorch/kernels (the kernel API on slices, with
// run-time selection of the assembly), and later tensor, grad and nn.
//
// Every routine here is a leaf: slices and scalars in, results out, no
// allocation, no goroutines, no calls into Go, no CPU feature checks. The
// caller (package kernels) guarantees the preconditions written on each
// declaration, in particular that every slice argument is at least as long
// as the first slice argument, whose length is the element count. Routine
// names say op, dtype and ISA: AddF32AVX2, DotF64NEON.
package simdtorch
