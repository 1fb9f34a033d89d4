package main

import (
	"fmt"
	"math"

	"github.com/mmcloughlin/avo/attr"

	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// dtype is one element type: its size, its lane count in a YMM register and
// the PS or PD form of every vector instruction the kernels use. The
// methods take operands in Go assembler order: sources first, destination
// last, so for example t.sub(b, a, d) computes d = a - b.
type dtype struct {
	name  string // "F32" or "F64", as in the routine names
	gotyp string // "float32" or "float64"
	size  int    // bytes per element
	lanes int    // elements per YMM register
	shift uint64 // log2(size)
}

var (
	f32 = &dtype{name: "F32", gotyp: "float32", size: 4, lanes: 8, shift: 2}
	f64 = &dtype{name: "F64", gotyp: "float64", size: 8, lanes: 4, shift: 3}
)

func (t *dtype) single() bool { return t.size == 4 }

// pick returns the PS form for float32 and the PD form for float64.
func pick[F any](t *dtype, ps, pd F) F {
	if t.single() {
		return ps
	}
	return pd
}

// VCMPPS/VCMPPD predicates (Intel's imm8 values).
const (
	cmpEQ_OQ  = 0x00
	cmpLT_OQ  = 0x11
	cmpLE_OQ  = 0x12
	cmpUNORD  = 0x03
	cmpNLT_UQ = 0x15 // not (a < b): true if a >= b or unordered
	cmpNLE_UQ = 0x16 // not (a <= b): true if a > b or unordered
	cmpNGE_UQ = 0x19 // not (a >= b): true if a < b or unordered
	cmpNGT_UQ = 0x1A // not (a > b): true if a <= b or unordered
	cmpORD    = 0x07
	cmpGT_OQ  = 0x1E
)

func (t *dtype) add(a, b, d Op)        { pick(t, asm.VADDPS, asm.VADDPD)(a, b, d) }
func (t *dtype) sub(a, b, d Op)        { pick(t, asm.VSUBPS, asm.VSUBPD)(a, b, d) }
func (t *dtype) mul(a, b, d Op)        { pick(t, asm.VMULPS, asm.VMULPD)(a, b, d) }
func (t *dtype) div(a, b, d Op)        { pick(t, asm.VDIVPS, asm.VDIVPD)(a, b, d) }
func (t *dtype) min(a, b, d Op)        { pick(t, asm.VMINPS, asm.VMINPD)(a, b, d) }
func (t *dtype) max(a, b, d Op)        { pick(t, asm.VMAXPS, asm.VMAXPD)(a, b, d) }
func (t *dtype) and(a, b, d Op)        { pick(t, asm.VANDPS, asm.VANDPD)(a, b, d) }
func (t *dtype) andn(a, b, d Op)       { pick(t, asm.VANDNPS, asm.VANDNPD)(a, b, d) } // d = ^b & a
func (t *dtype) or(a, b, d Op)         { pick(t, asm.VORPS, asm.VORPD)(a, b, d) }
func (t *dtype) xor(a, b, d Op)        { pick(t, asm.VXORPS, asm.VXORPD)(a, b, d) }
func (t *dtype) cmp(p int, b, a, d Op) { pick(t, asm.VCMPPS, asm.VCMPPD)(U8(p), b, a, d) } // d = a p b

// blend: d = sign bit of mask ? b : a (b may be memory).
func (t *dtype) blend(mask, b, a, d Op) { pick(t, asm.VBLENDVPS, asm.VBLENDVPD)(mask, b, a, d) }

// Fused multiply-adds, Intel's 213/231 forms in Go order.
func (t *dtype) fmadd213(c, b, a Op)  { pick(t, asm.VFMADD213PS, asm.VFMADD213PD)(c, b, a) }   // a = b*a + c
func (t *dtype) fmadd231(c, b, a Op)  { pick(t, asm.VFMADD231PS, asm.VFMADD231PD)(c, b, a) }   // a = b*c + a
func (t *dtype) fnmadd231(c, b, a Op) { pick(t, asm.VFNMADD231PS, asm.VFNMADD231PD)(c, b, a) } // a = a - b*c
func (t *dtype) fmsub231(c, b, a Op)  { pick(t, asm.VFMSUB231PS, asm.VFMSUB231PD)(c, b, a) }   // a = b*c - a

func (t *dtype) movu(s, d Op)       { pick(t, asm.VMOVUPS, asm.VMOVUPD)(s, d) }
func (t *dtype) movnt(s, d Op)      { pick(t, asm.VMOVNTPS, asm.VMOVNTPD)(s, d) }
func (t *dtype) maskmov(s, m, d Op) { pick(t, asm.VMASKMOVPS, asm.VMASKMOVPD)(s, m, d) }
func (t *dtype) broadcast(s, d Op)  { pick(t, asm.VBROADCASTSS, asm.VBROADCASTSD)(s, d) }

// Integer lane operations on lanes of the element's width.
func (t *dtype) padd(a, b, d Op)       { pick(t, asm.VPADDD, asm.VPADDQ)(a, b, d) }
func (t *dtype) psub(a, b, d Op)       { pick(t, asm.VPSUBD, asm.VPSUBQ)(a, b, d) }
func (t *dtype) psll(n uint8, a, d Op) { pick(t, asm.VPSLLD, asm.VPSLLQ)(U8(n), a, d) }
func (t *dtype) psrl(n uint8, a, d Op) { pick(t, asm.VPSRLD, asm.VPSRLQ)(U8(n), a, d) }
func (t *dtype) pbroadcast(s, d Op)    { pick(t, asm.VPBROADCASTD, asm.VPBROADCASTQ)(s, d) }

// Scalar forms on the low element, for horizontal reductions and tails.
func (t *dtype) movs(s, d Op) {
	_, sm := s.(Mem)
	_, dm := d.(Mem)
	if !sm && !dm {
		asm.VMOVAPS(s, d) // register copy (the scalar move needs three operands)
		return
	}
	pick(t, asm.VMOVSS, asm.VMOVSD)(s, d)
}
func (t *dtype) ucomis(a, b Op) { pick(t, asm.VUCOMISS, asm.VUCOMISD)(a, b) } // flags from b compared with a

// reg returns op in a register, loading it first when it is memory.
func (t *dtype) reg(op Op) VecVirtual {
	if r, ok := op.(VecVirtual); ok {
		return r
	}
	r := asm.YMM()
	t.movu(op, r)
	return r
}

// Constants live in RODATA as 32-byte tables holding the value in every
// lane, so they can be used directly as memory operands.
var consts = map[string]Mem{}

func table(name string, lanes int, bits uint64, size int) Mem {
	if m, ok := consts[name]; ok {
		return m
	}
	m := asm.StaticGlobal(name)
	asm.DataAttributes(attr.RODATA | attr.NOPTR)
	for i := 0; i < lanes; i++ {
		if size == 4 {
			asm.AddDatum(4*i, U32(uint32(bits)))
		} else {
			asm.AddDatum(8*i, U64(bits))
		}
	}
	consts[name] = m
	return m
}

// c is the constant v of type t broadcast to a YMM-sized table.
func (t *dtype) c(v float64) Op {
	if r, ok := hoisted[t.ckey(v)]; ok {
		return r
	}
	return t.cmem(v)
}

// hoisted holds the constants the current routine loaded into registers
// before its loops (hoist), by ckey; routine() empties it.
var hoisted = map[string]VecVirtual{}

func (t *dtype) ckey(v float64) string {
	if t.single() {
		return fmt.Sprintf("f32_%08x", math.Float32bits(float32(v)))
	}
	return fmt.Sprintf("f64_%016x", math.Float64bits(v))
}

// hoist loads constants into registers once, before a kernel's loops, so
// that the loop bodies use register operands instead of one 32-byte load
// per constant per vector (which otherwise bounds the polynomial kernels
// by load throughput). Only as many as the registers allow: avo's
// allocator fails generation when a kernel asks for too many.
func (t *dtype) hoist(vs ...float64) {
	for _, v := range vs {
		if _, ok := hoisted[t.ckey(v)]; ok {
			continue
		}
		r := asm.YMM()
		t.movu(t.cmem(v), r)
		hoisted[t.ckey(v)] = r
	}
}

// cmem is the constant v broadcast to a RODATA table, as a memory operand.
func (t *dtype) cmem(v float64) Mem {
	if t.single() {
		b := math.Float32bits(float32(v))
		return table(fmt.Sprintf("f32_%08x", b), 8, uint64(b), 4)
	}
	b := math.Float64bits(v)
	return table(fmt.Sprintf("f64_%016x", b), 4, b, 8)
}

// bits is the integer bit pattern b (lane width of t) broadcast to a table.
func (t *dtype) bits(b uint64) Mem {
	if t.single() {
		return table(fmt.Sprintf("i32_%08x", uint32(b)), 8, b, 4)
	}
	return table(fmt.Sprintf("i64_%016x", b), 4, b, 8)
}

// signMask and absMask select and clear the sign bit of each lane.
func (t *dtype) signMask() Mem { return t.bits(pick[uint64](t, 1<<31, 1<<63)) }
func (t *dtype) absMask() Mem  { return t.bits(pick[uint64](t, 1<<31-1, 1<<63-1)) }
