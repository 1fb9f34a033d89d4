// Command mksubset cuts the Fashion-MNIST subset embedded in
// examples/fashion from the full data set: the first -train training and
// the first -test test images and labels, written as gzipped IDX files
// with the original names. From examples/fashion:
//
//	go generate    # runs: go run ./internal/mksubset -src /usr/share/datasets/fashion-mnist -out data
//
// The source directory may hold the files gzipped (Debian's
// dataset-fashion-mnist) or not. Go's gzip writer records no name or
// time, so the output depends only on the input and the Go version's
// compressor.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/simdtorch/simdtorch/internal/idx"
)

func main() {
	src := flag.String("src", "/usr/share/datasets/fashion-mnist", "directory of the full data set")
	out := flag.String("out", "data", "output directory")
	ntrain := flag.Int("train", 2000, "training samples to keep")
	ntest := flag.Int("test", 1000, "test samples to keep")
	flag.Parse()
	for _, set := range []struct {
		prefix string
		n      int
	}{{"train", *ntrain}, {"t10k", *ntest}} {
		for _, kind := range []string{"images-idx3", "labels-idx1"} {
			name := set.prefix + "-" + kind + "-ubyte"
			if err := cut(filepath.Join(*src, name), filepath.Join(*out, name+".gz"), set.n); err != nil {
				fmt.Fprintln(os.Stderr, "mksubset:", err)
				os.Exit(1)
			}
		}
	}
}

// cut writes the first n entries (along the first dimension) of the IDX
// file src (src or src.gz) to dst, gzipped.
func cut(src, dst string, n int) error {
	a, err := idx.ReadFile(src + ".gz")
	if os.IsNotExist(err) {
		a, err = idx.ReadFile(src)
	}
	if err != nil {
		return err
	}
	if n > a.Dims[0] {
		return fmt.Errorf("%s has %d entries, fewer than %d", src, a.Dims[0], n)
	}
	a.Data = a.Data[:n*(len(a.Data)/max(a.Dims[0], 1))]
	a.Dims[0] = n
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := idx.Write(zw, a); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %v %v, %d bytes\n", dst, a.Type, a.Dims, buf.Len())
	return nil
}
