package main

import (
	_ "github.com/dgraph-io/badger/v4"
	_ "github.com/emersion/go-imap/v2"
	_ "github.com/emersion/go-imap/v2/imapclient"
	_ "github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset"
	_ "github.com/emersion/go-sasl"
	_ "github.com/emersion/go-smtp"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/urfave/cli/v3"
	_ "github.com/xdg-go/scram"
	_ "golang.org/x/sys/unix"
	_ "golang.org/x/term"
)

func main() {}
