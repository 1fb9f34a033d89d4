package main

import (
	"fmt"
	"strings"
)

// Fused optimizer steps (kernels.SGDStep, kernels.AdamStep,
// kernels.RMSpropStep, kernels.AdagradStep), bit-identical to the generic
// loops in kernels/optim.go and kernels/optim_rms.go: every product and sum is its
// own FMUL/FADD (no FMLA), the square root and divisions are FSQRT/FDIV
// (correctly rounded), in the generic loop's order. The scalars come
// rounded to T in the array k, the variant in flags (one of the values
// kernels' sgdArgs/adamArgs/rmspropArgs/adagradArgs return); each variant is a separate loop nest
// chosen once per call.

// Flag bits and k indexes, as in kernels/optim.go and kernels/optim_rms.go
// (kernels.TestOptimABI checks that they agree).
const (
	sgdMomentum = 1 << iota
	sgdWD
	sgdInit
	sgdNesterov
	sgdFlush
)

const (
	sgdKWD = iota
	sgdKNegLR
	sgdKMom
	sgdKDamp
)

const (
	adamWD = 1 << iota
	adamDecoupled
	adamAMSGrad
	adamFlush
)

const (
	adamKB1 = iota
	adamKOmB1
	adamKB2
	adamKOmB2
	adamKBC2Sqrt
	adamKEps
	adamKNegStepSize
	adamKWD
)

const (
	rmsWD = 1 << iota
	rmsCentered
	rmsMomentum
	rmsFlush
)

const (
	rmsKAlpha = iota
	rmsKOmAlpha
	rmsKEps
	rmsKNegLR
	rmsKWD
	rmsKMom
)

const (
	adagradWD = 1 << iota
	adagradFlush
)

const (
	adagradKEps = iota
	adagradKNegCLR
	adagradKWD
)

func init() {
	kernels["SGDStep"] = kernel{args: "param, grad, buf []T, k [4]T, flags int", size: 96, size64: 112, gen: genSGDStep}
	kernels["AdamStep"] = kernel{args: "param, grad, expAvg, expAvgSq, maxExpAvgSq []T, k [8]T, flags int", size: 160, size64: 192, gen: genAdamStep}
	kernels["RMSpropStep"] = kernel{args: "param, grad, squareAvg, gradAvg, momentumBuf []T, k [6]T, flags int", size: 152, size64: 176, gen: genRMSpropStep}
	kernels["AdagradStep"] = kernel{args: "param, grad, stateSum []T, k [3]T, flags int", size: 96, size64: 104, gen: genAdagradStep}
}

// FSQRT (vector) is missing from Go's arm64 assembler and from enc.go's
// tables; its word is checked against GNU as by TestEncodingsLive, which
// assembles every WORD line of the generated file.
func fsqrt(a Arr, d, n V) Ins {
	chk(d, n)
	return Ins{0x6EA1F800 | a.sz()<<22 | uint32(n)<<5 | uint32(d),
		fmt.Sprintf("FSQRT %s, %s", vr(d, a), vr(n, a))}
}

// optimSlice is one slice argument of an optimizer routine: its pointer
// register and whether the variant loads and stores it.
type optimSlice struct {
	ptr         string
	load, store bool
	inPlace     bool // loaded without post-increment, then stored with it
}

