module github.com/simdtorch/simdtorch/bench/gonum

go 1.26.0

replace github.com/simdtorch/simdtorch => ../..

require (
	github.com/simdtorch/simdtorch v0.0.0-00010101000000-000000000000
	gonum.org/v1/gonum v0.17.0
)

require (
	golang.org/x/exp v0.0.0-20261014143641-f0251eb4aa3e // indirect
	golang.org/x/sys v0.49.0 // indirect
)
