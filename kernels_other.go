//go:build (!amd64 && !arm64) || !gc || purego

package simdtorch

// Assembly reports whether this build contains assembly routines. It is
// false for -tags purego, gccgo and architectures other than amd64 and
// arm64, where package kernels uses its generic Go code only.
const Assembly = false
