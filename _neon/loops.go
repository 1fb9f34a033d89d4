package main

import "fmt"

// block is the registers of one vector in flight: in[i] holds input i and
// in[0] receives the result; tmp are scratch registers of this block only.
type block struct {
	j    int
	in   []V
	tmp  []V
	tail bool // the scalar tail: only lane 0 is meaningful
}

// stream describes an elementwise loop nest: U vectors per iteration of
// the main loop, then one vector per iteration, then one element per
// iteration (scalar FMOV loads, which zero the other lanes, the same body
// on the whole register, and a scalar store of lane 0). Nothing outside
// the slices is read or written.
type stream struct {
	t        *dtype
	lp       string   // label prefix, unique within the routine
	n        string   // register holding the element count; consumed
	ptrs     []string // input pointer registers, post-incremented
	out      string   // output pointer register, or "" for no store
	U        int      // vectors per main iteration (1..4)
	ntemp    int      // scratch registers per block
	body     func(b block)
	afterVec func() // emitted once between the vector loops and the scalar tail
}

// Register layout: input i of block j is V(i*U+j) (so VLD1 fills runs of
// consecutive registers), then ntemp scratch registers per block; all of
// it below V16, where the constants start.
func (s *stream) block(j int, tail bool) block {
	b := block{j: j, tail: tail}
	nIn := max(len(s.ptrs), 1)
	for i := range nIn {
		b.in = append(b.in, V(i*s.U+j))
	}
	for k := range s.ntemp {
		b.tmp = append(b.tmp, V(nIn*s.U+j*s.ntemp+k))
	}
	return b
}

func (s *stream) regsUsed() int { return max(len(s.ptrs), 1)*s.U + s.U*s.ntemp }

func (g *gen) stream(s stream) {
	t := s.t
	L := t.L()
	if s.U < 1 || s.U > 4 {
		panic("stream: U out of range")
	}
	if s.regsUsed() > 16 {
		panic(fmt.Sprintf("stream %s: needs %d registers", s.lp, s.regsUsed()))
	}
	body := func(tail bool, nb int) {
		g.interleave(nb, func(j int) {
			if s.body != nil {
				s.body(s.block(j, tail))
			}
		})
	}
	vecLoop := func(label string, nb int, exit string) {
		step := nb * L
		g.op("CMP", fmt.Sprintf("$%d", step), s.n)
		g.op("BLT", exit)
		g.label(label)
		for i, p := range s.ptrs {
			g.op("VLD1.P", fmt.Sprintf("%d(%s)", 16*nb, p), t.vlist(V(i*s.U), nb))
		}
		body(false, nb)
		if s.out != "" {
			g.op("VST1.P", t.vlist(0, nb), fmt.Sprintf("%d(%s)", 16*nb, s.out))
		}
		g.op("SUB", fmt.Sprintf("$%d", step), s.n)
		g.op("CMP", fmt.Sprintf("$%d", step), s.n)
		g.op("BGE", label)
	}
	if s.U > 1 {
		vecLoop(s.lp+"loop", s.U, s.lp+"one")
		g.label(s.lp + "one")
	}
	vecLoop(s.lp+"loop1", 1, s.lp+"tail")
	g.label(s.lp + "tail")
	if s.afterVec != nil {
		s.afterVec()
	}
	g.op("CBZ", s.n, s.lp+"done")
	g.label(s.lp + "loopt")
	for i, p := range s.ptrs {
		g.op(t.Fmov+".P", fmt.Sprintf("%d(%s)", t.Size, p), t.freg(V(i*s.U)))
	}
	body(true, 1)
	if s.out != "" {
		g.op(t.Fmov+".P", t.freg(0), fmt.Sprintf("%d(%s)", t.Size, s.out))
	}
	g.op("SUBS", "$1", s.n, s.n)
	g.op("BNE", s.lp+"loopt")
	g.label(s.lp + "done")
}

// vrange formats a register range.
func vrange(lo, hi V) string {
	if lo == hi {
		return fmt.Sprintf("V%d", lo)
	}
	return fmt.Sprintf("V%d-V%d", lo, hi)
}

// regNote describes the registers of a one-input elementwise routine with
// a constant pool.
func regNote(s *stream, p *pool) string {
	nIn := max(len(s.ptrs), 1)
	note := fmt.Sprintf("R0 dst, R1 x, R3 count, R9 constants; %s x", vrange(0, V(nIn*s.U-1)))
	if s.ntemp > 0 {
		note += ", " + vrange(V(nIn*s.U), V(s.regsUsed()-1)) + " scratch"
	}
	return note + ", " + p.note() + "."
}

// note describes the pool's registers.
func (p *pool) note() string {
	var parts []string
	if n := len(p.splats) + p.extra; n > 0 {
		parts = append(parts, vrange(16, V(16+n-1)))
	}
	if n := p.nLaneRegs(); n > 0 {
		parts = append(parts, vrange(V(32-n), 31))
	}
	if len(parts) == 0 {
		return "no constants"
	}
	return joinAnd(parts) + " constants"
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 1:
		return parts[0]
	case 2:
		return parts[0] + " and " + parts[1]
	}
	return fmt.Sprint(parts)
}

// noteConsts describes only the table registers (not those from reg()).
func (p *pool) noteConsts() string {
	var parts []string
	if n := len(p.splats); n > 0 {
		parts = append(parts, vrange(16, V(16+n-1)))
	}
	if n := p.nLaneRegs(); n > 0 {
		parts = append(parts, vrange(V(32-n), 31))
	}
	return joinAnd(parts)
}
