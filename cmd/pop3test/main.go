// Command pop3test is Cyrus's POP3 test client (see pkg/mtest).
package main

import (
	"os"

	"gocyrus/internal/tool"
	"gocyrus/pkg/mtest"
)

func main() {
	os.Exit(tool.Run(mtest.Command(mtest.POP3, os.Stdin, os.Stdout), os.Args, os.Stderr))
}
