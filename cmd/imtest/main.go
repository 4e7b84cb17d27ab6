// Command imtest is Cyrus's IMAP test client (see pkg/mtest).
package main

import (
	"os"

	"gocyrus/internal/tool"
	"gocyrus/pkg/mtest"
)

func main() {
	os.Exit(tool.Run(mtest.Command(mtest.IMAP, os.Stdin, os.Stdout), os.Args, os.Stderr))
}
