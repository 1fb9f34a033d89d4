//go:build syntax || ignore || gc || ignore || !purego
// +build syntax ignore gc ignore !purego

// Command _asm generates the AVX2+FMA kernels of simdtorch (and the
// AVX-512 kernels of its avx512 path: gemm512.go, transcend512.go,
// softmax512.go, transpose512.go) with avo:
// kernels_amd64.s and, with -stubs, their Go declarations kernels_amd64.go.
//
// Regenerate from the repository root with
//
//	cd _asm && go run . -out ../kernels_amd64.s -stubs ../kernels_amd64.go -pkg simdtorch
//
// The generator is split by kernel family: arith.go (elementwise
// arithmetic, Fill, the ReLU family), transcend.go (Exp, Log, Tanh,
// Sigmoid), reduce.go (Sum, Dot, SumSq, MaxIdx), softmax.go; loops.go holds
// the loop shapes they share and types.go the float32/float64 instruction
// tables and constants. transcend512.go holds the AVX-512 versions of the
// transcendentals (routines named ...AVX512), with their own ZMM loop, and
// softmax512.go those of Softmax and LogSoftmax, which inline them.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/printer"
	"github.com/mmcloughlin/avo/reg"
)

// asm is the avo build context every generator function appends to.
var asm = build.NewContext()

// routines lists the kernel names in declaration order; each is generated
// for float32 then float64 by the function registered in gen.
var routines = []string{
	"Add", "Sub", "Mul", "Div",
	"AddScalar", "SubScalar", "MulScalar", "DivScalar",
	"Axpy", "Scale", "Fill",
	"Relu", "ReluBackward", "LeakyRelu", "LeakyReluBackward",
	"Exp", "Log", "Tanh", "Sigmoid",
	"Sum", "Dot", "SumSq", "MaxIdx",
	"Softmax", "LogSoftmax",
}

// gen maps a kernel name to its generator; filled by the init functions
// of the family files.
var gen = map[string]func(t *dtype){}

// header is the file comment of the generated Go declarations.
const header = `// The routines below are implemented in kernels_amd64.s with AVX2+FMA
// (names ending in AVX2) or AVX-512 F (names ending in AVX512, called only
// on CPUs with AVX-512 F, DQ, BW and VL).
// Preconditions (checked by package kernels, never here): every slice
// argument is at least as long as the first slice argument, whose length
// n is the element count; any n >= 0 unless stated; no alignment assumed;
// dst may be the same slice as an input. No routine reads or writes outside
// its slices (tails use masked loads and stores), and every one ends with
// VZEROUPPER. Stores of outputs of at least ` + ntDoc + ` that do not
// alias an input are non-temporal (VMOVNTPS/VMOVNTPD after a head that
// aligns dst to 64 bytes, then SFENCE).
`

// command is the canonical way to regenerate, written into the headers of
// the generated files whatever paths the generator was given (so a copy
// generated elsewhere, as CI's drift check does, compares equal).
var command = []string{"go", "run", ".", "-out", "../kernels_amd64.s", "-stubs", "../kernels_amd64.go", "-pkg", "simdtorch"}

func main() {
	// avo's build package registers its own -out/-stubs on flag.CommandLine;
	// this generator drives avo itself, so it parses its own set.
	fs := flag.NewFlagSet("_asm", flag.ExitOnError)
	out := fs.String("out", "", "assembly output file")
	stubs := fs.String("stubs", "", "Go declarations output file")
	pkg := fs.String("pkg", "simdtorch", "package name of the output")
	fs.Parse(os.Args[1:])
	if *out == "" || *stubs == "" {
		log.Fatal("usage: go run . -out FILE.s -stubs FILE.go -pkg NAME")
	}
	s, g, err := generate(*pkg)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, s, 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*stubs, g, 0o644); err != nil {
		log.Fatal(err)
	}
}

// generate builds every kernel and returns the assembly and the Go
// declarations. It can run once per process (avo's context is global).
func generate(pkg string) (s, g []byte, err error) {
	asm.ConstraintExpr("gc,!purego") // avo's +build syntax for gc && !purego
	for _, t := range []*dtype{f32, f64} {
		for _, name := range routines {
			kernel, ok := gen[name]
			if !ok {
				return nil, nil, fmt.Errorf("no generator for %s", name)
			}
			kernel(t)
		}
	}
	genGemm()
	genOptim()
	genTranspose()
	genTranspose512()
	genTranscend512()
	genGemm512()

	f, err := asm.Result()
	if err != nil {
		var list build.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				log.Print(e)
			}
		}
		return nil, nil, err
	}
	if err := pass.Compile.Execute(f); err != nil {
		return nil, nil, err
	}
	for _, fn := range f.Functions() {
		fn.Doc = append(fn.Doc, "", registerUse(fn))
	}

	cfg := printer.Config{Argv: command, Pkg: pkg}
	if s, err = printer.NewGoAsm(cfg).Print(f); err != nil {
		return nil, nil, err
	}
	if g, err = printer.NewStubs(cfg).Print(f); err != nil {
		return nil, nil, err
	}
	return s, fixStubs(g, pkg), nil
}

