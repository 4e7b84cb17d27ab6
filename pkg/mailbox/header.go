package mailbox

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Header is what cyrus.header records: the mailbox's identity and its
// keyword names. The bit i of a record's KeywordSet means Keywords[i].
type Header struct {
	Name        string // internal mailbox name, e.g. "user.fred.Sent"
	UniqueID    string
	UIDValidity uint32 // never 0; Create takes it from the caller's allocator
	Keywords    []string
}

const headerMagic = "gocyrus mailbox header 1"

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// encodeHeader renders cyrus.header:
//
//	gocyrus mailbox header 1
//	name <name>
//	uniqueid <id>
//	uidvalidity <n>
//	keywords <kw> <kw> ...
//	crc <8 hex digits: CRC-32C of every byte before this line>
func encodeHeader(h Header) ([]byte, error) {
	if err := validHeaderValue(h.Name); err != nil {
		return nil, fmt.Errorf("mailbox name: %w", err)
	}
	if err := validHeaderValue(h.UniqueID); err != nil || strings.ContainsAny(h.UniqueID, " \t") {
		return nil, fmt.Errorf("invalid uniqueid %q", h.UniqueID)
	}
	for _, k := range h.Keywords {
		if !ValidKeyword(k) {
			return nil, fmt.Errorf("invalid keyword %q", k)
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nname %s\nuniqueid %s\nuidvalidity %d\nkeywords %s\n",
		headerMagic, h.Name, h.UniqueID, h.UIDValidity, strings.Join(h.Keywords, " "))
	fmt.Fprintf(&b, "crc %08x\n", crc32.Checksum(b.Bytes(), crcTable))
	return b.Bytes(), nil
}

func validHeaderValue(s string) error {
	if s == "" {
		return errors.New("empty")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] == 0x7f {
			return fmt.Errorf("control character in %q", s)
		}
	}
	return nil
}

// decodeHeader parses cyrus.header, checking its CRC.
func decodeHeader(data []byte) (Header, error) {
	var h Header
	body, crcLine, ok := cutLastLine(data)
	if !ok || !strings.HasPrefix(crcLine, "crc ") {
		return h, corruptf(headerFile, "missing checksum line")
	}
	want, err := strconv.ParseUint(strings.TrimPrefix(crcLine, "crc "), 16, 32)
	if err != nil {
		return h, corruptf(headerFile, "bad checksum line %q", crcLine)
	}
	if got := crc32.Checksum(body, crcTable); uint32(want) != got {
		return h, corruptf(headerFile, "checksum mismatch (stored %08x, computed %08x)", want, got)
	}
	lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
	if len(lines) == 0 || lines[0] != headerMagic {
		return h, corruptf(headerFile, "unknown format %q", lines[0])
	}
	seen := map[string]bool{}
	for _, line := range lines[1:] {
		key, val, _ := strings.Cut(line, " ")
		seen[key] = true
		switch key {
		case "name":
			h.Name = val
		case "uniqueid":
			h.UniqueID = val
		case "uidvalidity":
			n, err := strconv.ParseUint(val, 10, 32)
			if err != nil {
				return h, corruptf(headerFile, "bad uidvalidity %q", val)
			}
			h.UIDValidity = uint32(n)
		case "keywords":
			if val != "" {
				h.Keywords = strings.Split(val, " ")
			}
		default:
			return h, corruptf(headerFile, "unknown field %q", key)
		}
	}
	for _, k := range []string{"name", "uniqueid", "uidvalidity", "keywords"} {
		if !seen[k] {
			return h, corruptf(headerFile, "missing field %q", k)
		}
	}
	if h.Name == "" || h.UniqueID == "" {
		return h, corruptf(headerFile, "empty name or uniqueid")
	}
	if len(h.Keywords) > MaxKeywords {
		return h, corruptf(headerFile, "%d keywords, limit %d", len(h.Keywords), MaxKeywords)
	}
	return h, nil
}

// cutLastLine splits "....\nlast\n" into ("....\n", "last").
func cutLastLine(data []byte) (body []byte, last string, ok bool) {
	if len(data) == 0 || data[len(data)-1] != '\n' {
		return nil, "", false
	}
	i := bytes.LastIndexByte(data[:len(data)-1], '\n')
	if i < 0 {
		return nil, "", false
	}
	return data[:i+1], string(data[i+1 : len(data)-1]), true
}

// ReadHeader reads and validates dir/cyrus.header. reconstruct -f uses it to
// recognise mailbox directories the mailbox list lacks.
func ReadHeader(dir string) (Header, error) {
	data, err := os.ReadFile(filepath.Join(dir, headerFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Header{}, fmt.Errorf("%s: %w", dir, ErrNotFound)
	}
	if err != nil {
		return Header{}, err
	}
	h, err := decodeHeader(data)
	if err != nil {
		return Header{}, nameCorrupt(dir, err)
	}
	return h, nil
}

// writeHeader atomically replaces dir/cyrus.header. The caller fsyncs dir.
func writeHeader(dir string, h Header) error {
	data, err := encodeHeader(h)
	if err != nil {
		return err
	}
	return writeFileAtomic(dir, headerFile, data)
}

// writeFileAtomic writes name in dir through a temporary file, fsync and
// rename. It does not fsync the directory.
func writeFileAtomic(dir, name string, data []byte) error {
	tmp, err := createTemp(dir, name+".")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, name))
}
