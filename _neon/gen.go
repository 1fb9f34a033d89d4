package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// gen accumulates the text of the generated file. Native Go assembler
// lines go through op; vector ALU instructions through w, which prints
// WORD $0x… with the GNU mnemonic as a comment.
type gen struct {
	b    strings.Builder
	cap  *[]string // when set, instruction lines are captured (interleave)
	data strings.Builder
	syms map[string]string // DATA content -> symbol name
}

func (g *gen) line(s string) {
	if g.cap != nil {
		*g.cap = append(*g.cap, s)
		return
	}
	g.b.WriteString(s)
	g.b.WriteByte('\n')
}

// op emits a native instruction: op("VLD1.P", "64(R1), [V0.S4]").
func (g *gen) op(mnemonic string, args ...string) {
	if len(args) == 0 {
		g.line("\t" + mnemonic)
		return
	}
	g.line("\t" + mnemonic + "\t" + strings.Join(args, ", "))
}

// opc is op with a trailing comment.
func (g *gen) opc(comment, mnemonic string, args ...string) {
	g.line("\t" + mnemonic + "\t" + strings.Join(args, ", ") + "\t// " + comment)
}

// w emits an encoded instruction.
func (g *gen) w(in Ins) { g.line(fmt.Sprintf("\tWORD\t$0x%08x\t// %s", in.Word, in.Text)) }

func (g *gen) label(l string) { g.line(l + ":") }

func (g *gen) comment(format string, args ...any) {
	g.line("\t// " + fmt.Sprintf(format, args...))
}

// interleave runs body for blocks 0..n-1, each emitting the same number
// of lines, and writes the lines round-robin so that independent blocks'
// instructions alternate (latency hiding on in-order cores).
func (g *gen) interleave(n int, body func(j int)) {
	if n == 1 {
		body(0)
		return
	}
	if g.cap != nil {
		panic("nested interleave")
	}
	lists := make([][]string, n)
	for j := range n {
		g.cap = &lists[j]
		body(j)
	}
	g.cap = nil
	for j := 1; j < n; j++ {
		if len(lists[j]) != len(lists[0]) {
			panic("interleave: blocks of different length")
		}
	}
	for i := range lists[0] {
		for j := range n {
			g.line(lists[j][i])
		}
	}
}

// dtype describes one element type.
type dtype struct {
	Name  string // F32, F64
	Go    string // float32, float64
	A     Arr
	Size  int    // bytes per element
	Fmov  string // FMOVS, FMOVD
	Sfx   string // S, D: suffix of Go's scalar float instructions
	Shift int    // log2(Size)
}

var (
	f32 = &dtype{Name: "F32", Go: "float32", A: S4, Size: 4, Fmov: "FMOVS", Sfx: "S", Shift: 2}
	f64 = &dtype{Name: "F64", Go: "float64", A: D2, Size: 8, Fmov: "FMOVD", Sfx: "D", Shift: 3}
)

func (t *dtype) L() int          { return t.A.lanes() }
func (t *dtype) single() bool    { return t.A == S4 }
func (t *dtype) arr() string     { return map[Arr]string{S4: "S4", D2: "D2"}[t.A] } // Go arrangement
func (t *dtype) vreg(v V) string { return fmt.Sprintf("V%d.%s", v, t.arr()) }
func (t *dtype) freg(v V) string { return fmt.Sprintf("F%d", v) }

// fbits returns the bit pattern of x in t's format.
func (t *dtype) fbits(x float64) uint64 {
	if t.single() {
		return uint64(math.Float32bits(float32(x)))
	}
	return math.Float64bits(x)
}

