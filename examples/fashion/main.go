// Command fashion trains a multilayer perceptron on Fashion-MNIST with
// simdtorch, the recipe of PyTorch's classic tutorial (and of
// ../shared/tools/reference/train_mlp.py, the PyTorch run it is compared
// with):
//
//	model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(),
//	                      nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
//	loss  = nn.CrossEntropyLoss()      # mean over the batch
//	opt   = torch.optim.Adam(model.parameters(), lr=1e-3)
//	        # or SGD(lr=0.1, momentum=0.9)
//
// Pixels are scaled to [0, 1] (pixels/255 as float32); each epoch shuffles
// the training set with a seeded permutation and gathers batches by index
// (the last, partial batch is kept). After each epoch it prints the test
// accuracy; at the end a summary (kernel path, threads, mean epoch time
// without evaluation, samples/s, final accuracy), and it saves the model
// as safetensors, which -eval loads back to evaluate.
//
//	go run ./examples/fashion                     # 5 epochs of Adam
//	go run ./examples/fashion -opt sgd -epochs 10 -threads 1
//	go run ./examples/fashion -model cnn -lr 0.01 # a small convolutional net instead
//	go run ./examples/fashion -eval /tmp/fashion.safetensors
//
// Data: the IDX files of Debian's dataset-fashion-mnist
// (/usr/share/datasets/fashion-mnist, gzipped) or of any directory given
// with -data (gzipped or not). When the default directory has no data,
// an embedded subset (the first 2000 training and 1000 test images,
// MIT-licensed, see data/README.md) is used instead, so the program runs
// on a machine with nothing installed; -data embedded picks it always.
//
// The optimizer steps store zeros instead of subnormal numbers
// (kernels.SetFlushDenormal, PyTorch's torch.set_flush_denormal(True)):
// weights fed by always-blank pixels get zero gradients, their momentum
// decays into subnormals, and x86 computes on those with microcode assists,
// which made epochs up to twice as slow. -flush-denormal=false keeps IEEE
// subnormals, as PyTorch does by default.
//
// The model is saved to fashion.safetensors in the system's temporary
// directory unless -save says otherwise (-save "" saves nothing). The
// progress bar (batches/s, running loss, ETA) goes to stderr when stderr
// is a terminal, or always with -progress; -quiet turns it off.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/kernels"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/optim"
	"github.com/simdtorch/simdtorch/tensor"
)

