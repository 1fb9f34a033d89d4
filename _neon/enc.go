package main

import "fmt"

// This file encodes the NEON instructions that Go's arm64 assembler lacks
// (and a few it has, so that one convention covers every vector ALU
// instruction): each function returns the 32-bit word and the instruction
// in GNU syntax, which the generated file carries as a comment after
// WORD $0x…. enc_test.go checks every form against words produced by
// aarch64-linux-gnu-as.

// V is a SIMD&FP register number, 0..31.
type V uint32

func (v V) String() string { return fmt.Sprintf("V%d", uint32(v)) }

// Arr is a vector arrangement: four singles or two doubles in 128 bits.
type Arr int

const (
	S4 Arr = iota // .4S, float32 or int32 lanes
	D2            // .2D, float64 or int64 lanes
)

func (a Arr) sz() uint32 { // the sz bit (22) of the float groups
	if a == D2 {
		return 1
	}
	return 0
}

func (a Arr) size() uint32 { // the size field (23:22) of the integer groups
	if a == D2 {
		return 3
	}
	return 2
}

func (a Arr) esize() uint32 { // element size in bits
	if a == D2 {
		return 64
	}
	return 32
}

func (a Arr) lanes() int {
	if a == D2 {
		return 2
	}
	return 4
}

func (a Arr) suffix() string { // GNU arrangement
	if a == D2 {
		return "2D"
	}
	return "4S"
}

func (a Arr) elem() string { // GNU element letter
	if a == D2 {
		return "D"
	}
	return "S"
}

func vr(v V, a Arr) string { return fmt.Sprintf("V%d.%s", uint32(v), a.suffix()) }
func vb(v V) string        { return fmt.Sprintf("V%d.16B", uint32(v)) }

// Ins is one encoded instruction.
type Ins struct {
	Word uint32
	Text string // GNU syntax
}

func chk(vs ...V) {
	for _, v := range vs {
		if v > 31 {
			panic(fmt.Sprintf("register V%d out of range", v))
		}
	}
}

// Three registers of the same type, floating point: Vd = Vn op Vm.
var float3 = map[string]uint32{
	"FADD":  0x4E20D400,
	"FSUB":  0x4EA0D400,
	"FMUL":  0x6E20DC00,
	"FDIV":  0x6E20FC00,
	"FMAX":  0x4E20F400,
	"FMIN":  0x4EA0F400,
	"FCMEQ": 0x4E20E400,
	"FCMGE": 0x6E20E400,
	"FCMGT": 0x6EA0E400,
	"FACGE": 0x6E20EC00, // |Vn| >= |Vm|
	"FACGT": 0x6EA0EC00, // |Vn| > |Vm|
	"FMLA":  0x4E20CC00, // Vd += Vn*Vm, fused
	"FMLS":  0x4EA0CC00, // Vd -= Vn*Vm, fused
	"FADDP": 0x6E20D400,
}

// F3 encodes a three-register float instruction (op Vd, Vn, Vm).
func F3(op string, a Arr, d, n, m V) Ins {
	base, ok := float3[op]
	if !ok {
		panic("F3: unknown " + op)
	}
	chk(d, n, m)
	return Ins{base | a.sz()<<22 | uint32(m)<<16 | uint32(n)<<5 | uint32(d),
		fmt.Sprintf("%s %s, %s, %s", op, vr(d, a), vr(n, a), vr(m, a))}
}

// Two-register miscellaneous, floating point: Vd = op(Vn). The compares
// against zero carry a "0" suffix here (FCMLE0 is FCMLE Vd, Vn, #0.0).
var float2 = map[string]uint32{
	"FABS":   0x4EA0F800,
	"FNEG":   0x6EA0F800,
	"FCVTNS": 0x4E21A800, // to signed integer, round to nearest even
	"SCVTF":  0x4E21D800, // from signed integer
	"FCMEQ0": 0x4EA0D800,
	"FCMGT0": 0x4EA0C800,
	"FCMGE0": 0x6EA0C800,
	"FCMLE0": 0x6EA0D800,
	"FCMLT0": 0x4EA0E800,
}

// F2 encodes a two-register float instruction (op Vd, Vn).
func F2(op string, a Arr, d, n V) Ins {
	base, ok := float2[op]
	if !ok {
		panic("F2: unknown " + op)
	}
	chk(d, n)
	text := fmt.Sprintf("%s %s, %s", op, vr(d, a), vr(n, a))
	if op[len(op)-1] == '0' {
		text = fmt.Sprintf("%s %s, %s, #0.0", op[:len(op)-1], vr(d, a), vr(n, a))
	}
	return Ins{base | a.sz()<<22 | uint32(n)<<5 | uint32(d), text}
}

// Three registers of the same type, integer lanes.
var int3 = map[string]uint32{
	"ADD":  0x4E208400,
	"SUB":  0x6E208400,
	"UMIN": 0x6E206C00, // no .2D form
	"UZP1": 0x4E001800,
	"TRN1": 0x4E002800, // Vd = even lanes of Vn and Vm, interleaved
	"TRN2": 0x4E006800, // Vd = odd lanes of Vn and Vm, interleaved
}

// I3 encodes a three-register integer instruction (op Vd, Vn, Vm).
func I3(op string, a Arr, d, n, m V) Ins {
	base, ok := int3[op]
	if !ok {
		panic("I3: unknown " + op)
	}
	if op == "UMIN" && a == D2 {
		panic("UMIN has no .2D form")
	}
	chk(d, n, m)
	return Ins{base | a.size()<<22 | uint32(m)<<16 | uint32(n)<<5 | uint32(d),
		fmt.Sprintf("%s %s, %s, %s", op, vr(d, a), vr(n, a), vr(m, a))}
}

