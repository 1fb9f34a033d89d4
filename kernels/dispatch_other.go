//go:build (!amd64 && !arm64) || !gc || purego

package kernels

// registerArch adds nothing: this build has no assembly (another
// architecture, gccgo, or -tags purego), so generic is the only path.
func registerArch() {
	unsupported["avx2"] = "this build has no assembly (purego, gccgo or another architecture)"
	unsupported["neon"] = unsupported["avx2"]
	unsupported["avx512"] = unsupported["avx2"]
}
