package lmtp

import (
	"bytes"
	"io"
	"strings"

	"gocyrus/pkg/sieve"
)

// sieveMessage is the message as a Sieve script sees it: the stored text,
// trace headers included (Cyrus runs scripts on what it spooled). Header
// tests read the header in memory; body tests read the stage file, as
// far as sieve.Env.MaxBodySize lets them.
type sieveMessage struct {
	head   []byte
	body   *io.SectionReader
	fields []headerField // parsed on first use
	parsed bool
}

// headerField is one header field, its value unfolded.
type headerField struct {
	name, value string
}

func newSieveMessage(head []byte, body *io.SectionReader) *sieveMessage {
	return &sieveMessage{head: head, body: body}
}

func (m *sieveMessage) Header(name string) []string {
	if !m.parsed {
		m.fields, m.parsed = parseFields(m.head), true
	}
	var out []string
	for _, f := range m.fields {
		if strings.EqualFold(f.name, name) {
			out = append(out, f.value)
		}
	}
	return out
}

func (m *sieveMessage) Size() int64 { return int64(len(m.head)) + m.body.Size() }

func (m *sieveMessage) Body() (io.Reader, error) {
	return io.MultiReader(bytes.NewReader(m.head), io.NewSectionReader(m.body, 0, m.body.Size())), nil
}

// parseFields splits a header block into fields, unfolding continuation
// lines the way net/textproto does. Lines that are neither a field nor a
// continuation are skipped.
func parseFields(block []byte) []headerField {
	var out []headerField
	for _, line := range strings.Split(string(block), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(out) > 0 {
				last := &out[len(out)-1]
				last.value = strings.TrimSpace(last.value + " " + strings.TrimSpace(line))
			}
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimRight(name, " \t")
		if !ok || !sieve.ValidFieldName(name) { // also a bare CR or NUL in the name
			continue
		}
		out = append(out, headerField{name: name, value: strings.TrimSpace(value)})
	}
	return out
}