// config is the command line.
type config struct {
	data         string // directory, or "embedded"
	dataExplicit bool   // -data given: no fallback to the embedded subset
	epochs       int
	batch        int
	opt          string // "sgd", "adam", "rmsprop" or "adagrad"
	model        string // "mlp" or "cnn"
	lr           float64
	threads      int
	seed         uint64
	save         string
	eval         string
	quiet        bool
	progress     bool
	ntrain       int // use the first ntrain training samples (0: all)
	ntest        int // and the first ntest test samples
	cpuprofile   string
	flush        bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fl := flag.NewFlagSet("fashion", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.StringVar(&c.data, "data", debianDir, `directory of the IDX files ({train,t10k}-{images-idx3,labels-idx1}-ubyte, optionally .gz), or "embedded" for the embedded subset`)
	fl.IntVar(&c.epochs, "epochs", 5, "training epochs")
	fl.IntVar(&c.batch, "batch", 64, "batch size")
	fl.StringVar(&c.opt, "opt", "adam", "optimizer: adam (lr 1e-3), sgd (lr 0.1, momentum 0.9), rmsprop (lr 1e-3) or adagrad (lr 1e-2)")
	fl.Float64Var(&c.lr, "lr", 0, "learning rate (0: the optimizer's default above)")
	fl.StringVar(&c.model, "model", "mlp", "model: mlp (784-256-128-10) or cnn (two 3x3 convolutions with max pooling, then a linear layer)")
	fl.IntVar(&c.threads, "threads", 0, "kernel threads (kernels.SetThreads; 0: GOMAXPROCS)")
	fl.Uint64Var(&c.seed, "seed", 0, "seed of the initialisation and the shuffling")
	fl.StringVar(&c.save, "save", filepath.Join(os.TempDir(), "fashion.safetensors"), `where to save the trained model ("" for nowhere)`)
	fl.StringVar(&c.eval, "eval", "", "evaluate the model saved in this file instead of training")
	fl.BoolVar(&c.quiet, "quiet", false, "no progress bar")
	fl.BoolVar(&c.progress, "progress", false, "draw the progress bar even when stderr is not a terminal")
	fl.IntVar(&c.ntrain, "ntrain", 0, "train on the first n training samples only (0: all)")
	fl.IntVar(&c.ntest, "ntest", 0, "evaluate on the first n test samples only (0: all)")
	fl.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile to this file (go tool pprof)")
	fl.BoolVar(&c.flush, "flush-denormal", true, "optimizer steps store zeros instead of subnormal numbers (kernels.SetFlushDenormal, torch.set_flush_denormal); false keeps IEEE subnormals, which x86 computes with microcode assists")
	fl.Usage = func() {
		fmt.Fprintf(fl.Output(), "Usage: fashion [flags]\n\nTrains a 784-256-128-10 MLP on Fashion-MNIST. Flags:\n")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return c, err
	}
	fl.Visit(func(f *flag.Flag) { c.dataExplicit = c.dataExplicit || f.Name == "data" })
	switch {
	case fl.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q", fl.Args())
	case c.data == "":
		return c, errors.New(`-data "": want a directory or "embedded"`)
	case c.epochs < 0:
		return c, fmt.Errorf("-epochs %d: want 0 or more", c.epochs)
	case c.batch < 1:
		return c, fmt.Errorf("-batch %d: want 1 or more", c.batch)
	case c.opt != "adam" && c.opt != "sgd" && c.opt != "rmsprop" && c.opt != "adagrad":
		return c, fmt.Errorf("-opt %q: want adam, sgd, rmsprop or adagrad", c.opt)
	case c.model != "mlp" && c.model != "cnn":
		return c, fmt.Errorf("-model %q: want mlp or cnn", c.model)
	case c.lr < 0:
		return c, fmt.Errorf("-lr %v: want a positive rate (0: the default)", c.lr)
	case c.threads < 0:
		return c, fmt.Errorf("-threads %d: want 1 or more (0: the default)", c.threads)
	case c.ntrain < 0 || c.ntest < 0:
		return c, errors.New("-ntrain and -ntest want 0 (all) or more")
	}
	return c, nil
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err == nil && cfg.cpuprofile != "" {
		var f *os.File
		if f, err = os.Create(cfg.cpuprofile); err == nil {
			defer f.Close()
			if err = pprof.StartCPUProfile(f); err == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	if err == nil {
		_, err = run(cfg, os.Stdout, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fashion:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// result is what a run measured.
type result struct {
	accuracy   []float64       // test accuracy after each epoch (one entry for -eval)
	loss       []float64       // mean training loss of each epoch
	epochTimes []time.Duration // training time of each epoch, evaluation excluded
	samples    int             // training samples per epoch
	heap       []uint64        // Go heap in use after each epoch, bytes
}

// newModel returns the model kind ("mlp" or "cnn"), initialised from
// tensor's default generator as PyTorch's layers are from
// torch.manual_seed. The MLP is train_mlp.py's 784-256-128-10; the CNN a
// small LeNet-like net on the same [batch, 784] input:
//
//	nn.Sequential(nn.Unflatten(1, (1, 28, 28)),
//	              nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
//	              nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
//	              nn.Flatten(), nn.Linear(16*7*7, 10))
func newModel(kind string) *nn.Sequential {
	if kind == "cnn" {
		return nn.NewSequential(
			nn.NewUnflatten(1, 1, 28, 28),
			nn.NewConv2d(1, 8, 3, nn.Padding(1)), nn.NewReLU(), nn.NewMaxPool2d(2),
			nn.NewConv2d(8, 16, 3, nn.Padding(1)), nn.NewReLU(), nn.NewMaxPool2d(2),
			nn.NewFlatten(), nn.NewLinear(16*7*7, labels),
		)
	}
	return nn.NewSequential(
		nn.NewLinear(pixels, 256), nn.NewReLU(),
		nn.NewLinear(256, 128), nn.NewReLU(),
		nn.NewLinear(128, labels),
	)
}

func run(cfg config, stdout, stderr io.Writer) (*result, error) {
	if cfg.threads > 0 {
		defer kernels.SetThreads(kernels.SetThreads(cfg.threads))
	}
	if cfg.flush != kernels.FlushDenormal() {
		defer kernels.SetFlushDenormal(kernels.SetFlushDenormal(cfg.flush))
	}
	src, err := openSource(cfg.data, cfg.dataExplicit, stderr)
	if err != nil {
		return nil, err
	}
	test, err := src.load("t10k")
	if err != nil {
		return nil, err
	}
	test = test.first(cfg.ntest)
	if cfg.eval != "" {
		return evalSaved(cfg, test, src, stdout)
	}
	train, err := src.load("train")
	if err != nil {
		return nil, err
	}
	train = train.first(cfg.ntrain)
	fmt.Fprintf(stdout, "Fashion-MNIST from %s: %d training, %d test images\n", src.name, train.len(), test.len())

	tensor.Seed(cfg.seed) // torch.manual_seed(seed)
	net := newModel(cfg.model)
	var opt optim.Optimizer
	lr := cfg.lr
	switch cfg.opt {
	case "sgd":
		lr = cmpOr(lr, 0.1)
		opt, err = optim.NewSGD(nn.Parameters(net), optim.LR(lr), optim.Momentum(0.9))
	case "adam":
		lr = cmpOr(lr, 1e-3)
		opt, err = optim.NewAdam(nn.Parameters(net), optim.LR(lr))
	case "rmsprop":
		lr = cmpOr(lr, 1e-3)
		opt, err = optim.NewRMSprop(nn.Parameters(net), optim.LR(lr))
	case "adagrad":
		lr = cmpOr(lr, 1e-2)
		opt, err = optim.NewAdagrad(nn.Parameters(net), optim.LR(lr))
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "%v\n%d parameters; %s lr %g, batch %d, %s, seed %d; kernels %s, %s\n",
		net, nn.NumParameters(net), cfg.opt, lr, cfg.batch, plural(cfg.epochs, "epoch"), cfg.seed, kernels.Path(), threads())

	bar := &progress{}
	if cfg.progress && !cfg.quiet || !cfg.quiet && isTerminal(stderr) {
		bar.w = stderr
	}
	t := newTrainer(net, opt, train, cfg.batch, cfg.seed)
	res := &result{samples: train.len()}
	for ep := range cfg.epochs {
		bar.begin(fmt.Sprintf("epoch %d/%d", ep+1, cfg.epochs), t.steps())
		start := time.Now()
		loss := t.epoch(bar)
		el := time.Since(start)
		bar.end()
		acc := evaluate(net, test)
		res.loss = append(res.loss, loss)
		res.epochTimes = append(res.epochTimes, el)
		res.accuracy = append(res.accuracy, acc)
		res.heap = append(res.heap, heapInUse())
		fmt.Fprintf(stdout, "epoch %d/%d  loss %.4f  test accuracy %.2f%%  %.2f s (%.0f samples/s)\n",
			ep+1, cfg.epochs, loss, 100*acc, el.Seconds(), float64(train.len())/el.Seconds())
	}
	if cfg.epochs == 0 {
		res.accuracy = append(res.accuracy, evaluate(net, test))
	}

	fmt.Fprintln(stdout, "\nsummary")
	fmt.Fprintf(stdout, "  kernels        %s (this CPU: %s), %s, flush denormals %v\n", kernels.Path(), strings.Join(kernels.Paths(), ", "), threads(), kernels.FlushDenormal())
	if n := len(res.epochTimes); n > 0 {
		mean := meanDuration(res.epochTimes)
		fmt.Fprintf(stdout, "  epoch time     mean %.2f s, min %.2f s, max %.2f s over %s (training only)\n",
			mean.Seconds(), slices.Min(res.epochTimes).Seconds(), slices.Max(res.epochTimes).Seconds(), plural(n, "epoch"))
		fmt.Fprintf(stdout, "  throughput     %.0f samples/s, %.0f batches/s\n",
			float64(train.len())/mean.Seconds(), float64(t.steps())/mean.Seconds())
	}
	fmt.Fprintf(stdout, "  test accuracy  %.2f%% after %s (%d images)\n", 100*res.accuracy[len(res.accuracy)-1], plural(cfg.epochs, "epoch"), test.len())
	if len(res.heap) > 0 {
		fmt.Fprintf(stdout, "  memory         Go heap in use after each epoch (MiB):")
		for _, h := range res.heap {
			fmt.Fprintf(stdout, " %.1f", float64(h)/(1<<20))
		}
		if rss, ok := peakRSS(); ok {
			fmt.Fprintf(stdout, "; peak RSS %.1f MiB", float64(rss)/(1<<20))
		}
		fmt.Fprintln(stdout)
	}
	if cfg.save != "" {
		sd := nn.StateDict(net)
		sd.Metadata = map[string]string{"format": "pt", "model": cfg.model}
		if err := nn.SaveSafetensors(cfg.save, sd); err != nil {
			return res, err
		}
		fmt.Fprintf(stdout, "  model saved    %s (evaluate: go run ./examples/fashion -eval %s)\n", cfg.save, cfg.save)
	}
	return res, nil
}

// threads says how many threads the kernels use.
func threads() string { return plural(kernels.Threads(), "thread") }

// plural returns "1 epoch", "2 epochs".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func cmpOr(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

func meanDuration(ds []time.Duration) time.Duration {
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return s / time.Duration(len(ds))
}

// evalSaved loads a saved model and evaluates it on the test set.
func evalSaved(cfg config, test *dataset, src source, stdout io.Writer) (*result, error) {
	sd, err := nn.LoadSafetensors(cfg.eval)
	if err != nil {
		return nil, err
	}
	kind := sd.Metadata["model"] // absent in files saved before -model
	if kind == "" {
		kind = "mlp"
	}
	if kind != "mlp" && kind != "cnn" {
		return nil, fmt.Errorf("%s: unknown model %q in the file's metadata", cfg.eval, kind)
	}
	net := newModel(kind)
	if _, err := nn.LoadStateDict(net, sd); err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.eval, err)
	}
	start := time.Now()
	correct, perClass := evaluateClasses(net, test)
	el := time.Since(start)
	acc := float64(correct) / float64(test.len())
	fmt.Fprintf(stdout, "%s on %d test images from %s\n", cfg.eval, test.len(), src.name)
	for c, n := range perClass {
		fmt.Fprintf(stdout, "  %-12s %6.2f%% of %d\n", classes[c], 100*float64(n[0])/float64(max(n[1], 1)), n[1])
	}
	fmt.Fprintf(stdout, "test accuracy %.2f%% (%d/%d), %.0f images/s (kernels %s, %s)\n",
		100*acc, correct, test.len(), float64(test.len())/el.Seconds(), kernels.Path(), threads())
	return &result{accuracy: []float64{acc}}, nil
}

// trainer holds the training loop's state and its reused buffers.
type trainer struct {
	net   *nn.Sequential
	opt   optim.Optimizer
	data  *dataset
	batch int
	gen   *tensor.Generator
	xs    *tensor.Tensor // the training images as one [n 784] tensor (Xtr)
	xb    *tensor.Tensor // [batch 784], reused for every batch
	x     *grad.Variable // xb as an input
	yb    []int
}

func newTrainer(net *nn.Sequential, opt optim.Optimizer, d *dataset, batch int, seed uint64) *trainer {
	b := min(batch, max(d.len(), 1))
	t := &trainer{
		net: net, opt: opt, data: d, batch: batch,
		gen: tensor.NewGenerator(seed), // torch.Generator().manual_seed(seed)
		xs:  tensor.New(d.images(0, d.len()), d.len(), pixels),
		xb:  tensor.Zeros(b, pixels),
		yb:  make([]int, b),
	}
	t.x = grad.New(t.xb)
	return t
}

func (t *trainer) steps() int { return (t.data.len() + t.batch - 1) / t.batch }

// epoch runs one pass over the shuffled training set and returns the
// mean of the batch losses.
func (t *trainer) epoch(bar *progress) float64 {
	n := t.data.len()
	perm := t.gen.Perm(n) // torch.randperm(n, generator=g)
	var sum float64
	steps := 0
	for start := 0; start < n; start += t.batch {
		bs := min(t.batch, n-start)
		ids := perm[start : start+bs]
		// Gather the batch, Xtr[perm[i:i+bs]], into the reused tensor: the
		// previous batch's graph, the only other reader, is gone.
		x := t.x
		if bs < t.xb.Size(0) { // the last, partial batch
			x = grad.New(t.xb.Narrow(0, 0, bs))
		}
		tensor.IndexSelectInto(x.Value(), t.xs, 0, ids)
		for i, j := range ids {
			t.yb[i] = t.data.y[j]
		}
		// zero_grad(set_to_none=False): the gradients keep their memory
		// and backward writes into it, so steps allocate no gradients.
		t.opt.ZeroGrad(optim.SetToNone(false))
		loss := grad.CrossEntropyInts(t.net.Forward(x), t.yb[:bs])
		loss.Backward()
		t.opt.Step()
		sum += loss.Item()
		steps++
		bar.update(steps, sum/float64(steps))
	}
	return sum / float64(max(steps, 1))
}

// evalChunk is how many test images one forward pass takes.
const evalChunk = 1000

// evaluate returns the accuracy of net on d.
func evaluate(net *nn.Sequential, d *dataset) float64 {
	correct, _ := evaluateClasses(net, d)
	return float64(correct) / float64(max(d.len(), 1))
}

// evaluateClasses counts the images of d that net classifies right, in
// all and per class: forward passes without a graph (torch.no_grad) over
// chunks of the set, argmax of each row.
func evaluateClasses(net *nn.Sequential, d *dataset) (correct int, perClass [labels][2]int) {
	for start := 0; start < d.len(); start += evalChunk {
		end := min(start+evalChunk, d.len())
		out := net.Forward(grad.NoGrad(tensor.New(d.images(start, end), end-start, pixels))).Value()
		logits := tensor.Data[float32](out.Contiguous())
		for i := range end - start {
			y := d.y[start+i]
			perClass[y][1]++
			if _, k := kernels.MaxIdx(logits[i*labels : (i+1)*labels]); k == y {
				correct++
				perClass[y][0]++
			}
		}
	}
	return correct, perClass
}