// optimLoops emits one variant's loop nest at label lp: U vectors of each
// slice per iteration (slice i, block j in V(i*U+j); ntemp scratch
// registers per block after them), then one vector, then one element at a
// time; it leaves to "done". n is the count register.
func (g *gen) optimLoops(t *dtype, lp, n string, slices []optimSlice, U, ntemp int, body func(b block)) {
	L := t.L()
	blk := func(j int, tail bool) block {
		b := block{j: j, tail: tail}
		for i := range slices {
			b.in = append(b.in, V(i*U+j))
		}
		for k := range ntemp {
			b.tmp = append(b.tmp, V(len(slices)*U+j*ntemp+k))
		}
		return b
	}
	if len(slices)*U+U*ntemp > 16 {
		panic("optimLoops: out of registers")
	}
	vecLoop := func(label string, nb int, exit string) {
		step := nb * L
		g.op("CMP", fmt.Sprintf("$%d", step), n)
		g.op("BLT", exit)
		g.label(label)
		for i, s := range slices {
			if !s.load {
				continue
			}
			if s.inPlace {
				g.op("VLD1", "("+s.ptr+")", t.vlist(V(i*U), nb))
			} else {
				g.op("VLD1.P", fmt.Sprintf("%d(%s)", 16*nb, s.ptr), t.vlist(V(i*U), nb))
			}
		}
		g.interleave(nb, func(j int) { body(blk(j, false)) })
		for i, s := range slices {
			if s.store {
				g.op("VST1.P", t.vlist(V(i*U), nb), fmt.Sprintf("%d(%s)", 16*nb, s.ptr))
			}
		}
		g.op("SUB", fmt.Sprintf("$%d", step), n)
		g.op("CMP", fmt.Sprintf("$%d", step), n)
		g.op("BGE", label)
	}
	if U > 1 {
		vecLoop(lp+"loop", U, lp+"one")
		g.label(lp + "one")
	}
	vecLoop(lp+"loop1", 1, lp+"tail")
	g.label(lp + "tail")
	g.op("CBZ", n, "done")
	g.label(lp + "loopt")
	for i, s := range slices {
		if !s.load {
			continue
		}
		if s.inPlace {
			g.op(t.Fmov, "("+s.ptr+")", t.freg(V(i*U)))
		} else {
			g.op(t.Fmov+".P", fmt.Sprintf("%d(%s)", t.Size, s.ptr), t.freg(V(i*U)))
		}
	}
	body(blk(0, true))
	for i, s := range slices {
		if s.store {
			g.op(t.Fmov+".P", t.freg(V(i*U)), fmt.Sprintf("%d(%s)", t.Size, s.ptr))
		}
	}
	g.op("SUBS", "$1", n, n)
	g.op("BNE", lp+"loopt")
	g.op("B", "done")
}

// loadK broadcasts the argument k[i] (the array k starts at frame offset
// off) into every lane of regs[i], and returns the offset after k.
func (g *gen) loadK(t *dtype, off int, regs []V) int {
	for i, r := range regs {
		broadcast(g, t, fmt.Sprintf("k_%d+%d(FP)", i, off+i*t.Size), r)
	}
	return off + len(regs)*t.Size
}

// loadTiny puts the smallest normal number of t in every lane of v,
// through the general register r.
func (g *gen) loadTiny(t *dtype, r string, v V) {
	if t.single() {
		g.op("MOVW", "$0x00800000", r) // 0x1p-126
	} else {
		g.op("MOVD", "$0x0010000000000000", r) // 0x1p-1022
	}
	g.op("VDUP", r, t.vreg(v))
}

// flushSub replaces x by a zero of its sign where 0 < |x| < smallest
// normal (kernels' flushSubnormal), with tiny holding the smallest normal
// in every lane and s as scratch: FACGT |tiny| > |x| (false for NaN; true
// for ±0, which the BIC leaves as they are), USHR #1 turns the all-ones
// lanes into all bits but the sign, BIC clears those.
func (g *gen) flushSub(t *dtype, x, s, tiny V) {
	g.f3(t, "FACGT", s, tiny, x) // |x| < smallest normal
	g.sh(t, "USHR", s, s, 1)     // the magnitude bits there
	g.l3("BIC", x, x, s)         // cleared
}

// dispatchFlags branches to the label of the variant equal to the flags
// register; the last variant is the fall-through.
func (g *gen) dispatchFlags(flags string, values []int, label func(int) string) {
	for _, v := range values[:len(values)-1] {
		g.op("CMP", fmt.Sprintf("$%d", v), flags)
		g.op("BEQ", label(v))
	}
	g.op("B", label(values[len(values)-1]))
}

