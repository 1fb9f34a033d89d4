package kernels

import (
	"runtime"
	"sync/atomic"
	"time"
)

// The team runs the pieces of kernel calls that are too short for a
// goroutine per piece: a batch-1 nn.Linear is a matrix-vector product of a
// few microseconds, about what waking a parked goroutine takes. Its helper
// goroutines stay awake after their last piece, polling for the next call
// for teamSpin before they park, as OpenMP runtimes do between parallel
// regions (GOMP_SPINCOUNT, KMP_BLOCKTIME; those wait 0.3 to 200 ms).
//
// A call is cut into pieces. The calling goroutine takes pieces from the
// front and the helpers from the back, so that with steady timing each
// core keeps reading the same rows, which stay in its cache between calls.
// The caller never waits for a helper to start: if none is awake it runs
// every piece itself and only wakes the parked ones for later calls. It
// waits only for pieces a helper has already taken.
//
// One call at a time uses the team; a call that finds it busy (another
// goroutine's, or a call nested in a piece) runs its pieces itself. A piece
// must not panic (the kernels check their arguments before they split): a
// panic in the caller's piece leaves the team busy, so later calls run on
// one goroutine, and one in a helper's ends the program.

// teamSpin is how long a helper polls for the next call before it parks.
const teamSpin = 100 * time.Microsecond

type team struct {
	busy atomic.Bool
	// claim is gen<<32 | front<<16 | back: the caller's next piece, one past
	// the helpers' next piece, and the call's generation, so that a helper
	// holding an old value cannot take a piece of a newer call.
	claim atomic.Uint64
	done  atomic.Int64 // pieces the helpers finished in this call
	// The call, written by the caller before it publishes claim; a helper
	// reads them only after taking a piece, and the caller changes them only
	// after every taken piece is done.
	fn      func(lo, hi int)
	n, step int

	gen     uint64 // the caller's, under busy
	helpers int    // started, under busy
	parked  atomic.Int32
	wake    chan struct{}
}

var theTeam = team{wake: make(chan struct{}, 1<<10)}

// teamMaxPieces bounds the pieces of one call (claim holds 16-bit indexes).
const teamMaxPieces = 1 << 10

// run calls fn over [0, n) in pieces step long (the last one shorter) on
// the calling goroutine and up to threads-1 helpers. It reports false,
// having run nothing, when the team is in use or threads < 2.
func (t *team) run(n, step, threads int, fn func(lo, hi int)) bool {
	threads = min(threads, runtime.GOMAXPROCS(0)) // helpers must run beside the caller
	if threads < 2 || n <= step || !t.busy.CompareAndSwap(false, true) {
		return false
	}
	pieces := (n + step - 1) / step
	if pieces > teamMaxPieces {
		t.busy.Store(false)
		return false
	}
	for t.helpers < min(threads-1, pieces-1, teamMaxHelpers) {
		t.helpers++
		go t.help()
	}
	t.fn, t.n, t.step = fn, n, step
	t.done.Store(0)
	t.gen++
	t.claim.Store(t.gen<<32 | uint64(pieces))
	for want := min(pieces-1, threads-1); want > 0; {
		p := t.parked.Load()
		if p <= 0 {
			break
		}
		if t.parked.CompareAndSwap(p, p-1) {
			t.wake <- struct{}{}
			want--
		}
	}
	mine := 0
	for {
		w := t.claim.Load()
		front, back := int(w>>16&0xffff), int(w&0xffff)
		if front >= back {
			break
		}
		if t.claim.CompareAndSwap(w, w+1<<16) {
			lo := front * step
			fn(lo, min(lo+step, n))
			mine++
		}
	}
	for i := 0; t.done.Load() < int64(pieces-mine); i++ {
		if i&63 == 63 {
			runtime.Gosched()
		}
	}
	t.fn = nil
	t.busy.Store(false)
	return true
}

// teamMaxHelpers bounds the helper goroutines (the channel's capacity).
const teamMaxHelpers = 1 << 10

// help is a helper's loop: take pieces from the back while a call has
// some left, otherwise poll, and park after teamSpin without work.
func (t *team) help() {
	var idle time.Time
	for spins := 0; ; spins++ {
		w := t.claim.Load()
		if front, back := w>>16&0xffff, w&0xffff; front < back {
			if t.claim.CompareAndSwap(w, w-1) {
				lo := int(back-1) * t.step
				t.fn(lo, min(lo+t.step, t.n))
				t.done.Add(1)
			}
			idle = time.Time{}
			continue
		}
		if spins&63 != 63 {
			continue
		}
		now := time.Now()
		switch {
		case idle.IsZero():
			idle = now
		case now.Sub(idle) > teamSpin:
			// A call that missed this increment runs without this helper;
			// the next one wakes it.
			t.parked.Add(1)
			<-t.wake
			idle = time.Time{}
			continue
		}
		if spins&1023 == 1023 { // let other goroutines have this P now and then
			runtime.Gosched()
		}
	}
}
