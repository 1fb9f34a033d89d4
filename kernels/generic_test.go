package kernels

import (
	"math"
	"testing"
)

// TestGenericMathEdges pins the two places where Go's amd64 math.Exp and
// math.Log are wrong, which the generic twins work around.
func TestGenericMathEdges(t *testing.T) {
	if got, want := log64(0x1p-1074), -744.4400719213812; math.Abs(got-want) > 1e-12 {
		t.Errorf("log64(0x1p-1074) = %v, want %v", got, want)
	}
	if got, want := log64(0x1p-1030), -713.9415959767437; math.Abs(got-want) > 1e-12 {
		t.Errorf("log64(0x1p-1030) = %v, want %v", got, want)
	}
	if got := exp64(709.4413); math.IsInf(got, 0) || math.Abs(got-1.2777380392524245e+308) > 1e294 {
		t.Errorf("exp64(709.4413) = %v, want 1.2777380392524245e+308", got)
	}
	if got := exp64(709.79); !math.IsInf(got, 1) {
		t.Errorf("exp64(709.79) = %v, want +Inf", got)
	}
}
