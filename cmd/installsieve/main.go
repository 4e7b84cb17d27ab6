// Command installsieve is Cyrus's older, one-shot Sieve script client
// (deprecated there in favour of sieveshell; see pkg/sieveshell).
package main

import (
	"context"
	"os"

	"gocyrus/pkg/sieveshell"
)

func main() {
	os.Exit(sieveshell.Installsieve(context.Background(), os.Args[1:],
		&sieveshell.Env{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, User: os.Getenv("USER")}))
}
