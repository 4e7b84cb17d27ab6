// Command lmtptest is Cyrus's LMTP test client (see pkg/mtest).
package main

import (
	"os"

	"gocyrus/internal/tool"
	"gocyrus/pkg/mtest"
)

func main() {
	os.Exit(tool.Run(mtest.Command(mtest.LMTP, os.Stdin, os.Stdout), os.Args, os.Stderr))
}