func genSGDStep(g *gen, t *dtype) string {
	g.op("MOVD", "param_base+0(FP)", "R0")
	g.op("MOVD", "param_len+8(FP)", "R3")
	g.op("MOVD", "grad_base+24(FP)", "R1")
	g.op("MOVD", "buf_base+48(FP)", "R2")
	wd, negLR, mom, damp := V(16), V(17), V(18), V(19)
	var kregs [4]V
	kregs[sgdKWD], kregs[sgdKNegLR], kregs[sgdKMom], kregs[sgdKDamp] = wd, negLR, mom, damp
	end := g.loadK(t, 72, kregs[:])
	g.op("MOVD", fmt.Sprintf("flags+%d(FP)", end), "R5")
	tiny := V(20)
	g.loadTiny(t, "R6", tiny)
	var values []int
	for _, m := range []int{0, sgdMomentum} {
		for _, w := range []int{0, sgdWD} {
			for _, in := range []int{0, sgdInit} {
				for _, ne := range []int{0, sgdNesterov} {
					for _, fl := range []int{0, sgdFlush} {
						if m == 0 && in|ne != 0 {
							continue
						}
						values = append(values, m|w|in|ne|fl)
					}
				}
			}
		}
	}
	label := func(v int) string { return fmt.Sprintf("v%d", v) }
	g.dispatchFlags("R5", values, label)
	const U = 4
	for _, v := range values {
		g.label(label(v))
		g.comment("%s", strings.Replace(sgdVariantName(v), "Variant", "Variant "+label(v), 1))
		hasMom, flush := v&sgdMomentum != 0, v&sgdFlush != 0
		slices := []optimSlice{
			{ptr: "R0", load: true, store: true, inPlace: true},
			{ptr: "R1", load: true},
			{ptr: "R2", load: hasMom && v&sgdInit == 0, store: hasMom, inPlace: true},
		}
		g.optimLoops(t, label(v), "R3", slices, U, 1, func(b block) {
			p, d, buf, tmp := b.in[0], b.in[1], b.in[2], b.tmp[0]
			if v&sgdWD != 0 {
				g.f3(t, "FMUL", tmp, p, wd) // wd*p
				g.f3(t, "FADD", d, d, tmp)  // d + wd*p
			}
			if hasMom {
				if v&sgdInit != 0 {
					g.mov(buf, d) // buf = d
				} else {
					g.f3(t, "FMUL", buf, buf, mom) // buf*mom
					g.f3(t, "FMUL", tmp, d, damp)  // damp*d
					g.f3(t, "FADD", buf, buf, tmp) // buf*mom + damp*d
				}
				if flush {
					g.flushSub(t, buf, tmp, tiny)
				}
				if v&sgdNesterov != 0 {
					g.f3(t, "FMUL", tmp, buf, mom) // mom*buf
					g.f3(t, "FADD", d, d, tmp)     // d + mom*buf
				} else {
					d = buf
				}
			}
			g.f3(t, "FMUL", tmp, d, negLR) // (-lr)*d
			g.f3(t, "FADD", p, p, tmp)     // p + (-lr)*d
			if flush {
				g.flushSub(t, p, tmp, tiny)
			}
		})
	}
	g.label("done")
	g.op("RET")
	return "R0 param, R1 grad, R2 buf, R3 count, R5 flags, R6 scratch; V0-V3 param, V4-V7 grad, " +
		"V8-V11 buf, V12-V15 products, V16-V19 wd, -lr, momentum, 1-dampening, V20 the smallest " +
		"normal number in every lane."
}

func sgdVariantName(v int) string {
	s := "Variant: momentum 0"
	if v&sgdMomentum != 0 {
		s = "Variant: momentum"
		if v&sgdInit != 0 {
			s += ", init"
		}
		if v&sgdNesterov != 0 {
			s += ", nesterov"
		}
	}
	if v&sgdWD != 0 {
		s += ", weight decay"
	}
	if v&sgdFlush != 0 {
		s += ", flush subnormals"
	}
	return s + "."
}