// Bitwise on 16 bytes. BSL: Vd = Vd ? Vn : Vm (bitwise); BIT: where Vm,
// Vd = Vn; BIF: where not Vm, Vd = Vn; BIC: Vn &^ Vm; ORN: Vn | ^Vm.
var logic3 = map[string]uint32{
	"AND": 0x4E201C00,
	"BIC": 0x4E601C00,
	"ORR": 0x4EA01C00,
	"ORN": 0x4EE01C00,
	"EOR": 0x6E201C00,
	"BSL": 0x6E601C00,
	"BIT": 0x6EA01C00,
	"BIF": 0x6EE01C00,
}

// L3 encodes a bitwise instruction on .16B (op Vd, Vn, Vm).
func L3(op string, d, n, m V) Ins {
	base, ok := logic3[op]
	if !ok {
		panic("L3: unknown " + op)
	}
	chk(d, n, m)
	return Ins{base | uint32(m)<<16 | uint32(n)<<5 | uint32(d),
		fmt.Sprintf("%s %s, %s, %s", op, vb(d), vb(n), vb(m))}
}

// Shift encodes SHL, SSHR or USHR by an immediate (op Vd, Vn, #sh).
func Shift(op string, a Arr, d, n V, sh uint32) Ins {
	chk(d, n)
	es := a.esize()
	var base, immhb uint32
	switch op {
	case "SHL":
		if sh >= es {
			panic("SHL shift out of range")
		}
		base, immhb = 0x4F005400, es+sh
	case "SSHR", "USHR":
		if sh < 1 || sh > es {
			panic(op + " shift out of range")
		}
		base, immhb = 0x4F000400, 2*es-sh
		if op == "USHR" {
			base = 0x6F000400
		}
	default:
		panic("Shift: unknown " + op)
	}
	return Ins{base | immhb<<16 | uint32(n)<<5 | uint32(d),
		fmt.Sprintf("%s %s, %s, #%d", op, vr(d, a), vr(n, a), sh)}
}

// Lane names one element of a register: a constant packed with others.
type Lane struct {
	Reg V
	Idx int
}

// Float by-element forms: op Vd, Vn, Vm.<T>[i] (FMLA/FMLS accumulate into Vd).
var floatElem = map[string]uint32{
	"FMLA": 0x4F801000,
	"FMLS": 0x4F805000,
	"FMUL": 0x4F809000,
}

// FE encodes a float by-element instruction.
func FE(op string, a Arr, d, n V, m Lane) Ins {
	base, ok := floatElem[op]
	if !ok {
		panic("FE: unknown " + op)
	}
	chk(d, n, m.Reg)
	var h, l uint32
	if a == D2 {
		if m.Idx < 0 || m.Idx > 1 {
			panic("FE: lane out of range")
		}
		h = uint32(m.Idx)
	} else {
		if m.Idx < 0 || m.Idx > 3 {
			panic("FE: lane out of range")
		}
		h, l = uint32(m.Idx)>>1, uint32(m.Idx)&1
	}
	return Ins{base | a.sz()<<22 | l<<21 | uint32(m.Reg)<<16 | h<<11 | uint32(n)<<5 | uint32(d),
		fmt.Sprintf("%s %s, %s, V%d.%s[%d]", op, vr(d, a), vr(n, a), m.Reg, a.elem(), m.Idx)}
}

// DupElem encodes DUP Vd.<T>, Vn.<T>[i]: every lane of Vd = that element.
func DupElem(a Arr, d V, m Lane) Ins {
	chk(d, m.Reg)
	var imm5 uint32
	if a == D2 {
		if m.Idx < 0 || m.Idx > 1 {
			panic("DupElem: lane out of range")
		}
		imm5 = uint32(m.Idx)<<4 | 8
	} else {
		if m.Idx < 0 || m.Idx > 3 {
			panic("DupElem: lane out of range")
		}
		imm5 = uint32(m.Idx)<<3 | 4
	}
	return Ins{0x4E000400 | imm5<<16 | uint32(m.Reg)<<5 | uint32(d),
		fmt.Sprintf("DUP %s, V%d.%s[%d]", vr(d, a), m.Reg, a.elem(), m.Idx)}
}

// Across-lane and scalar pairwise reductions into a scalar register.
// FMAXV S, V.4S; UMINV S, V.4S; FMAXP D, V.2D; FADDP S, V.2S; FADDP D, V.2D.
func Reduce(op string, a Arr, d, n V) Ins {
	chk(d, n)
	var base uint32
	var text string
	switch {
	case op == "FMAXV" && a == S4:
		base, text = 0x6E30F800, fmt.Sprintf("FMAXV S%d, V%d.4S", d, n)
	case op == "UMINV" && a == S4:
		base, text = 0x6EB1A800, fmt.Sprintf("UMINV S%d, V%d.4S", d, n)
	case op == "FMAXP" && a == D2:
		base, text = 0x7E70F800, fmt.Sprintf("FMAXP D%d, V%d.2D", d, n)
	case op == "FADDP" && a == S4: // the low two lanes
		base, text = 0x7E30D800, fmt.Sprintf("FADDP S%d, V%d.2S", d, n)
	case op == "FADDP" && a == D2:
		base, text = 0x7E70D800, fmt.Sprintf("FADDP D%d, V%d.2D", d, n)
	default:
		panic("Reduce: unknown " + op + " " + a.suffix())
	}
	return Ins{base | uint32(n)<<5 | uint32(d), text}
}
