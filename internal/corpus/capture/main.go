// Command capture records the corpus transcripts from a reference IMAP
// server: it runs the server command given after the flags on its stdin
// and stdout (a preauthenticated session, as Dovecot's imap binary gives),
// APPENDs every message of -messages to its INBOX and writes one
// transcript per message, and one for the -queries, into -out.
// scripts/capture-dovecot-corpus runs it against a private Dovecot.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"gocyrus/internal/corpus"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "capture:", err)
		os.Exit(1)
	}
}

func run() error {
	messages := flag.String("messages", "test/corpus/messages", "the corpus messages (*.eml)")
	queries := flag.String("queries", "test/corpus/queries.txt", "SEARCH and SORT commands, one a line")
	out := flag.String("out", "test/corpus/dovecot", "where the transcripts go")
	comment := flag.String("comment", "", "first comment line of every transcript (the server's version)")
	flag.Parse()
	if flag.NArg() == 0 {
		return fmt.Errorf("usage: capture [flags] server-command [args...]")
	}
	msgs, err := corpus.LoadMessages(*messages)
	if err != nil {
		return err
	}
	qdata, err := os.ReadFile(*queries)
	if err != nil {
		return fmt.Errorf("reading the queries: %w", err)
	}
	srv := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	srv.Stderr = os.Stderr
	in, err := srv.StdinPipe()
	if err != nil {
		return err
	}
	outp, err := srv.StdoutPipe()
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return fmt.Errorf("starting the server: %w", err)
	}
	defer func() { in.Close(); srv.Wait() }()
	w := bufio.NewWriter(in)
	c, greeting, err := corpus.NewClient(outp, flushWriter{w})
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	if !bytes.HasPrefix(greeting, []byte("* PREAUTH")) {
		return fmt.Errorf("the server must start preauthenticated, said %q", greeting)
	}
	for i, m := range msgs {
		if err := okay(c, corpus.AppendCommand("INBOX", i, m.Data)); err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
	}
	if err := okay(c, "SELECT INBOX"); err != nil {
		return err
	}
	head := strings.TrimSpace(*comment + "\nCaptured by scripts/capture-dovecot-corpus: do not edit; differences go in test/corpus/differences.md.")
	for i, m := range msgs {
		reply, err := c.Do(fmt.Sprintf("FETCH %d (BODYSTRUCTURE)", i+1))
		if err != nil {
			return err
		}
		a, err := corpus.ParseReply(reply)
		if err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
		ex, err := exchanges(c, corpus.FetchCommands(i+1, a.Fetch["BODYSTRUCTURE"]))
		if err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
		if err := corpus.WriteTranscript(filepath.Join(*out, m.Name+".txt"), head, ex); err != nil {
			return err
		}
	}
	var qs []string
	for _, q := range strings.Split(string(qdata), "\n") {
		if q = strings.TrimSpace(q); q != "" && !strings.HasPrefix(q, "#") {
			qs = append(qs, q)
		}
	}
	ex, err := exchanges(c, qs)
	if err != nil {
		return err
	}
	if err := corpus.WriteTranscript(filepath.Join(*out, "_queries.txt"), head, ex); err != nil {
		return err
	}
	_, err = c.Do("LOGOUT")
	return err
}

// timing is Dovecot's "(0.001 + 0.000 secs)" in a tagged line: dropped so
// that a re-capture changes only what the server's answers changed.
var timing = regexp.MustCompile(` \(\d+\.\d+( \+ \d+\.\d+)* secs\)`)

func exchanges(c *corpus.Client, cmds []string) ([]corpus.Exchange, error) {
	var ex []corpus.Exchange
	for _, cmd := range cmds {
		reply, err := c.Do(cmd)
		if err != nil {
			return nil, err
		}
		if i := bytes.LastIndex(reply, []byte("\nT ")); i >= 0 || bytes.HasPrefix(reply, []byte("T ")) {
			reply = append(reply[:i+1:i+1], timing.ReplaceAll(reply[i+1:], nil)...)
		}
		ex = append(ex, corpus.Exchange{Command: cmd, Reply: reply})
	}
	return ex, nil
}

func okay(c *corpus.Client, cmd string) error {
	reply, err := c.Do(cmd)
	if err != nil {
		return err
	}
	if a, err := corpus.ParseReply(reply); err != nil || a.Status != "OK" && !strings.HasPrefix(a.Status, "OK ") {
		return fmt.Errorf("%q: %s", strings.SplitN(cmd, "\r\n", 2)[0], reply)
	}
	return nil
}

// flushWriter sends each command at once.
type flushWriter struct{ w *bufio.Writer }

func (f flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err == nil {
		err = f.w.Flush()
	}
	return n, err
}
