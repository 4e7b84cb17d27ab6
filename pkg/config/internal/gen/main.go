// Command gen regenerates the files derived from config.Options. Run it from
// pkg/config with "go generate": it rewrites options_gen.go and the OPTIONS
// section of man/man5/imapd.conf.5.
package main

import (
	"fmt"
	"os"

	"gocyrus/pkg/config"
	"gocyrus/pkg/config/internal/optgen"
)

// Paths relative to pkg/config, where go generate runs.
const (
	accessorFile = "options_gen.go"
	manPage      = "../../man/man5/imapd.conf.5"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	src, err := optgen.Accessors(config.Options)
	if err != nil {
		return err
	}
	if err := os.WriteFile(accessorFile, src, 0o644); err != nil {
		return err
	}
	page, err := os.ReadFile(manPage)
	if err != nil {
		return err
	}
	page, err = optgen.Splice(page, optgen.ManOptions(config.Options, config.OverflowPrefixes))
	if err != nil {
		return fmt.Errorf("%s: %w", manPage, err)
	}
	return os.WriteFile(manPage, page, 0o644)
}