// routine starts a kernel's TEXT block with its doc comment; the name is
// op+dtype+ISA and the signature comes from sigs with T replaced.
func routine(op string, t *dtype, method ...string) {
	routineISA(op, "AVX2", docs[op], t, method...)
}

// routineISA is routine for any instruction set: the name is op+dtype+isa
// and doc the contract.
func routineISA(op, isa, doc string, t *dtype, method ...string) {
	name := op + t.name + isa
	clear(hoisted)
	sig := strings.ReplaceAll(sigs[op], "T", t.gotyp)
	asm.Function(name)
	asm.Attributes(attr.NOSPLIT) // leaves; MaxIdx resets this for its stack frame
	asm.SignatureExpr(sig)
	lines := []string{name + ": " + doc}
	if len(method) > 0 {
		lines = append(append(lines, ""), method...)
	}
	asm.Doc(lines...)
	asm.Pragma("noescape")
}

// registerUse describes the physical registers fn uses after allocation.
func registerUse(fn *ir.Function) string {
	seen := map[string]bool{}
	var gp, vec, masks []reg.Physical
	zmm := false
	for _, in := range fn.Instructions() {
		for _, op := range in.Operands {
			for _, r := range operand.Registers(op) {
				p := reg.ToPhysical(r)
				if p == nil || p == reg.StaticBase || p == reg.FramePointer || p == reg.StackPointer {
					continue // pseudo-registers of argument, frame and RODATA addressing
				}
				_, isVec := p.(reg.VecPhysical)
				zmm = zmm || (isVec && p.Size() == 64)
				key := p.Asm()
				if isVec {
					key = "Y" + strings.TrimLeft(key, "XYZ") // X3, Y3 and Z3 are one register
				}
				if seen[key] {
					continue
				}
				seen[key] = true
				if isVec {
					vec = append(vec, p)
				} else if _, ok := p.(reg.GPPhysical); ok {
					gp = append(gp, p)
				} else if _, ok := p.(reg.OpmaskPhysical); ok {
					masks = append(masks, p)
				}
			}
		}
	}
	byIndex := func(a, b reg.Physical) int { return int(a.PhysicalIndex()) - int(b.PhysicalIndex()) }
	slices.SortFunc(gp, byIndex)
	slices.SortFunc(vec, byIndex)
	slices.SortFunc(masks, byIndex)
	var gs, vs []string
	for _, r := range gp {
		gs = append(gs, r.Asm())
	}
	vecName := "Y"
	if zmm {
		vecName = "Z"
	}
	for _, r := range vec {
		vs = append(vs, vecName+strings.TrimLeft(r.Asm(), "XYZ"))
	}
	for _, r := range masks {
		vs = append(vs, r.Asm())
	}
	frame := "no stack frame"
	if fn.LocalSize > 0 {
		frame = fmt.Sprintf("a %d-byte stack frame", fn.LocalSize)
	}
	return fmt.Sprintf("Registers: %s; %s; %s.", strings.Join(gs, ", "), strings.Join(vs, ", "), frame)
}

var stubLine = regexp.MustCompile(`(?m)^func (\w+?)(F32|F64)(AVX2|AVX512)\(.*$`)

// fixStubs adds the file comment to the avo stubs and writes each
// signature as sigs spells it (grouped parameter names), so the
// declarations read as if written by hand.
func fixStubs(src []byte, pkg string) []byte {
	src = stubLine.ReplaceAllFunc(src, func(line []byte) []byte {
		m := stubLine.FindSubmatch(line)
		op, dt, isa := string(m[1]), string(m[2]), string(m[3])
		typ := map[string]string{"F32": "float32", "F64": "float64"}[dt]
		return []byte("func " + op + dt + isa + strings.TrimPrefix(strings.ReplaceAll(sigs[op], "T", typ), "func"))
	})
	clause := []byte("package " + pkg + "\n")
	return bytes.Replace(src, clause, append(append(clause, '\n'), header...), 1)
}
