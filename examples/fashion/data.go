package main

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/simdtorch/simdtorch/internal/idx"
)

// The embedded subset: the first 2000 training and 1000 test samples,
// cut from the full set by internal/mksubset (see data/README.md).
//
//go:generate go run ./internal/mksubset -src /usr/share/datasets/fashion-mnist -out data
//go:embed data/*.gz
var embedded embed.FS

const (
	// debianDir is where Debian's dataset-fashion-mnist installs the set.
	debianDir = "/usr/share/datasets/fashion-mnist"
	// embeddedData is the -data value that selects the embedded subset.
	embeddedData = "embedded"

	side   = 28
	pixels = side * side
	labels = 10
)

// classes are Fashion-MNIST's labels, in order.
var classes = [labels]string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// dataset holds n images as pixels/255 in float32, row after row, and
// their labels.
type dataset struct {
	x []float32 // n×784
	y []int
}

func (d *dataset) len() int { return len(d.y) }

// images returns the pixels of samples [i, j).
func (d *dataset) images(i, j int) []float32 { return d.x[i*pixels : j*pixels : j*pixels] }

// first returns the first n samples (all when n <= 0 or n >= len).
func (d *dataset) first(n int) *dataset {
	if n <= 0 || n >= d.len() {
		return d
	}
	return &dataset{x: d.images(0, n), y: d.y[:n:n]}
}

// fileNames are the four files of the set, as Zalando and Debian name
// them; each may also be gzipped with a .gz suffix.
func fileNames(set string) (img, lbl string) {
	return set + "-images-idx3-ubyte", set + "-labels-idx1-ubyte"
}

// source says where the data comes from: a directory or the embedded
// subset.
type source struct {
	fsys fs.FS
	name string // for messages
	dir  string // "" for the embedded subset
}

// openSource picks the data: dir's files when it holds them, else the
// embedded subset when dir was not given explicitly (with a note on
// stderr), else an error.
func openSource(dir string, explicit bool, stderr io.Writer) (source, error) {
	emb, _ := fs.Sub(embedded, "data")
	embSrc := source{emb, "the embedded subset (examples/fashion/data)", ""}
	if dir == embeddedData {
		return embSrc, nil
	}
	fsys := os.DirFS(dir)
	var missing []string
	for _, set := range []string{"train", "t10k"} {
		im, lb := fileNames(set)
		for _, n := range []string{im, lb} {
			f, _, err := find(fsys, n)
			if errors.Is(err, fs.ErrNotExist) {
				missing = append(missing, n)
				continue
			}
			if err != nil {
				return source{}, err
			}
			f.Close()
		}
	}
	switch {
	case len(missing) == 0:
		return source{fsys, dir, dir}, nil
	case len(missing) == 4 && !explicit:
		fmt.Fprintf(stderr, "fashion: no Fashion-MNIST in %s (Debian: apt install dataset-fashion-mnist, or give -data DIR);\n"+
			"fashion: using the embedded subset of 2000 training and 1000 test images\n", dir)
		return embSrc, nil
	}
	return source{}, fmt.Errorf("%s lacks %v (with or without .gz)", dir, missing)
}

// find opens name.gz or name in fsys.
func find(fsys fs.FS, name string) (fs.File, string, error) {
	for _, n := range []string{name + ".gz", name} {
		f, err := fsys.Open(n)
		if err == nil {
			return f, n, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, "", err
		}
	}
	return nil, "", fmt.Errorf("%s(.gz): %w", name, fs.ErrNotExist)
}

// load reads one set ("train" or "t10k") and checks it: uint8 images
// [n 28 28], uint8 labels [n] below 10.
func (s source) load(set string) (*dataset, error) {
	imName, lbName := fileNames(set)
	im, err := s.read(imName)
	if err != nil {
		return nil, err
	}
	lb, err := s.read(lbName)
	if err != nil {
		return nil, err
	}
	px, err := im.Uint8s()
	if err != nil || len(im.Dims) != 3 || im.Dims[1] != side || im.Dims[2] != side {
		return nil, fmt.Errorf("%s: %v %v: want uint8 images [n 28 28]", s.path(imName), im.Type, im.Dims)
	}
	ys, err := lb.Uint8s()
	if err != nil || len(lb.Dims) != 1 {
		return nil, fmt.Errorf("%s: %v %v: want uint8 labels [n]", s.path(lbName), lb.Type, lb.Dims)
	}
	if im.Dims[0] != lb.Dims[0] {
		return nil, fmt.Errorf("%s: %d images but %d labels", s.name, im.Dims[0], lb.Dims[0])
	}
	if im.Dims[0] == 0 {
		return nil, fmt.Errorf("%s: no images", s.path(imName))
	}
	d := &dataset{x: make([]float32, len(px)), y: make([]int, len(ys))}
	for i, p := range px {
		d.x[i] = float32(p) / 255 // torch: uint8 → float32, / 255.0
	}
	for i, c := range ys {
		if c >= labels {
			return nil, fmt.Errorf("%s: label %d of sample %d is not below %d", s.path(lbName), c, i, labels)
		}
		d.y[i] = int(c)
	}
	return d, nil
}

func (s source) read(name string) (*idx.Array, error) {
	f, n, err := find(s.fsys, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	defer f.Close()
	a, err := idx.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.path(n), err)
	}
	return a, nil
}

func (s source) path(name string) string {
	if s.dir == "" {
		return "embedded data/" + name
	}
	return filepath.Join(s.dir, name)
}
