package test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gocyrus/pkg/cyrusdb"
)

// TestKeyPrefixesFromTable keeps pkg/cyrusdb/keys.go the one list of
// database key prefixes: no other non-test file spells a prefix itself
// where a key is built — in a []byte conversion or literal, an append, a
// string concatenation, or a const/var declaration.
func TestKeyPrefixesFromTable(t *testing.T) {
	// Files that spell out the keys of Cyrus's own databases, in Cyrus's
	// format, which only look like ours.
	foreignKeys := map[string]bool{
		"cmd/cyr_dbtool/views.go": true, // Cyrus 3.6's mailboxes.db and sub.db records, N<name>
	}
	prefixes := map[string]bool{}
	for _, ks := range cyrusdb.KeySpaces {
		prefixes[ks.Prefix] = true
	}
	// keyLike: the literal is a prefix, or (for prefixes long enough not
	// to be an accident) begins with one.
	keyLike := func(s string) bool {
		for p := range prefixes {
			if s == p || (len(p) >= 3 && strings.HasPrefix(s, p)) {
				return true
			}
		}
		return false
	}
	fset := token.NewFileSet()
	// Key bytes are only built where the databases are used: the packages
	// importing pkg/cyrusdb (elsewhere "M" and 'A' are just letters).
	pkgs := map[string][]*ast.File{}
	usesDB := map[string]bool{}
	for _, dir := range []string{"pkg", "internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(repoRoot, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			if filepath.ToSlash(path) == filepath.ToSlash(filepath.Join(repoRoot, "pkg/cyrusdb/keys.go")) {
				return nil
			}
			if rel, _ := filepath.Rel(repoRoot, path); foreignKeys[filepath.ToSlash(rel)] {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			dir := filepath.Dir(path)
			pkgs[dir] = append(pkgs[dir], f)
			for _, imp := range f.Imports {
				if imp.Path.Value == `"gocyrus/pkg/cyrusdb"` {
					usesDB[dir] = true
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(usesDB) < 5 {
		t.Fatalf("only %d packages import pkg/cyrusdb: is the walk looking in the right place?", len(usesDB))
	}
	check := func(e ast.Expr) {
		lit, ok := ast.Unparen(e).(*ast.BasicLit)
		if !ok || (lit.Kind != token.STRING && lit.Kind != token.CHAR) {
			return
		}
		var s string
		if lit.Kind == token.CHAR {
			r, _, _, err := strconv.UnquoteChar(lit.Value[1:len(lit.Value)-1], '\'')
			if err != nil {
				return
			}
			s = string(r)
		} else {
			var err error
			if s, err = strconv.Unquote(lit.Value); err != nil {
				return
			}
		}
		if keyLike(s) {
			t.Errorf("%s: key prefix %s spelled out: use the constant from pkg/cyrusdb/keys.go", fset.Position(lit.Pos()), lit.Value)
		}
	}
	for dir, files := range pkgs {
		if !usesDB[dir] {
			continue
		}
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					if isByteSlice(n.Fun) || isIdent(n.Fun, "append") {
						for _, a := range n.Args {
							check(a)
						}
					}
				case *ast.CompositeLit:
					if isByteSlice(n.Type) {
						for _, e := range n.Elts {
							check(e)
						}
					}
				case *ast.BinaryExpr:
					if n.Op == token.ADD {
						check(n.X)
						check(n.Y)
					}
				case *ast.ValueSpec:
					for _, v := range n.Values {
						check(v)
					}
				}
				return true
			})
		}
	}
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// isByteSlice reports whether e is the type []byte.
func isByteSlice(e ast.Expr) bool {
	at, ok := e.(*ast.ArrayType)
	return ok && at.Len == nil && isIdent(at.Elt, "byte")
}
