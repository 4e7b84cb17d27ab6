// Command sivtest is Cyrus's ManageSieve test client (see pkg/mtest).
package main

import (
	"os"

	"gocyrus/internal/tool"
	"gocyrus/pkg/mtest"
)

func main() {
	os.Exit(tool.Run(mtest.Command(mtest.Sieve, os.Stdin, os.Stdout), os.Args, os.Stderr))
}
