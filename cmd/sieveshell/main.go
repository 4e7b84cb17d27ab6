// Command sieveshell manages a user's Sieve scripts on a ManageSieve
// server, as Cyrus's sieveshell does (see pkg/sieveshell).
package main

import (
	"context"
	"os"

	"gocyrus/pkg/sieveshell"
)

func main() {
	os.Exit(sieveshell.Sieveshell(context.Background(), os.Args[1:],
		&sieveshell.Env{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, User: os.Getenv("USER")}))
}
