package sieveclient

import (
	"bufio"
	"encoding/base64"
	"io"
	"strings"
	"testing"

	"github.com/xdg-go/scram"
)

// scramServer answers one SCRAM-SHA-256 exchange for alice/s3cret as a
// ManageSieve server does: challenges as quoted strings, the server's
// final message in the OK's SASL code. lie makes it send a wrong
// signature, as a server that does not know the password would.
func scramServer(t *testing.T, lie bool) func(r *bufio.Reader, w io.Writer) {
	client, _ := scram.SHA256.NewClient("alice", "s3cret", "")
	creds := client.GetStoredCredentials(scram.KeyFactors{Salt: "saltsalt", Iters: 4096})
	srv, err := scram.SHA256.NewServer(func(string) (scram.StoredCredentials, error) { return creds, nil })
	if err != nil {
		t.Fatal(err)
	}
	return func(r *bufio.Reader, w io.Writer) {
		conv := srv.NewConversation()
		l, _ := r.ReadString('\n')
		first, ok := strings.CutPrefix(strings.TrimSpace(l), `AUTHENTICATE "SCRAM-SHA-256" "`)
		if !ok {
			t.Errorf("first line %q", l)
			return
		}
		step := func(b64msg string) string {
			dec, _ := base64.StdEncoding.DecodeString(strings.Trim(b64msg, `"`))
			out, err := conv.Step(string(dec))
			if err != nil {
				io.WriteString(w, "NO \"Authentication Error\"\r\n")
				return ""
			}
			return base64.StdEncoding.EncodeToString([]byte(out))
		}
		chal := step(first)
		if chal == "" {
			return
		}
		io.WriteString(w, `"`+chal+"\"\r\n")
		l, _ = r.ReadString('\n')
		final := step(strings.TrimSpace(l))
		if final == "" {
			return
		}
		if lie {
			final = base64.StdEncoding.EncodeToString([]byte("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="))
		}
		io.WriteString(w, "OK (SASL \""+final+"\")\r\n")
	}
}

func TestSCRAM(t *testing.T) {
	c := fake(t, scramServer(t, false))
	if err := c.AuthenticateSCRAM("SCRAM-SHA-256", "alice", "alice", "s3cret"); err != nil {
		t.Fatalf("good password: %v", err)
	}
	c = fake(t, scramServer(t, false))
	if err := c.AuthenticateSCRAM("SCRAM-SHA-256", "", "alice", "wrong"); err == nil || !strings.Contains(err.Error(), "Authentication Error") {
		t.Errorf("wrong password: %v", err)
	}
	c = fake(t, scramServer(t, true))
	if err := c.AuthenticateSCRAM("SCRAM-SHA-256", "", "alice", "s3cret"); err == nil || !strings.Contains(err.Error(), "final message") {
		t.Errorf("server's forged signature believed: %v", err)
	}
}
