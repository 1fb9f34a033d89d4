package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/simdtorch/simdtorch/internal/idx"
	"github.com/simdtorch/simdtorch/kernels"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/optim"
)

// One epoch of Adam on the embedded subset (2000 images, 32 batches of
// 64) reaches 63-66% test accuracy over seeds 0-5 (66.0% for seed 0; 10%
// is chance), so a broken gradient, loss or optimizer step stays well
// below the bar of 55%. Under an emulator (qemu runs that epoch in about
// 30 s) and with -short, the test trains on 640 images in batches of 32
// and evaluates on 500, which gives 53-64% over seeds 0-5 (52.8% for seed
// 0): the bar is then 40%. Saving the model and evaluating the saved file
// must give the same accuracy exactly.
func TestTrainSaveEval(t *testing.T) {
	dir := t.TempDir()
	cfg := config{data: embeddedData, epochs: 1, batch: 64, opt: "adam", save: filepath.Join(dir, "m.safetensors"), quiet: true}
	bar, nTrain, nTest := 0.55, 2000, 1000
	if testing.Short() || emulated() {
		cfg.ntrain, cfg.ntest, cfg.batch = 640, 500, 32
		bar, nTrain, nTest = 0.40, 640, 500
	}
	var out, errOut bytes.Buffer
	start := time.Now()
	res, err := run(cfg, &out, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("1 epoch on %d images in %v (training %v): accuracy %.4f, loss %.4f", res.samples, time.Since(start), res.epochTimes[0], res.accuracy[0], res.loss[0])
	if res.samples != nTrain || len(res.accuracy) != 1 || len(res.epochTimes) != 1 {
		t.Fatalf("result %+v", res)
	}
	if acc := res.accuracy[0]; acc < bar {
		t.Errorf("test accuracy %.4f after one epoch, want ≥ %.2f", acc, bar)
	}
	// The loss starts at ln 10 = 2.30; the epoch's mean is 1.49 (1.93 on
	// the small slice) for seed 0.
	if l := res.loss[0]; !(l < 2.1) {
		t.Errorf("mean loss %.4f over the first epoch, want < 2.1", l)
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr with -quiet: %q", errOut.String())
	}
	for _, want := range []string{fmt.Sprintf("%d training, %d test images", nTrain, nTest), "epoch 1/1  loss", "summary", "kernels        " + kernels.Path(), "epoch time", "samples/s", "test accuracy", cfg.save} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	ev, err := run(config{data: embeddedData, eval: cfg.save, ntest: cfg.ntest}, &out, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	if ev.accuracy[0] != res.accuracy[0] {
		t.Fatalf("reloaded model: accuracy %v, trained %v", ev.accuracy[0], res.accuracy[0])
	}
	for _, want := range []string{"test accuracy", "Ankle boot", "T-shirt/top"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("eval output lacks %q:\n%s", want, out.String())
		}
	}

	// The saved file is a state dict with PyTorch's names.
	sd, err := nn.LoadSafetensors(cfg.save)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"}
	if got := sd.Keys(); !sameSet(got, want) {
		t.Fatalf("saved keys %v, want %v", got, want)
	}
	if w, _ := sd.Get("0.weight"); !slices.Equal(w.Shape(), []int{256, 784}) {
		t.Fatalf("0.weight shape %v", w.Shape())
	}

	// A file that does not hold this model is refused.
	w, _ := sd.Get("0.weight")
	sd.Set("0.weight", w.Narrow(0, 0, 10))
	bad := filepath.Join(dir, "bad.safetensors")
	if err := nn.SaveSafetensors(bad, sd); err != nil {
		t.Fatal(err)
	}
	_, err = run(config{data: embeddedData, eval: bad}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "0.weight") {
		t.Fatalf("evaluating a model of the wrong shape: %v", err)
	}
	if _, err = run(config{data: embeddedData, eval: filepath.Join(dir, "missing")}, io.Discard, io.Discard); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("evaluating a missing file: %v", err)
	}
}

