package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// readGolden reads testdata/gnu-as.txt: "word<TAB>instruction" lines.
func readGolden(t *testing.T) map[string]uint32 {
	f, err := os.Open("testdata/gnu-as.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]uint32{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		w, text, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		v, err := strconv.ParseUint(w, 16, 32)
		if err != nil {
			t.Fatal(err)
		}
		m[text] = uint32(v)
	}
	return m
}

// TestEncodingsGolden checks every encoding form against words that GNU
// as produced for the same text.
func TestEncodingsGolden(t *testing.T) {
	golden := readGolden(t)
	samples := encSamples()
	if len(samples) != len(golden) {
		t.Errorf("%d samples, %d golden lines: regenerate testdata/gnu-as.txt", len(samples), len(golden))
	}
	for _, in := range samples {
		w, ok := golden[in.Text]
		if !ok {
			t.Errorf("%s: not in testdata/gnu-as.txt", in.Text)
			continue
		}
		if w != in.Word {
			t.Errorf("%s: enc.go %08x, GNU as %08x", in.Text, in.Word, w)
		}
	}
}

// assemble runs GNU as on lines and returns the words, in order.
func assemble(t *testing.T, as string, lines []string) []uint32 {
	dir := t.TempDir()
	src, obj := filepath.Join(dir, "x.s"), filepath.Join(dir, "x.o")
	if err := os.WriteFile(src, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(as, "-o", obj, src).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", as, err, out)
	}
	dump := strings.TrimSuffix(as, "as") + "objdump"
	out, err := exec.Command(dump, "-d", obj).Output()
	if err != nil {
		t.Fatalf("%s: %v", dump, err)
	}
	re := regexp.MustCompile(`^\s*[0-9a-f]+:\s+([0-9a-f]{8})\s`)
	var words []uint32
	for _, l := range strings.Split(string(out), "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			v, _ := strconv.ParseUint(m[1], 16, 32)
			words = append(words, uint32(v))
		}
	}
	if len(words) != len(lines) {
		t.Fatalf("assembled %d lines into %d words", len(lines), len(words))
	}
	return words
}

// TestEncodingsLive assembles the samples and every WORD comment of the
// generated file with aarch64-linux-gnu-as, when it is installed
// (Debian: binutils-aarch64-linux-gnu).
func TestEncodingsLive(t *testing.T) {
	as, err := exec.LookPath("aarch64-linux-gnu-as")
	if err != nil {
		t.Skip("aarch64-linux-gnu-as not installed")
	}
	var texts []string
	var want []uint32
	for _, in := range encSamples() {
		texts, want = append(texts, in.Text), append(want, in.Word)
	}
	seen := map[string]bool{}
	re := regexp.MustCompile(`^\tWORD\t\$0x([0-9a-f]{8})\t// (.*)$`)
	for _, l := range strings.Split(generate(), "\n") {
		if !strings.HasPrefix(l, "\tWORD") {
			continue
		}
		m := re.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("WORD line without its instruction: %q", l)
		}
		if seen[m[2]] {
			continue
		}
		seen[m[2]] = true
		v, _ := strconv.ParseUint(m[1], 16, 32)
		texts, want = append(texts, m[2]), append(want, uint32(v))
	}
	got := assemble(t, as, texts)
	for i := range texts {
		if got[i] != want[i] {
			t.Errorf("%s: generated %08x, GNU as %08x", texts[i], want[i], got[i])
		}
	}
	t.Logf("%d distinct instructions checked", len(texts))
}

// TestGeneratedFileUpToDate: ../kernels_arm64.s is what the generator
// prints (regenerate with: go run . > ../kernels_arm64.s).
func TestGeneratedFileUpToDate(t *testing.T) {
	have, err := os.ReadFile("../kernels_arm64.s")
	if err != nil {
		t.Fatal(err)
	}
	if string(have) != generate() {
		t.Fatal("../kernels_arm64.s differs from the generator's output: run go run . > ../kernels_arm64.s")
	}
}

// TestRegisterNotes: the doc comment of every routine in
// ../kernels_arm64.go states the register use the generator reports.
func TestRegisterNotes(t *testing.T) {
	src, err := os.ReadFile("../kernels_arm64.go")
	if err != nil {
		t.Fatal(err)
	}
	generate()
	lines := strings.Split(string(src), "\n")
	docs := map[string]string{}
	for i, l := range lines {
		name, ok := strings.CutPrefix(l, "func ")
		if !ok {
			continue
		}
		name, _, _ = strings.Cut(name, "(")
		var doc []string
		for k := i - 1; k >= 0 && strings.HasPrefix(lines[k], "//"); k-- {
			doc = append([]string{strings.TrimSpace(strings.TrimPrefix(lines[k], "//"))}, doc...)
		}
		docs[name] = strings.Join(strings.Fields(strings.Join(doc, " ")), " ")
	}
	if len(docs) != len(regNotes) {
		t.Errorf("%d functions in kernels_arm64.go, %d routines generated", len(docs), len(regNotes))
	}
	for name, note := range regNotes {
		d, ok := docs[name]
		if !ok {
			t.Errorf("%s: not declared in kernels_arm64.go", name)
			continue
		}
		if want := "Registers: " + note; !strings.Contains(d, want) {
			t.Errorf("%s: doc comment lacks %q", name, want)
		}
	}
}