func genAdamStep(g *gen, t *dtype) string {
	g.op("MOVD", "param_base+0(FP)", "R0")
	g.op("MOVD", "param_len+8(FP)", "R5")
	g.op("MOVD", "grad_base+24(FP)", "R1")
	g.op("MOVD", "expAvg_base+48(FP)", "R2")
	g.op("MOVD", "expAvgSq_base+72(FP)", "R3")
	g.op("MOVD", "maxExpAvgSq_base+96(FP)", "R4")
	b1, omb1, b2, omb2 := V(16), V(17), V(18), V(19)
	bc2Sqrt, eps, negStep, wd := V(20), V(21), V(22), V(23)
	var kregs [8]V
	kregs[adamKB1], kregs[adamKOmB1], kregs[adamKB2], kregs[adamKOmB2] = b1, omb1, b2, omb2
	kregs[adamKBC2Sqrt], kregs[adamKEps], kregs[adamKNegStepSize], kregs[adamKWD] = bc2Sqrt, eps, negStep, wd
	end := g.loadK(t, 120, kregs[:])
	g.op("MOVD", fmt.Sprintf("flags+%d(FP)", end), "R7")
	tiny := V(24)
	g.loadTiny(t, "R6", tiny)
	var values []int
	for _, ams := range []int{0, adamAMSGrad} {
		for _, w := range []int{0, adamWD, adamDecoupled} {
			for _, fl := range []int{0, adamFlush} {
				values = append(values, w|ams|fl)
			}
		}
	}
	label := func(v int) string { return fmt.Sprintf("v%d", v) }
	g.dispatchFlags("R7", values, label)
	const U = 2
	for _, v := range values {
		g.label(label(v))
		g.comment("%s", strings.Replace(adamVariantName(v), "Variant", "Variant "+label(v), 1))
		ams, flush := v&adamAMSGrad != 0, v&adamFlush != 0
		slices := []optimSlice{
			{ptr: "R0", load: true, store: true, inPlace: true},
			{ptr: "R1", load: true},
			{ptr: "R2", load: true, store: true, inPlace: true},
			{ptr: "R3", load: true, store: true, inPlace: true},
			{ptr: "R4", load: ams, store: ams, inPlace: true},
		}
		g.optimLoops(t, label(v), "R5", slices, U, 2, func(b block) {
			p, gr, m, vv, mx := b.in[0], b.in[1], b.in[2], b.in[3], b.in[4]
			t1, t2 := b.tmp[0], b.tmp[1]
			switch {
			case v&adamDecoupled != 0:
				g.f3(t, "FMUL", p, p, wd) // p*decay
			case v&adamWD != 0:
				g.f3(t, "FMUL", t1, p, wd)  // wd*p
				g.f3(t, "FADD", gr, gr, t1) // g + wd*p
			}
			g.f3(t, "FMUL", m, m, b1)     // expAvg*b1
			g.f3(t, "FMUL", t1, gr, omb1) // omb1*g
			g.f3(t, "FADD", m, m, t1)     // expAvg*b1 + omb1*g
			if flush {
				g.flushSub(t, m, t1, tiny)
			}
			g.f3(t, "FMUL", vv, vv, b2)   // expAvgSq*b2
			g.f3(t, "FMUL", t1, gr, omb2) // omb2*g
			g.f3(t, "FMUL", t1, t1, gr)   // (omb2*g)*g
			g.f3(t, "FADD", vv, vv, t1)   // expAvgSq*b2 + (omb2*g)*g
			if flush {
				g.flushSub(t, vv, t1, tiny)
			}
			den := vv
			if ams {
				g.f3(t, "FCMGT", t1, vv, mx) // v > max
				g.f3(t, "FCMEQ", t2, vv, vv) // v is not NaN
				g.l3("ORN", t1, t1, t2)      // v > max or v is NaN
				g.l3("BIT", mx, vv, t1)      // there max = v
				if flush {
					g.flushSub(t, mx, t1, tiny)
				}
				den = mx
			}
			g.w(fsqrt(t.A, t1, den))         // sqrt(v)
			g.f3(t, "FDIV", t1, t1, bc2Sqrt) // sqrt(v)/bc2Sqrt
			g.f3(t, "FADD", t1, t1, eps)     // + eps
			g.f3(t, "FMUL", t2, m, negStep)  // (-stepSize)*m
			g.f3(t, "FDIV", t2, t2, t1)      // ((-stepSize)*m)/denom
			g.f3(t, "FADD", p, p, t2)        // p + ...
			if flush {
				g.flushSub(t, p, t1, tiny)
			}
		})
	}
	g.label("done")
	g.op("RET")
	return "R0 param, R1 grad, R2 expAvg, R3 expAvgSq, R4 maxExpAvgSq, R5 count, R6 scratch, " +
		"R7 flags; V0-V1 param, V2-V3 grad, V4-V5 expAvg, V6-V7 expAvgSq, V8-V9 maxExpAvgSq, " +
		"V10-V13 scratch, V16-V23 beta1, 1-beta1, beta2, 1-beta2, sqrt(bc2), eps, -lr/bc1, wd or " +
		"decay, V24 the smallest normal number in every lane."
}

func adamVariantName(v int) string {
	s := "Variant: no weight decay"
	switch {
	case v&adamDecoupled != 0:
		s = "Variant: decoupled weight decay (AdamW)"
	case v&adamWD != 0:
		s = "Variant: L2 weight decay"
	}
	if v&adamAMSGrad != 0 {
		s += ", amsgrad"
	}
	if v&adamFlush != 0 {
		s += ", flush subnormals"
	}
	return s + "."
}

