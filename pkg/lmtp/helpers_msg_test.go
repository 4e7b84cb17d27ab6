package lmtp

import (
	"bytes"
	"io"

	"gocyrus/pkg/sieve"
)

// splitMessage splits raw as lmtpd stages it: the header block in
// memory, the rest (from the empty line) readable at an offset.
func splitMessage(raw []byte) ([]byte, *io.SectionReader) {
	block := headerBlock(raw)
	return block, io.NewSectionReader(bytes.NewReader(raw), int64(len(block)), int64(len(raw)-len(block)))
}

func sieveMessageOf(raw []byte) *sieveMessage { return newSieveMessage(splitMessage(raw)) }

// editMessage applies editHeaders to raw's header and returns the whole
// edited message.
func editMessage(raw []byte, edits []sieve.Action) []byte {
	head, body := splitMessage(raw)
	out := editHeaders(head, edits)
	rest, _ := io.ReadAll(body)
	return append(out, rest...)
}