// vlist is a Go register list of consecutive registers: [V0.S4, V1.S4].
func (t *dtype) vlist(first V, n int) string {
	var parts []string
	for i := range n {
		parts = append(parts, t.vreg(first+V(i)))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Shorthands for the encoded instructions, in t's arrangement.
func (g *gen) f3(t *dtype, op string, d, n, m V) { g.w(F3(op, t.A, d, n, m)) }
func (g *gen) f2(t *dtype, op string, d, n V)    { g.w(F2(op, t.A, d, n)) }
func (g *gen) i3(t *dtype, op string, d, n, m V) { g.w(I3(op, t.A, d, n, m)) }
func (g *gen) l3(op string, d, n, m V)           { g.w(L3(op, d, n, m)) }
func (g *gen) sh(t *dtype, op string, d, n V, s uint32) {
	g.w(Shift(op, t.A, d, n, s))
}
func (g *gen) fe(t *dtype, op string, d, n V, m Lane) { g.w(FE(op, t.A, d, n, m)) }
func (g *gen) dup(t *dtype, d V, m Lane)              { g.w(DupElem(t.A, d, m)) }
func (g *gen) mov(d, n V)                             { g.l3("ORR", d, n, n) }

// fmla emits the native Vd += Vn*Vm (Go operand order: Vm, Vn, Vd).
func (g *gen) fmla(t *dtype, d, n, m V) {
	g.opc(fmt.Sprintf("FMLA V%d.%s, V%d.%s, V%d.%s", d, t.A.suffix(), n, t.A.suffix(), m, t.A.suffix()),
		"VFMLA", t.vreg(m), t.vreg(n), t.vreg(d))
}

// fmls emits the native Vd -= Vn*Vm.
func (g *gen) fmls(t *dtype, d, n, m V) {
	g.opc(fmt.Sprintf("FMLS V%d.%s, V%d.%s, V%d.%s", d, t.A.suffix(), n, t.A.suffix(), m, t.A.suffix()),
		"VFMLS", t.vreg(m), t.vreg(n), t.vreg(d))
}

// zero sets a vector register to +0 in every lane.
func (g *gen) zero(v V) {
	g.op("VEOR", fmt.Sprintf("V%d.B16", v), fmt.Sprintf("V%d.B16", v), fmt.Sprintf("V%d.B16", v))
}

// pool is the constant table of one routine: whole registers holding one
// value in every lane ("splats", for instructions with no by-element form)
// from V16 upwards, and single values packed L per register ("lanes", for
// the by-element FMLA/FMLS/FMUL/DUP) from V31 downwards. load emits the
// DATA and the VLD1s that fill the registers before the loops.
type pool struct {
	t      *dtype
	splats []uint64 // bits, register V16+i
	lanes  []uint64 // bits, register 31-i/L, lane i%L
	extra  int      // registers claimed by reg(), after the splats
}

func newPool(t *dtype) *pool { return &pool{t: t} }

func (p *pool) splat(bits uint64) V {
	if i := slices.Index(p.splats, bits); i >= 0 {
		return V(16 + i)
	}
	if p.extra > 0 {
		panic("pool: splat after reg")
	}
	p.splats = append(p.splats, bits)
	p.check()
	return V(16 + len(p.splats) - 1)
}

func (p *pool) splatF(x float64) V { return p.splat(p.t.fbits(x)) }

func (p *pool) lane(bits uint64) Lane {
	i := slices.Index(p.lanes, bits)
	if i < 0 {
		p.lanes = append(p.lanes, bits)
		i = len(p.lanes) - 1
	}
	p.check()
	return Lane{V(31 - i/p.t.L()), i % p.t.L()}
}

func (p *pool) laneF(x float64) Lane { return p.lane(p.t.fbits(x)) }

// reg claims a register from the pool's range that is loaded by the
// routine itself (not from the table), e.g. a broadcast argument.
func (p *pool) reg() V {
	p.extra++
	p.check()
	return V(16 + len(p.splats) + p.extra - 1)
}

func (p *pool) nLaneRegs() int { return (len(p.lanes) + p.t.L() - 1) / p.t.L() }

func (p *pool) check() {
	if 16+len(p.splats)+p.extra > 32-p.nLaneRegs() {
		panic("pool: out of registers")
	}
}

// regs returns the table contents in register order: register number and
// its 16 bytes as two little-endian 64-bit words.
func (p *pool) regs() (vs []V, words [][2]uint64) {
	t := p.t
	pack := func(vals []uint64) [2]uint64 {
		var w [2]uint64
		if t.single() {
			for i, v := range vals {
				w[i/2] |= (v & 0xffffffff) << (32 * (i % 2))
			}
		} else {
			copy(w[:], vals)
		}
		return w
	}
	for i, b := range p.splats {
		vals := make([]uint64, t.L())
		for k := range vals {
			vals[k] = b
		}
		vs = append(vs, V(16+i))
		words = append(words, pack(vals))
	}
	nl := p.nLaneRegs()
	for r := 32 - nl; r < 32; r++ {
		k := 31 - r // register index counted from V31
		lo := k * t.L()
		vals := make([]uint64, t.L())
		for i := range vals {
			if lo+i < len(p.lanes) {
				vals[i] = p.lanes[lo+i]
			}
		}
		vs = append(vs, V(r))
		words = append(words, pack(vals))
	}
	return
}

// load emits the table as DATA (shared between routines with the same
// contents) and loads it with VLD1 through register ptr.
func (g *gen) load(p *pool, name, ptr string) {
	vs, words := p.regs()
	if len(vs) == 0 {
		return
	}
	var key strings.Builder
	for _, w := range words {
		fmt.Fprintf(&key, "%016x%016x", w[0], w[1])
	}
	sym, ok := g.syms[key.String()]
	if !ok {
		sym = "·" + name + "<>"
		g.syms[key.String()] = sym
		for i, w := range words {
			fmt.Fprintf(&g.data, "DATA %s+%d(SB)/8, $0x%016x\n", sym, 16*i, w[0])
			fmt.Fprintf(&g.data, "DATA %s+%d(SB)/8, $0x%016x\n", sym, 16*i+8, w[1])
		}
		fmt.Fprintf(&g.data, "GLOBL %s(SB), RODATA|NOPTR, $%d\n\n", sym, 16*len(words))
	}
	g.op("MOVD", "$"+sym+"(SB)", ptr)
	// Runs of consecutive registers, at most four per VLD1.
	for i := 0; i < len(vs); {
		n := 1
		for i+n < len(vs) && n < 4 && vs[i+n] == vs[i]+V(n) {
			n++
		}
		var parts []string
		for k := range n {
			parts = append(parts, fmt.Sprintf("V%d.B16", vs[i]+V(k)))
		}
		list := "[" + strings.Join(parts, ", ") + "]"
		if i+n < len(vs) {
			g.op("VLD1.P", fmt.Sprintf("%d(%s)", 16*n, ptr), list)
		} else {
			g.op("VLD1", "("+ptr+")", list)
		}
		i += n
	}
}