func genRMSpropStep(g *gen, t *dtype) string {
	g.op("MOVD", "param_base+0(FP)", "R0")
	g.op("MOVD", "param_len+8(FP)", "R5")
	g.op("MOVD", "grad_base+24(FP)", "R1")
	g.op("MOVD", "squareAvg_base+48(FP)", "R2")
	g.op("MOVD", "gradAvg_base+72(FP)", "R3")
	g.op("MOVD", "momentumBuf_base+96(FP)", "R4")
	alpha, omAlpha, eps, negLR, wd, mom := V(16), V(17), V(18), V(19), V(20), V(21)
	var kregs [6]V
	kregs[rmsKAlpha], kregs[rmsKOmAlpha], kregs[rmsKEps] = alpha, omAlpha, eps
	kregs[rmsKNegLR], kregs[rmsKWD], kregs[rmsKMom] = negLR, wd, mom
	end := g.loadK(t, 120, kregs[:])
	g.op("MOVD", fmt.Sprintf("flags+%d(FP)", end), "R7")
	tiny := V(22)
	g.loadTiny(t, "R6", tiny)
	var values []int
	for _, m := range []int{0, rmsMomentum} {
		for _, c := range []int{0, rmsCentered} {
			for _, w := range []int{0, rmsWD} {
				for _, fl := range []int{0, rmsFlush} {
					values = append(values, w|c|m|fl)
				}
			}
		}
	}
	label := func(v int) string { return fmt.Sprintf("v%d", v) }
	g.dispatchFlags("R7", values, label)
	const U = 2
	for _, v := range values {
		g.label(label(v))
		g.comment("%s", strings.Replace(rmspropVariantName(v), "Variant", "Variant "+label(v), 1))
		centered, hasMom, flush := v&rmsCentered != 0, v&rmsMomentum != 0, v&rmsFlush != 0
		slices := []optimSlice{
			{ptr: "R0", load: true, store: true, inPlace: true},
			{ptr: "R1", load: true},
			{ptr: "R2", load: true, store: true, inPlace: true},
			{ptr: "R3", load: centered, store: centered, inPlace: true},
			{ptr: "R4", load: hasMom, store: hasMom, inPlace: true},
		}
		g.optimLoops(t, label(v), "R5", slices, U, 2, func(b block) {
			p, gr, sa, ga, buf := b.in[0], b.in[1], b.in[2], b.in[3], b.in[4]
			t1, t2 := b.tmp[0], b.tmp[1]
			if v&rmsWD != 0 {
				g.f3(t, "FMUL", t1, p, wd)  // wd*p
				g.f3(t, "FADD", gr, gr, t1) // g + wd*p
			}
			g.f3(t, "FMUL", sa, sa, alpha)   // squareAvg*alpha
			g.f3(t, "FMUL", t1, gr, omAlpha) // (1-alpha)*g
			g.f3(t, "FMUL", t1, t1, gr)      // ((1-alpha)*g)*g
			g.f3(t, "FADD", sa, sa, t1)      // squareAvg*alpha + ((1-alpha)*g)*g
			if flush {
				g.flushSub(t, sa, t1, tiny)
			}
			if centered {
				g.f3(t, "FMUL", ga, ga, alpha)   // gradAvg*alpha
				g.f3(t, "FMUL", t1, gr, omAlpha) // (1-alpha)*g
				g.f3(t, "FADD", ga, ga, t1)      // gradAvg*alpha + (1-alpha)*g
				if flush {
					g.flushSub(t, ga, t1, tiny)
				}
				g.f3(t, "FMUL", t1, ga, ga) // ga*ga
				g.f3(t, "FSUB", t1, sa, t1) // sa - ga*ga
				g.w(fsqrt(t.A, t1, t1))     // sqrt(sa - ga*ga)
			} else {
				g.w(fsqrt(t.A, t1, sa)) // sqrt(sa)
			}
			g.f3(t, "FADD", t1, t1, eps) // avg = ... + eps
			if hasMom {
				g.f3(t, "FDIV", t2, gr, t1)    // g/avg
				g.f3(t, "FMUL", buf, buf, mom) // momentumBuf*momentum
				g.f3(t, "FADD", buf, buf, t2)  // momentumBuf*momentum + g/avg
				if flush {
					g.flushSub(t, buf, t2, tiny)
				}
				g.f3(t, "FMUL", t2, buf, negLR) // (-lr)*buf
			} else {
				g.f3(t, "FMUL", t2, gr, negLR) // (-lr)*g
				g.f3(t, "FDIV", t2, t2, t1)    // ((-lr)*g)/avg
			}
			g.f3(t, "FADD", p, p, t2) // p + ...
			if flush {
				g.flushSub(t, p, t1, tiny)
			}
		})
	}
	g.label("done")
	g.op("RET")
	return "R0 param, R1 grad, R2 squareAvg, R3 gradAvg, R4 momentumBuf, R5 count, R6 scratch, " +
		"R7 flags; V0-V1 param, V2-V3 grad, V4-V5 squareAvg, V6-V7 gradAvg, V8-V9 momentumBuf, " +
		"V10-V13 scratch, V16-V21 alpha, 1-alpha, eps, -lr, wd, momentum, V22 the smallest normal " +
		"number in every lane."
}

