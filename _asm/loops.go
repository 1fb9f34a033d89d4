package main

import (
	"fmt"

	"github.com/mmcloughlin/avo/attr"

	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// ntBytes is the output size from which elementwise kernels store with
// non-temporal hints (when dst aliases no input). An ordinary store to a
// line not in cache first reads it (write-allocate): a third more memory
// traffic for Add, half again for a unary op. Below a few MiB the output
// is likely read again soon from the last-level cache, where streaming
// stores would evict it. 8 MiB of output means 16-24 MiB touched by a
// unary or binary op, about a typical LLC (32 MiB on Zen3). On the
// development VM (Intel Xeon with a very large shared L3) streaming and
// ordinary stores measured within 5% of each other from 8 to 128 MiB,
// and Add at n = 16M float32 moved 20 GB/s against copy's 13.5 GB/s.
const (
	ntBytes = 8 << 20
	ntDoc   = "8 MiB"
)

// maskTab holds eight all-ones int32 then eight zeros: the 32 bytes at
// maskTab+4*(8-k) select the first k float32 lanes, and those at
// maskTab+8*(4-k) the first k float64 lanes.
func maskTab() Mem {
	if m, ok := consts["masktab"]; ok {
		return m
	}
	m := asm.StaticGlobal("masktab")
	asm.DataAttributes(attr.RODATA | attr.NOPTR)
	for i := 0; i < 16; i++ {
		v := uint32(0)
		if i < 8 {
			v = 0xffffffff
		}
		asm.AddDatum(4*i, U32(v))
	}
	consts["masktab"] = m
	return m
}

// cursor addresses the slices of a kernel at a running element index.
type cursor struct {
	t    *dtype
	base map[string]GPVirtual
	i    GPVirtual // element index of the current block
	n    GPVirtual // element count
}

// newCursor loads n = len(first) and the base pointer of each named slice
// (once per name) and sets i = 0.
func newCursor(t *dtype, first string, names ...string) *cursor {
	c := &cursor{t: t, base: map[string]GPVirtual{}}
	c.n = asm.Load(asm.Param(first).Len(), asm.GP64()).(GPVirtual)
	for _, name := range names {
		if _, ok := c.base[name]; !ok {
			c.base[name] = asm.Load(asm.Param(name).Base(), asm.GP64()).(GPVirtual)
		}
	}
	c.i = asm.GP64()
	asm.XORQ(c.i, c.i)
	return c
}

// at is the k-th YMM-sized block of slice name from element i on.
func (c *cursor) at(name string, k int) Mem {
	return Mem{Base: c.base[name], Index: c.i, Scale: uint8(c.t.size), Disp: 32 * k}
}

// blocks emits the loop "while i+u*lanes <= n { step(0..u-1); i += u*lanes }"
// starting at label and leaving to next.
func (c *cursor) blocks(label, next string, u int, step func(k int)) {
	asm.Label(label)
	end := asm.GP64()
	asm.LEAQ(Mem{Base: c.i, Disp: u * c.t.lanes}, end)
	asm.CMPQ(end, c.n)
	asm.JA(LabelRef(next))
	for k := 0; k < u; k++ {
		step(k)
	}
	asm.MOVQ(end, c.i)
	asm.JMP(LabelRef(label))
}

// prefetch emits PREFETCHT0 dist bytes ahead of block k of each named
// slice (once per name), one per 64-byte line: only for even k. The
// compute-heavy loops (transcendentals) outrun the hardware prefetcher
// once the data has left L2; for plain arithmetic it makes no difference.
func (c *cursor) prefetch(k, dist int, names ...string) {
	if k%2 != 0 {
		return
	}
	seen := map[string]bool{}
	for _, name := range names {
		if !seen[name] {
			seen[name] = true
			asm.PREFETCHT0(c.at(name, k).Offset(dist))
		}
	}
}

// mask loads the lane mask selecting the first cnt (1..lanes-1) lanes.
func (c *cursor) mask(cnt GPVirtual) VecVirtual {
	idx, tab := asm.GP64(), asm.GP64()
	asm.MOVQ(U32(c.t.lanes), idx)
	asm.SUBQ(cnt, idx)
	asm.LEAQ(maskTab(), tab) // RIP-relative addressing takes no index
	m := asm.YMM()
	asm.VMOVDQU(Mem{Base: tab, Index: idx, Scale: uint8(c.t.size)}, m)
	return m
}

// maskedLoad loads the first lanes of slice name at i selected by m; the
// other lanes are zero and nothing outside the selected lanes is read.
func (c *cursor) maskedLoad(name string, m VecVirtual) VecVirtual {
	r := asm.YMM()
	c.t.maskmov(c.at(name, 0), m, r)
	return r
}

// mapSpec is an elementwise kernel out[i] = body(ins[0][i], ins[1][i], ...).
type mapSpec struct {
	op       string
	t        *dtype
	method   []string // extra doc lines: how it is computed
	first    string   // the slice parameter whose length is n
	ins      []string // slices read, in the order body takes them
	out      string   // slice written; may be one of ins
	unroll   int      // YMM blocks per iteration of the main loop
	nt       bool     // non-temporal stores for large outputs that alias no input
	prefetch int      // bytes ahead to prefetch in the unrolled loop (0: none)
	setup    func()   // runs once before the loops: broadcast scalars, constants
	// body computes one YMM of results. Its operands are memory for full
	// blocks and registers (masked loads) for the tail; it may overwrite
	// register operands.
	body func(in []Op) VecVirtual
}

// mapKernel emits an elementwise kernel: an optional non-temporal path
// (a masked head and at most one more YMM to align dst to 64 bytes, the
// unrolled streaming loop, SFENCE), the unrolled loop, a one-YMM loop and a
// masked tail.
func mapKernel(s mapSpec) {
	t := s.t
	routine(s.op, t, s.method...)
	c := newCursor(t, s.first, append(append([]string{}, s.ins...), s.out)...)
	if s.setup != nil {
		s.setup()
	}
	if s.unroll == 0 {
		s.unroll = 4
	}
	// step emits block k of an iteration. The unrolled loops prefetch the
	// inputs, and the output unless it is streamed (a prefetch would read
	// the very lines the streaming store avoids reading).
	const (
		noPrefetch = iota
		prefetchIns
		prefetchAll
	)
	step := func(store func(r, m Op), pf int) func(k int) {
		return func(k int) {
			if s.prefetch > 0 && pf != noPrefetch {
				names := s.ins
				if pf == prefetchAll {
					names = append([]string{s.out}, s.ins...)
				}
				c.prefetch(k, s.prefetch, names...)
			}
			in := make([]Op, len(s.ins))
			for j, name := range s.ins {
				in[j] = c.at(name, k)
			}
			store(s.body(in), c.at(s.out, k))
		}
	}
	masked := func(cnt GPVirtual) {
		m := c.mask(cnt)
		in := make([]Op, len(s.ins))
		for j, name := range s.ins {
			in[j] = c.maskedLoad(name, m)
		}
		t.maskmov(s.body(in), m, c.at(s.out, 0))
	}

	dst := c.base[s.out]
	if s.nt {
		ntEntry(c, dst, s.ins, 32, "nthead", masked)
		// dst+i is 32-byte aligned; one more YMM if it is not 64-byte
		// aligned, so that each streamed cache line is written whole by
		// consecutive stores.
		asm.Label("nthead")
		a := asm.GP64()
		asm.LEAQ(Mem{Base: dst, Index: c.i, Scale: uint8(t.size)}, a)
		asm.TESTQ(U32(32), a)
		asm.JZ(LabelRef("ntloop"))
		step(t.movu, noPrefetch)(0)
		asm.ADDQ(U8(t.lanes), c.i)
		c.blocks("ntloop", "ntdone", s.unroll, step(t.movnt, prefetchIns))
		asm.Label("ntdone")
		asm.SFENCE()
	}
	if s.unroll > 1 {
		c.blocks("loop", "loop1", s.unroll, step(t.movu, prefetchAll))
	} else {
		asm.Label("loop")
	}
	c.blocks("loop1", "tail", 1, step(t.movu, noPrefetch))
	asm.Label("tail")
	r := asm.GP64()
	asm.MOVQ(c.n, r)
	asm.SUBQ(c.i, r)
	asm.JZ(LabelRef("done"))
	masked(r)
	asm.Label("done")
	asm.VZEROUPPER()
	asm.RET()
}

// Comment adds a comment line to the current function.
func Comment(s string) { asm.Comment(s) }

// broadcastParam loads the scalar parameter name into every lane of a YMM.
func broadcastParam(t *dtype, name string) VecVirtual {
	b, err := asm.Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	r := asm.YMM()
	t.broadcast(b.Addr, r)
	return r
}

// zero returns a YMM register of +0.
func zero() VecVirtual {
	z := asm.YMM()
	asm.VXORPS(z, z, z)
	return z
}

// ntEntry emits the entry of a streaming-store loop: it jumps to label
// "loop" (the ordinary stores) unless the output has ntBytes or more, dst
// is element-aligned and aliases none of the inputs ins; otherwise masked
// stores the h elements before the next align-byte boundary of dst (when
// h > 0), i becomes h, and it goes on at label next (which the caller
// emits next).
func ntEntry(c *cursor, dst GPVirtual, ins []string, align int, next string, masked func(GPVirtual)) {
	t := c.t
	Comment(fmt.Sprintf("Outputs of %s or more that alias no input: streaming stores.", ntDoc))
	asm.CMPQ(c.n, U32(ntBytes/t.size))
	asm.JB(LabelRef("loop"))
	asm.TESTQ(U32(t.size-1), dst)
	asm.JNZ(LabelRef("loop"))
	for _, name := range ins {
		asm.CMPQ(c.base[name], dst)
		asm.JEQ(LabelRef("loop"))
	}
	h := asm.GP64()
	asm.MOVQ(dst, h)
	asm.NEGQ(h)
	asm.ANDQ(U8(align-1), h)
	asm.SHRQ(U8(t.shift), h)
	asm.JZ(LabelRef(next))
	masked(h)
	asm.MOVQ(h, c.i)
}
