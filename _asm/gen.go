package main

// `go generate` in this directory rewrites the kernels; from the repository
// root the same is
//
//	cd _asm && go run . -out ../kernels_amd64.s -stubs ../kernels_amd64.go -pkg simdtorch
//
// TestGeneratedUpToDate (and CI's drift check) fail when they are stale.
//
//go:generate go run . -out ../kernels_amd64.s -stubs ../kernels_amd64.go -pkg simdtorch
