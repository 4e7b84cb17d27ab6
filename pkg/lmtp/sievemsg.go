package lmtp

import (
	"bytes"
	"io"
	"strings"

	"gocyrus/pkg/msgheader"
)

// sieveMessage is the message as a Sieve script sees it: the stored text,
// trace headers included (Cyrus runs scripts on what it spooled). Header
// tests read the header in memory; body tests read the stage file, as
// far as sieve.Env.MaxBodySize lets them.
type sieveMessage struct {
	head   []byte
	body   *io.SectionReader
	fields []msgheader.Field // parsed on first use
	parsed bool
}

func newSieveMessage(head []byte, body *io.SectionReader) *sieveMessage {
	return &sieveMessage{head: head, body: body}
}

func (m *sieveMessage) Header(name string) []string {
	if !m.parsed {
		m.fields, m.parsed = msgheader.Parse(m.head), true
	}
	var out []string
	for _, f := range m.fields {
		if strings.EqualFold(f.Name, name) {
			out = append(out, f.Value())
		}
	}
	return out
}

func (m *sieveMessage) Size() int64 { return int64(len(m.head)) + m.body.Size() }

func (m *sieveMessage) Body() (io.Reader, error) {
	return io.MultiReader(bytes.NewReader(m.head), io.NewSectionReader(m.body, 0, m.body.Size())), nil
}
