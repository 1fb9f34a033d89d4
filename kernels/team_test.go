package kernels

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/simdtorch/simdtorch/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestTeamRun: a team call runs every piece exactly once, over [0, n) in
// pieces step long, whether the helpers are awake (back-to-back calls) or
// parked (a pause longer than teamSpin first), and a call nested in a
// piece or made while the team is busy reports false and runs nothing.
func TestTeamRun(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	var tm team
	tm.wake = make(chan struct{}, teamMaxHelpers)
	check := func(n, step, threads int) {
		t.Helper()
		hits := make([]atomic.Int32, n)
		var nested atomic.Int32
		ran := tm.run(n, step, threads, func(lo, hi int) {
			if lo%step != 0 || hi != min(lo+step, n) { // (t.Errorf: helpers run pieces too)
				t.Errorf("piece [%d, %d) of step %d, n %d", lo, hi, step, n)
			}
			for i := lo; i < hi; i++ {
				hits[i].Add(1)
			}
			if tm.run(4, 1, 2, func(int, int) { t.Error("nested call ran") }) {
				nested.Add(1)
			}
		})
		require.True(t, ran, "n=%d step=%d threads=%d", n, step, threads)
		for i := range hits {
			require.Equal(t, int32(1), hits[i].Load(), "n=%d step=%d index %d", n, step, i)
		}
		require.Zero(t, nested.Load(), "a nested call took the busy team")
	}
	for _, threads := range []int{2, 3, 8} {
		for _, s := range [][2]int{{2, 1}, {10, 3}, {64, 8}, {1000, 7}, {1 << 12, 4}} {
			for range 50 {
				check(s[0], s[1], threads)
			}
			time.Sleep(2 * teamSpin) // the helpers park
			check(s[0], s[1], threads)
		}
	}
	// Nothing to split, one thread, or too many pieces: not run.
	require.False(t, tm.run(8, 8, 2, func(int, int) { t.Error("ran") }))
	require.False(t, tm.run(8, 1, 1, func(int, int) { t.Error("ran") }))
	require.False(t, tm.run(teamMaxPieces+1, 1, 2, func(int, int) { t.Error("ran") }))
	// Busy: another caller holds the team.
	tm.busy.Store(true)
	require.False(t, tm.run(8, 1, 2, func(int, int) { t.Error("ran") }))
	tm.busy.Store(false)
	require.True(t, tm.run(8, 1, 2, func(int, int) {}))
}

// TestTeamDotRows: DotRows and the GEMV (m = 1, B transposed, with bias
// and ReLU) split by the team give the bits of one goroutine, from
// several goroutines at once (one gets the team, the others run alone)
// and across pauses that park the helpers.
func TestTeamDotRows(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	defer func(m, p int) { teamMinBytes, teamPieceBytes = m, p }(teamMinBytes, teamPieceBytes)
	teamMinBytes, teamPieceBytes = 1, 1
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testTeamDotRows[float32])
		t.Run("f64", testTeamDotRows[float64])
	})
}

func testTeamDotRows[T Float](t *testing.T) {
	r := rand.New(rand.NewPCG(21, 21))
	type cse struct {
		n, k  int
		x, b  []T
		bias  []T
		want  []T
		wantG []T
	}
	var cases []cse
	for _, n := range []int{9, 64, 130} {
		for _, k := range []int{1, 17, 100} {
			c := cse{n: n, k: k, x: testutil.Values[T](r, k, false), b: testutil.Values[T](r, n*k, false), bias: testutil.Values[T](r, n, false)}
			prev := SetThreads(1)
			c.want = make([]T, n)
			DotRows(c.want, c.x, c.b, k)
			c.wantG = make([]T, n)
			GemmEpilogue(NoTrans, Trans, 1, n, k, 1, c.x, k, c.b, k, 0, c.wantG, n, Epilogue[T]{Bias: c.bias, ReLU: true})
			SetThreads(prev)
			cases = append(cases, c)
		}
	}
	defer SetThreads(SetThreads(4))
	var wg sync.WaitGroup
	for g := range 3 {
		wg.Go(func() {
			for it := range 30 {
				for _, c := range cases {
					y := make([]T, c.n)
					DotRows(y, c.x, c.b, c.k)
					if !equalBits(y, c.want) {
						t.Errorf("goroutine %d: DotRows n=%d k=%d differs from one thread", g, c.n, c.k)
						return
					}
					GemmEpilogue(NoTrans, Trans, 1, c.n, c.k, 1, c.x, c.k, c.b, c.k, 0, y, c.n, Epilogue[T]{Bias: c.bias, ReLU: true})
					if !equalBits(y, c.wantG) {
						t.Errorf("goroutine %d: GEMV n=%d k=%d differs from one thread", g, c.n, c.k)
						return
					}
				}
				if it%10 == 9 {
					time.Sleep(2 * teamSpin)
				}
			}
		})
	}
	wg.Wait()
}

func equalBits[T Float](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(a[i] != a[i] && b[i] != b[i]) {
			return false
		}
	}
	return true
}
