package mtest

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// FuzzServer feeds arbitrary server bytes to each client: it must end
// (the bytes run out, so the session does too) without a panic.
func FuzzServer(f *testing.F) {
	f.Add([]byte("* OK hi\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR STARTTLS\r\nC01 OK\r\n+ \r\nA01 OK\r\n* BYE\r\n"))
	f.Add([]byte("+OK hi\r\n+OK\r\nSASL PLAIN\r\nSTLS\r\n.\r\n+ \r\n+OK\r\n"))
	f.Add([]byte("220 hi\r\n250-x\r\n250-AUTH PLAIN\r\n250 ok\r\n334 \r\n235 ok\r\n"))
	f.Add([]byte("\"IMPLEMENTATION\" \"x\"\r\n\"SASL\" \"PLAIN\"\r\nOK\r\n\"\"\r\nOK\r\n"))
	f.Add([]byte("* OK " + strings.Repeat("x", 70000) + "\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range Protocols {
			client, server := net.Pipe()
			go func() {
				go io.Copy(io.Discard, server)
				server.Write(data)
				server.Close()
			}()
			var out bytes.Buffer
			runOn(context.Background(), p, Options{Mech: "plain", AuthID: "u", Password: "pw",
				Script: strings.NewReader("x\n"), Timeout: 10 * time.Second}, client, &out)
		}
	})
}
