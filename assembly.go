//go:build (amd64 || arm64) && gc && !purego

package simdtorch

// Assembly reports whether this build contains assembly routines: true on
// amd64 and arm64 with the gc toolchain unless built with -tags purego.
const Assembly = true
