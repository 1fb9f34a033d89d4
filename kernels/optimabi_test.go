package kernels

import (
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// optimConsts returns the integer constants declared in the given Go
// files whose names start with one of prefixes, by name: the flag bits
// and k indexes of the optimizer steps. The const blocks are type-checked
// on their own (they use only iota and shifts).
func optimConsts(t *testing.T, prefixes []string, files ...string) map[string]int64 {
	t.Helper()
	fset := token.NewFileSet()
	f := &ast.File{Name: ast.NewIdent("abi")}
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		pf, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range pf.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				f.Decls = append(f.Decls, g)
			}
		}
	}
	info := &types.Info{Defs: map[*ast.Ident]types.Object{}}
	conf := types.Config{Error: func(error) {}} // other constants may name things outside their block
	_, _ = conf.Check("abi", fset, []*ast.File{f}, info)
	out := map[string]int64{}
	for id, obj := range info.Defs {
		c, ok := obj.(*types.Const)
		if !ok {
			continue
		}
		for _, p := range prefixes {
			if strings.HasPrefix(id.Name, p) {
				if v, exact := constantInt(c); exact {
					out[id.Name] = v
				}
			}
		}
	}
	return out
}

func constantInt(c *types.Const) (int64, bool) {
	if c.Val() == nil || c.Val().Kind() != constant.Int {
		return 0, false
	}
	return constant.Int64Val(c.Val())
}

// TestOptimABI: the flag bits and k-array indexes the optimizer steps
// pass to their assembly are declared three times, here and in the two
// generators (_asm/optim.go, _neon/optim.go, separate modules that do not
// import this one). Every constant a generator declares must have the
// value this package gives it.
func TestOptimABI(t *testing.T) {
	prefixes := []string{"sgd", "adam", "rms", "adagrad"}
	ours := optimConsts(t, prefixes, "optim.go", "optim_rms.go")
	for _, name := range []string{"sgdMomentum", "adamAMSGrad", "rmsKMom", "adagradKNegCLR"} {
		if _, ok := ours[name]; !ok {
			t.Fatalf("%s not found in this package's constants %v", name, ours)
		}
	}
	for _, gen := range []string{filepath.Join("..", "_asm", "optim.go"), filepath.Join("..", "_neon", "optim.go")} {
		theirs := optimConsts(t, prefixes, gen)
		if len(theirs) < 20 {
			t.Fatalf("%s: only %d constants found: %v", gen, len(theirs), theirs)
		}
		for name, v := range theirs {
			want, ok := ours[name]
			switch {
			case !ok:
				t.Errorf("%s declares %s = %d, which package kernels does not have", gen, name, v)
			case v != want:
				t.Errorf("%s declares %s = %d, package kernels %d", gen, name, v, want)
			}
		}
	}
}
