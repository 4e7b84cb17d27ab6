package config_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gocyrus/pkg/config"
	"gocyrus/pkg/config/internal/optgen"
)

// TestEveryOptionActsOrSaysSo: every option in the table is either read somewhere in the
// code (its accessor cfg.X() or its name as a string, outside the table and the generated
// accessors) or marked NoEffect, so that setting it prints "has no effect in gocyrus: why".
// An option documented in imapd.conf(5) that nothing reads fails here.
func TestEveryOptionActsOrSaysSo(t *testing.T) {
	root := filepath.Join("..", "..")
	var src strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "testdata", "bin":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		switch filepath.ToSlash(p) {
		case "../../pkg/config/options.go", "../../pkg/config/options_gen.go":
			return nil
		}
		b, err := os.ReadFile(p)
		src.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	code := src.String()
	for _, o := range config.Options {
		if o.NoEffect != "" {
			continue
		}
		if strings.Contains(code, "."+optgen.GoName(o.Name)+"()") || strings.Contains(code, strconv.Quote(o.Name)) {
			continue
		}
		t.Errorf("option %q is neither read by the code (cfg.%s() or %q) nor marked NoEffect in pkg/config/options.go", o.Name, optgen.GoName(o.Name), o.Name)
	}
}