// emulated reports whether the test runs under an emulator: CI's qemu runs
// set SIMDTORCH_TEST_EXEC (see the README), and qemu's user mode shows
// the host's /proc/cpuinfo, an x86 one, to an arm64 binary.
func emulated() bool {
	if os.Getenv("SIMDTORCH_TEST_EXEC") != "" {
		return true
	}
	if runtime.GOARCH == "amd64" || runtime.GOARCH == "386" {
		return false
	}
	b, _ := os.ReadFile("/proc/cpuinfo")
	return bytes.Contains(b, []byte("GenuineIntel")) || bytes.Contains(b, []byte("AuthenticAMD"))
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// The embedded subset, as loaded, and the same files uncompressed in a
// directory give the same data.
func TestData(t *testing.T) {
	src, err := openSource(embeddedData, false, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	train, err := src.load("train")
	if err != nil {
		t.Fatal(err)
	}
	test, err := src.load("t10k")
	if err != nil {
		t.Fatal(err)
	}
	if train.len() != 2000 || test.len() != 1000 || len(train.x) != 2000*784 || len(test.x) != 1000*784 {
		t.Fatalf("subset sizes %d, %d", train.len(), test.len())
	}
	// Every class occurs, pixels are in [0, 1] with both ends reached.
	var counts [labels]int
	for _, y := range train.y {
		counts[y]++
	}
	for c, n := range counts {
		if n < 150 {
			t.Errorf("class %d (%s): %d training images", c, classes[c], n)
		}
	}
	if lo, hi := slices.Min(train.x), slices.Max(train.x); lo != 0 || hi != 1 {
		t.Errorf("pixels in [%v, %v]", lo, hi)
	}
	// The first test image is an ankle boot, as in Zalando's README.
	if test.y[0] != 9 {
		t.Errorf("first test label %d", test.y[0])
	}

	// Uncompressed copies in a directory, given with -data.
	dir := t.TempDir()
	for _, set := range []string{"train", "t10k"} {
		im, lb := fileNames(set)
		for _, n := range []string{im, lb} {
			gz, err := embedded.ReadFile("data/" + n + ".gz")
			if err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(bytes.NewReader(gz))
			if err != nil {
				t.Fatal(err)
			}
			raw, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, n), raw, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var stderr bytes.Buffer
	dsrc, err := openSource(dir, true, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	dtrain, err := dsrc.load("train")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(dtrain.x, train.x) || !slices.Equal(dtrain.y, train.y) || stderr.Len() != 0 {
		t.Fatal("uncompressed files differ from the embedded ones")
	}
}

func TestDataSources(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none")
	// The default directory without data: the embedded subset, said on stderr.
	var stderr bytes.Buffer
	src, err := openSource(missing, false, &stderr)
	if err != nil || src.dir != "" || !strings.Contains(stderr.String(), "embedded subset") {
		t.Fatalf("fallback: %v, %q, %q", err, src.name, stderr.String())
	}
	// A directory given explicitly must hold the data.
	if _, err := openSource(missing, true, io.Discard); err == nil || !strings.Contains(err.Error(), "lacks") {
		t.Fatalf("explicit empty directory: %v", err)
	}
	// Partial data is an error even for the default directory.
	dir := t.TempDir()
	im, _ := fileNames("train")
	os.WriteFile(filepath.Join(dir, im), []byte{0, 0, 8, 1, 0, 0, 0, 0}, 0o644)
	if _, err := openSource(dir, false, io.Discard); err == nil || !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte") {
		t.Fatalf("partial directory: %v", err)
	}
}

// Bad files are reported with their path.
func TestDataErrors(t *testing.T) {
	u8 := func(dims []int, fill byte) []byte {
		n := 1
		for _, d := range dims {
			n *= d
		}
		b, err := idx.Append(nil, &idx.Array{Type: idx.Uint8, Dims: dims, Data: bytes.Repeat([]byte{fill}, n)})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	good := map[string][]byte{
		"images": u8([]int{3, 28, 28}, 7),
		"labels": u8([]int{3}, 2),
	}
	cases := []struct {
		name           string
		images, labels []byte
		want           string
	}{
		{"truncated images", good["images"][:100], good["labels"], "t10k-images-idx3-ubyte: idx: invalid IDX data: truncated"},
		{"labels not IDX", good["images"], []byte("hello"), "t10k-labels-idx1-ubyte: idx: invalid IDX data: magic"},
		{"image size", u8([]int{3, 28, 27}, 7), good["labels"], "want uint8 images [n 28 28]"},
		{"labels 2-d", good["images"], u8([]int{3, 1}, 2), "want uint8 labels [n]"},
		{"counts", good["images"], u8([]int{4}, 2), "3 images but 4 labels"},
		{"label 10", good["images"], u8([]int{3}, 10), "label 10 of sample 0"},
		{"empty", u8([]int{0, 28, 28}, 0), u8([]int{0}, 0), "no images"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		for _, set := range []string{"train", "t10k"} {
			im, lb := fileNames(set)
			os.WriteFile(filepath.Join(dir, im), c.images, 0o644)
			os.WriteFile(filepath.Join(dir, lb), c.labels, 0o644)
		}
		_, err := run(config{data: dir, dataExplicit: true, epochs: 1, batch: 1, opt: "sgd", quiet: true}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

func TestFlags(t *testing.T) {
	c, err := parseFlags(nil, io.Discard)
	if err != nil || c.data != debianDir || c.dataExplicit || c.epochs != 5 || c.batch != 64 || c.opt != "adam" || c.lr != 0 ||
		c.save != filepath.Join(os.TempDir(), "fashion.safetensors") || c.eval != "" || c.quiet || c.progress {
		t.Fatalf("defaults %+v, %v", c, err)
	}
	c, err = parseFlags([]string{"-data", "/x", "-epochs", "2", "-batch", "10", "-opt", "sgd", "-lr", "0.5", "-threads", "1", "-seed", "7", "-save", "", "-quiet"}, io.Discard)
	if err != nil || c.data != "/x" || !c.dataExplicit || c.epochs != 2 || c.batch != 10 || c.opt != "sgd" || c.lr != 0.5 || c.threads != 1 || c.seed != 7 || c.save != "" || !c.quiet {
		t.Fatalf("parsed %+v, %v", c, err)
	}
	for _, bad := range [][]string{{"-opt", "lbfgs"}, {"-batch", "0"}, {"-epochs", "-1"}, {"-lr", "-1"}, {"-threads", "-2"}, {"-data", ""}, {"extra"}, {"-nosuch"}} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := parseFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

func TestProgress(t *testing.T) {
	var b bytes.Buffer
	now := time.Unix(0, 0)
	p := &progress{w: &b, now: func() time.Time { return now }}
	p.begin("epoch 1/2", 100)
	now = now.Add(time.Second)
	p.update(10, 1.5)
	now = now.Add(10 * time.Millisecond)
	p.update(11, 1.4) // too soon: not drawn
	now = now.Add(time.Second)
	p.update(20, 1.25)
	p.end()
	got := b.String()
	want := "\repoch 1/2 [==>                     ] 10/100  10 batch/s  loss 1.5000  ETA 0:09" +
		"\repoch 1/2 [====>                   ] 20/100  10 batch/s  loss 1.2500  ETA 0:08"
	if !strings.HasPrefix(got, want) || strings.Contains(got, "11/100") || !strings.HasSuffix(got, "\r") {
		t.Fatalf("bar output %q", got)
	}
	if clock(3725*time.Second) != "1:02:05" || clock(65*time.Second) != "1:05" {
		t.Fatal("clock")
	}
	// Without a writer nothing is drawn, and the run's stderr stays empty
	// when it is not a terminal.
	var q progress
	q.begin("x", 1)
	q.update(1, 0)
	q.end()
	if isTerminal(&b) {
		t.Fatal("a buffer is not a terminal")
	}
}

// BenchmarkEpoch is one epoch on the embedded subset (32 steps of batch
// 64); allocs/op and B/op are per epoch.
func BenchmarkEpoch(b *testing.B) {
	src, err := openSource(embeddedData, false, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	train, err := src.load("train")
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"adam", "sgd"} {
		b.Run("opt="+name, func(b *testing.B) {
			net := newModel("mlp")
			var opt optim.Optimizer
			if name == "adam" {
				opt, err = optim.NewAdam(nn.Parameters(net), optim.LR(1e-3))
			} else {
				opt, err = optim.NewSGD(nn.Parameters(net), optim.LR(0.1), optim.Momentum(0.9))
			}
			if err != nil {
				b.Fatal(err)
			}
			tr := newTrainer(net, opt, train, 64, 0)
			b.ReportAllocs()
			for b.Loop() {
				tr.epoch(&progress{})
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tr.steps())/1e3, "µs/step")
		})
	}
}

// BenchmarkEvaluate is one pass over the embedded test subset (1000 images).
func BenchmarkEvaluate(b *testing.B) {
	src, _ := openSource(embeddedData, false, io.Discard)
	test, err := src.load("t10k")
	if err != nil {
		b.Fatal(err)
	}
	net := newModel("mlp")
	b.ReportAllocs()
	for b.Loop() {
		evaluate(net, test)
	}
}

// TestOtherOptimizers: -opt rmsprop and -opt adagrad train too, one epoch
// on 640 embedded images (batches of 32), tested on 500, reach 57-65%
// over seeds 0-2 with their default rates (57.4% both, seed 0); a broken
// step stays near chance (10%), well below the bar of 40%.
func TestOtherOptimizers(t *testing.T) {
	for _, c := range []struct {
		opt string
		bar float64
	}{{"rmsprop", 0.40}, {"adagrad", 0.40}} {
		t.Run(c.opt, func(t *testing.T) {
			cfg := config{data: embeddedData, epochs: 1, batch: 32, ntrain: 640, ntest: 500, opt: c.opt, quiet: true}
			res, err := run(cfg, io.Discard, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: accuracy %.4f, loss %.4f", c.opt, res.accuracy[0], res.loss[0])
			if acc := res.accuracy[0]; acc < c.bar {
				t.Errorf("test accuracy %.4f after one epoch, want ≥ %.2f", acc, c.bar)
			}
			if l := res.loss[0]; !(l < 2.1) {
				t.Errorf("mean loss %.4f over the first epoch, want < 2.1", l)
			}
		})
	}
}

// TestTrainCNN: -model cnn trains the small convolutional net (Conv2d,
// MaxPool2d, Unflatten, Flatten) for one epoch on 640 embedded images
// (batches of 32) and its saved file evaluates to the same accuracy, the
// model kind read from the file's metadata. With Adam at lr 0.01 it
// reaches 55-61% over seeds 0-2 (54.6% for seed 0, mean loss 1.57),
// against a bar of 40% (chance is 10%). The layers' values and gradients
// are checked against torch in nn's tests; this checks that they train
// together and that -eval rebuilds the right model.
func TestTrainCNN(t *testing.T) {
	dir := t.TempDir()
	cfg := config{data: embeddedData, epochs: 1, batch: 32, ntrain: 640, ntest: 500, opt: "adam", model: "cnn", lr: 0.01,
		save: filepath.Join(dir, "cnn.safetensors"), quiet: true}
	var out bytes.Buffer
	res, err := run(cfg, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cnn: accuracy %.4f, loss %.4f, %v", res.accuracy[0], res.loss[0], res.epochTimes[0])
	if acc := res.accuracy[0]; acc < 0.40 {
		t.Errorf("test accuracy %.4f after one epoch, want ≥ 0.40", acc)
	}
	if l := res.loss[0]; !(l < 2.0) {
		t.Errorf("mean loss %.4f over the first epoch, want < 2.0", l)
	}
	if !strings.Contains(out.String(), "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))") {
		t.Errorf("model not printed:\n%s", out.String())
	}
	ev, err := run(config{data: embeddedData, eval: cfg.save, ntest: cfg.ntest}, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if ev.accuracy[0] != res.accuracy[0] {
		t.Errorf("saved model evaluates to %.4f, trained to %.4f", ev.accuracy[0], res.accuracy[0])
	}
}
