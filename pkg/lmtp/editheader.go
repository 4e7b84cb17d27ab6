package lmtp

import (
	"bytes"
	"mime"
	"strings"

	"gocyrus/pkg/sieve"
)

// editHeaders replays a script's addheader/deleteheader actions (RFC 5293)
// on a header block and returns the edited copy; the body is not touched
// (the copy shares the stage file's). Fields keep their raw form, folding
// included; added values that are not ASCII are RFC 2047 encoded.
func editHeaders(head []byte, edits []sieve.Action) []byte {
	fields := splitRawFields(head)
	for _, a := range edits {
		switch a.Kind {
		case sieve.AddHeader:
			f := a.Header + ": " + mime.QEncoding.Encode("utf-8", oneLine(a.Value)) + "\r\n"
			if a.Last {
				fields = append(fields, f)
			} else {
				fields = append([]string{f}, fields...)
			}
		case sieve.DeleteHeader:
			n := 0
			for i, f := range fields {
				if !strings.EqualFold(fieldName(f), a.Header) {
					continue
				}
				if n++; n == a.Index {
					fields = append(fields[:i], fields[i+1:]...)
					break
				}
			}
		}
	}
	var b bytes.Buffer
	b.Grow(len(head) + 256)
	for _, f := range fields {
		b.WriteString(f)
	}
	return b.Bytes()
}

// splitRawFields splits a header block into fields, each with its
// continuation lines and line ends.
func splitRawFields(block []byte) []string {
	var out []string
	for len(block) > 0 {
		end := bytes.IndexByte(block, '\n') + 1
		if end == 0 {
			end = len(block)
		}
		line := string(block[:end])
		block = block[end:]
		if (line[0] == ' ' || line[0] == '\t') && len(out) > 0 {
			out[len(out)-1] += line
			continue
		}
		out = append(out, line)
	}
	return out
}

func fieldName(raw string) string {
	name, _, _ := strings.Cut(raw, ":")
	return strings.TrimRight(name, " \t")
}
