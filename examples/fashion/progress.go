package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a one-line progress bar with \r updates:
//
//	epoch 2/5 [=========>          ] 431/938  812 batch/s  loss 0.4123  ETA 0:01
//
// at most every 100 ms, and erases it at the end of the epoch.
type progress struct {
	w      io.Writer // nil: no bar
	prefix string
	total  int
	start  time.Time
	last   time.Time
	width  int // of the last line drawn
	now    func() time.Time
}

const (
	barWidth    = 24
	redrawEvery = 100 * time.Millisecond
)

// isTerminal reports whether w is a character device (a terminal), as
// far as the standard library can tell without ioctls.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// begin starts a bar of total steps.
func (p *progress) begin(prefix string, total int) {
	if p.now == nil {
		p.now = time.Now
	}
	p.prefix, p.total = prefix, total
	p.start = p.now()
	p.last = time.Time{}
}

// update draws the bar after done steps with the given running loss.
func (p *progress) update(done int, loss float64) {
	if p.w == nil {
		return
	}
	t := p.now()
	if done < p.total && t.Sub(p.last) < redrawEvery {
		return
	}
	p.last = t
	el := t.Sub(p.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(done) / el
	}
	eta := "?"
	if rate > 0 {
		eta = clock(time.Duration(float64(p.total-done) / rate * float64(time.Second)))
	}
	fill := barWidth * done / max(p.total, 1)
	bar := strings.Repeat("=", fill)
	if fill < barWidth {
		bar += ">" + strings.Repeat(" ", barWidth-fill-1)
	}
	line := fmt.Sprintf("%s [%s] %d/%d  %.0f batch/s  loss %.4f  ETA %s", p.prefix, bar, done, p.total, rate, loss, eta)
	pad := max(p.width-len(line), 0)
	p.width = len(line)
	fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", pad))
}

// end erases the bar.
func (p *progress) end() {
	if p.w == nil || p.width == 0 {
		return
	}
	fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
	p.width = 0
}

// clock formats d as m:ss or h:mm:ss.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
