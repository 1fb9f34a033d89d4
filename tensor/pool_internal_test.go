package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMaxPoolPlane: the branch-free plane loop gives PyTorch's results
// (the first maximum's value and index, a window with a NaN gives NaN at
// the last NaN's index) on inputs full of ties, NaNs and signed zeros,
// windows cut by ceil mode included, against the plain rule written out.
func TestMaxPoolPlane(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	vals := []float32{float32(math.Copysign(0, -1)), 0, 1, 1, 2, -3, float32(math.Inf(-1)), float32(math.NaN())}
	for trial := range 300 {
		h, w := 1+r.IntN(9), 1+r.IntN(9)
		kh, kw := 1+r.IntN(min(h, 3)), 1+r.IntN(min(w, 3))
		sh, sw := 1+r.IntN(3), 1+r.IntN(3)
		oh, ow := (h-kh+sh-1)/sh+1, (w-kw+sw-1)/sw+1 // ceil mode: a last window may stick out
		if (oh-1)*sh >= h {
			oh--
		}
		if (ow-1)*sw >= w {
			ow--
		}
		src := make([]float32, h*w)
		for i := range src {
			src[i] = vals[r.IntN(len(vals))]
		}
		dst, idx := make([]float32, oh*ow), make([]float64, oh*ow)
		maxPoolPlane(src, dst, idx, w, h, kh, kw, sh, sw, ow)
		for oy := range oh {
			for ox := range ow {
				best, at := float32(math.Inf(-1)), oy*sh*w+ox*sw
				for iy := oy * sh; iy < min(oy*sh+kh, h); iy++ {
					for ix := ox * sw; ix < min(ox*sw+kw, w); ix++ {
						if v := src[iy*w+ix]; v > best || v != v {
							best, at = v, iy*w+ix
						}
					}
				}
				o := oy*ow + ox
				got := dst[o]
				if idx[o] != float64(at) || math.Float32bits(got) != math.Float32bits(best) && !(got != got && best != best) {
					t.Fatalf("trial %d (%dx%d, k %dx%d, s %dx%d) window (%d, %d): %v at %v, want %v at %d",
						trial, h, w, kh, kw, sh, sw, oy, ox, got, idx[o], best, at)
				}
			}
		}
	}
}
