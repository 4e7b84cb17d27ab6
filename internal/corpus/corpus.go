package corpus

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Message is one corpus case: a file under test/corpus/messages.
type Message struct {
	Name string // the file name without ".eml": the case's name
	Data []byte
}

// LoadMessages reads the corpus in the order both servers receive it
// (by name), so that sequence numbers agree.
func LoadMessages(dir string) ([]Message, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		return nil, fmt.Errorf("listing the corpus: %w", err)
	}
	sort.Strings(names)
	var msgs []Message
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("reading the corpus: %w", err)
		}
		msgs = append(msgs, Message{Name: strings.TrimSuffix(filepath.Base(n), ".eml"), Data: data})
	}
	return msgs, nil
}

// AppendCommand is the APPEND of the ith message (from 0): a fixed
// INTERNALDATE a minute apart, so SORT ARRIVAL and DATE fall-backs agree
// between runs and servers.
func AppendCommand(mailbox string, i int, data []byte) string {
	date := time.Date(2020, 1, 2, 3, 4, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	return fmt.Sprintf("APPEND %s %q {%d+}\r\n%s", mailbox, date.Format("02-Jan-2006 15:04:05 -0700"), len(data), data)
}

// maxCommands bounds the FETCHes of one message: a deeply nested case
// tests the nesting with its first parts, not with thousands of them.
const maxCommands = 150

// FetchCommands are the FETCHes the corpus records for message seq, whose
// BODYSTRUCTURE is bs: the whole message's items, then BODY[...] of every
// part (HEADER and TEXT of message/rfc822 parts) and BINARY of every leaf.
func FetchCommands(seq int, bs Value) []string {
	items := []string{"ENVELOPE", "BODYSTRUCTURE", "BODY", "RFC822.SIZE", "BODY.PEEK[]", "BODY.PEEK[HEADER]",
		"BODY.PEEK[TEXT]", "BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE)]"}
	if isMultipart(bs) {
		for i, child := range children(bs) {
			items = partItems(items, strconv.Itoa(i+1), child, 0)
		}
	} else {
		items = partItems(items, "1", bs, 0)
	}
	if len(items) > maxCommands {
		items = items[:maxCommands]
	}
	cmds := make([]string, len(items))
	for i, it := range items {
		cmds[i] = fmt.Sprintf("FETCH %d (%s)", seq, it)
	}
	return cmds
}

func partItems(items []string, path string, part Value, depth int) []string {
	if len(items) > maxCommands || depth > maxDepth {
		return items
	}
	items = append(items, "BODY.PEEK["+path+"]", "BODY.PEEK["+path+".MIME]")
	switch {
	case isMultipart(part):
		for i, child := range children(part) {
			items = partItems(items, path+"."+strconv.Itoa(i+1), child, depth+1)
		}
	case isMessage(part):
		items = append(items, "BODY.PEEK["+path+".HEADER]", "BODY.PEEK["+path+".TEXT]")
		inner := part.Items[8]
		if isMultipart(inner) {
			for i, child := range children(inner) {
				items = partItems(items, path+"."+strconv.Itoa(i+1), child, depth+1)
			}
		} else {
			items = partItems(items, path+".1", inner, depth+1)
		}
	default:
		items = append(items, "BINARY.PEEK["+path+"]", "BINARY.SIZE["+path+"]")
	}
	return items
}

func isMultipart(v Value) bool {
	return v.Kind == List && len(v.Items) > 0 && v.Items[0].Kind == List
}

func children(v Value) []Value {
	var c []Value
	for _, it := range v.Items {
		if it.Kind != List {
			break
		}
		c = append(c, it)
	}
	return c
}

func isMessage(v Value) bool {
	return v.Kind == List && len(v.Items) >= 10 && strings.EqualFold(v.Items[0].Text, "message") &&
		(strings.EqualFold(v.Items[1].Text, "rfc822") || strings.EqualFold(v.Items[1].Text, "global")) &&
		v.Items[8].Kind == List
}

// Exchange is one command of a transcript and the reply it had.
type Exchange struct {
	Command string
	Reply   []byte
}

// WriteTranscript writes a fixture: comment lines, then per command
// "> command", "< <byte count>", the reply bytes and a newline. The byte
// counts make it safe for 8-bit and binary replies.
func WriteTranscript(path string, comment string, ex []Exchange) error {
	var b bytes.Buffer
	for _, line := range strings.Split(strings.TrimSpace(comment), "\n") {
		b.WriteString("# " + line + "\n")
	}
	for _, e := range ex {
		fmt.Fprintf(&b, "> %s\n< %d\n%s\n", e.Command, len(e.Reply), e.Reply)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing the transcript: %w", err)
	}
	return nil
}

// ReadTranscript reads a fixture WriteTranscript wrote.
func ReadTranscript(data []byte) ([]Exchange, error) {
	var ex []Exchange
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		if bytes.HasPrefix(line, []byte("#")) {
			data = rest
			continue
		}
		cmd, ok := bytes.CutPrefix(line, []byte("> "))
		if !ok {
			return nil, fmt.Errorf("transcript: %q where a command was expected", firstLine(string(line)))
		}
		countLine, rest, _ := bytes.Cut(rest, []byte("\n"))
		count, ok := bytes.CutPrefix(countLine, []byte("< "))
		n, err := strconv.Atoi(string(count))
		if !ok || err != nil || n < 0 || n+1 > len(rest) || rest[n] != '\n' {
			return nil, fmt.Errorf("transcript: bad reply length after %q", cmd)
		}
		ex = append(ex, Exchange{Command: string(cmd), Reply: rest[:n]})
		data = rest[n+1:]
	}
	return ex, nil
}