func rmspropVariantName(v int) string {
	s := "Variant: plain"
	if v&rmsCentered != 0 {
		s = "Variant: centered"
	}
	if v&rmsMomentum != 0 {
		s += ", momentum"
	}
	if v&rmsWD != 0 {
		s += ", weight decay"
	}
	if v&rmsFlush != 0 {
		s += ", flush subnormals"
	}
	return s + "."
}

func genAdagradStep(g *gen, t *dtype) string {
	g.op("MOVD", "param_base+0(FP)", "R0")
	g.op("MOVD", "param_len+8(FP)", "R3")
	g.op("MOVD", "grad_base+24(FP)", "R1")
	g.op("MOVD", "stateSum_base+48(FP)", "R2")
	eps, negCLR, wd := V(16), V(17), V(18)
	var kregs [3]V
	kregs[adagradKEps], kregs[adagradKNegCLR], kregs[adagradKWD] = eps, negCLR, wd
	end := g.loadK(t, 72, kregs[:])
	end = (end + 7) &^ 7 // flags is 8-byte aligned (after [3]float32, 4 bytes of padding)
	g.op("MOVD", fmt.Sprintf("flags+%d(FP)", end), "R5")
	tiny := V(19)
	g.loadTiny(t, "R6", tiny)
	var values []int
	for _, w := range []int{0, adagradWD} {
		for _, fl := range []int{0, adagradFlush} {
			values = append(values, w|fl)
		}
	}
	label := func(v int) string { return fmt.Sprintf("v%d", v) }
	g.dispatchFlags("R5", values, label)
	const U = 4
	for _, v := range values {
		g.label(label(v))
		g.comment("%s", strings.Replace(adagradVariantName(v), "Variant", "Variant "+label(v), 1))
		flush := v&adagradFlush != 0
		slices := []optimSlice{
			{ptr: "R0", load: true, store: true, inPlace: true},
			{ptr: "R1", load: true},
			{ptr: "R2", load: true, store: true, inPlace: true},
		}
		g.optimLoops(t, label(v), "R3", slices, U, 1, func(b block) {
			p, gr, s, tmp := b.in[0], b.in[1], b.in[2], b.tmp[0]
			if v&adagradWD != 0 {
				g.f3(t, "FMUL", tmp, p, wd)  // wd*p
				g.f3(t, "FADD", gr, gr, tmp) // g + wd*p
			}
			g.f3(t, "FMUL", tmp, gr, gr) // g*g
			g.f3(t, "FADD", s, s, tmp)   // stateSum + g*g
			if flush {
				g.flushSub(t, s, tmp, tiny)
			}
			g.w(fsqrt(t.A, tmp, s))         // sqrt(s)
			g.f3(t, "FADD", tmp, tmp, eps)  // std = sqrt(s) + eps
			g.f3(t, "FMUL", gr, gr, negCLR) // (-clr)*g
			g.f3(t, "FDIV", gr, gr, tmp)    // ((-clr)*g)/std
			g.f3(t, "FADD", p, p, gr)       // p + ...
			if flush {
				g.flushSub(t, p, tmp, tiny)
			}
		})
	}
	g.label("done")
	g.op("RET")
	return "R0 param, R1 grad, R2 stateSum, R3 count, R5 flags, R6 scratch; V0-V3 param, " +
		"V4-V7 grad, V8-V11 stateSum, V12-V15 scratch, V16-V18 eps, -clr, wd, V19 the smallest " +
		"normal number in every lane."
}

func adagradVariantName(v int) string {
	s := "Variant: no weight decay"
	if v&adagradWD != 0 {
		s = "Variant: weight decay"
	}
	if v&adagradFlush != 0 {
		s += ", flush subnormals"
	}
	return s + "."
}
