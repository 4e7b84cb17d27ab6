package mboxlist

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mboxname"
)

// DumpError names the line of a dump that could not be read.
type DumpError struct {
	Line int
	Msg  string
}

func (e *DumpError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ParseOptions tune how a dump is read.
type ParseOptions struct {
	// DeleteRight is the legacy letter that also grants x (imapd.conf
	// deleteright, default 'c').
	DeleteRight byte
	// TextOnly refuses anything but the tab-separated text format (-L).
	TextOnly bool
	// Partitions are the configured partitions (partition-NAME, names in
	// lower case); a local entry on any other is refused. nil: not checked.
	Partitions map[string]bool
}

// Dump is a parsed dump: its entries and the line each starts on.
type Dump struct {
	Entries []*Entry
	Lines   []int
}

// maxDumpLine bounds one line of a tab-separated dump.
const maxDumpLine = 1 << 20

// ParseDump reads a dump in Cyrus 3.x JSON or in the tab-separated 2.x
// format (detected by the first non-blank byte) and returns its entries. It
// stops at the first malformed entry with a *DumpError naming its line.
func ParseDump(r io.Reader, opt ParseOptions) ([]*Entry, error) {
	d, err := ReadDump(r, opt)
	if err != nil || d == nil {
		return nil, err
	}
	return d.Entries, nil
}

// ReadDump is ParseDump keeping each entry's line (for CheckImport). Every
// entry is checked by itself and against the others: a valid name, known
// mbtype letters, an ACL that parses, a configured partition, a name and a
// uniqueid (of a live mailbox) used once.
func ReadDump(r io.Reader, opt ParseOptions) (*Dump, error) {
	if opt.DeleteRight == 0 {
		opt.DeleteRight = 'c'
	}
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		b, err := br.Peek(1)
		if err == io.EOF {
			return &Dump{}, nil
		}
		if err != nil {
			return nil, err
		}
		if b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n' {
			if b[0] == '\n' {
				return parseTabDump(br, opt) // blank first line: a text dump
			}
			br.ReadByte()
			continue
		}
		if b[0] == '{' {
			if opt.TextOnly {
				return nil, &DumpError{Line: 1, Msg: "a JSON dump, but -L asks for the text format"}
			}
			return parseJSONDump(br, opt)
		}
		return parseTabDump(br, opt)
	}
}

// lineCounter maps decoder offsets to line numbers.
type lineCounter struct {
	data []byte
}

func (lc lineCounter) line(off int64) int {
	if off > int64(len(lc.data)) {
		off = int64(len(lc.data))
	}
	return bytes.Count(lc.data[:off], []byte{'\n'}) + 1
}

func parseJSONDump(r io.Reader, opt ParseOptions) (*Dump, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	lc := lineCounter{data}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	fail := func(msg string, a ...any) error {
		return &DumpError{Line: lc.line(dec.InputOffset()), Msg: fmt.Sprintf(msg, a...)}
	}
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, fail("a JSON dump must be one object")
	}
	c := newDumpChecker(opt)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fail("%v", cleanJSONError(err))
		}
		key, _ := tok.(string)
		var raw map[string]json.RawMessage
		start := dec.InputOffset()
		if err := dec.Decode(&raw); err != nil {
			return nil, fail("entry %q: %v", key, cleanJSONError(err))
		}
		e, err := entryFromJSON(key, raw, opt)
		if err != nil {
			return nil, &DumpError{Line: lc.line(start), Msg: err.Error()}
		}
		if err := c.add(e, lc.line(start)); err != nil {
			return nil, err
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, fail("the dump object is not closed")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fail("text after the end of the dump")
	}
	return &c.dump, nil
}

func cleanJSONError(err error) string {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of dump"
	}
	return err.Error()
}

// jsonString reads a member that Cyrus writes as a string (numbers are
// accepted as numbers too).
func jsonString(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	return "", fmt.Errorf("not a string: %s", raw)
}

func entryFromJSON(key string, raw map[string]json.RawMessage, opt ParseOptions) (*Entry, error) {
	e := &Entry{Name: key}
	str := func(field string) (string, error) {
		v, ok := raw[field]
		if !ok {
			return "", nil
		}
		delete(raw, field)
		s, err := jsonString(v)
		if err != nil {
			return "", fmt.Errorf("mailbox %s: %s: %v", key, field, err)
		}
		return s, nil
	}
	num := func(field string, bits int) (uint64, error) {
		s, err := str(field)
		if err != nil || s == "" {
			return 0, err
		}
		n, err := strconv.ParseUint(s, 10, bits)
		if err != nil {
			return 0, fmt.Errorf("mailbox %s: %s: %q is not a number", key, field, s)
		}
		return n, nil
	}
	name, err := str("name")
	if err != nil {
		return nil, err
	}
	if name != "" && name != key {
		return nil, fmt.Errorf("mailbox %s: name field says %q", key, name)
	}
	if e.Partition, err = str("partition"); err != nil {
		return nil, err
	}
	if e.UniqueID, err = str("uniqueid"); err != nil {
		return nil, err
	}
	if e.Type, err = str("mbtype"); err != nil {
		return nil, err
	}
	if e.Server, err = str("server"); err != nil {
		return nil, err
	}
	if e.SpecialUse, err = str("legacy_specialuse"); err != nil {
		return nil, err
	}
	var n uint64
	if n, err = num("mtime", 63); err != nil {
		return nil, err
	}
	e.MTime = int64(n)
	if n, err = num("uidvalidity", 32); err != nil {
		return nil, err
	}
	e.UIDValidity = uint32(n)
	if e.CreatedModseq, err = num("createdmodseq", 64); err != nil {
		return nil, err
	}
	if e.FolderModseq, err = num("foldermodseq", 64); err != nil {
		return nil, err
	}
	if a, ok := raw["acl"]; ok {
		delete(raw, "acl")
		if e.ACL, err = aclFromJSON(a, opt); err != nil {
			return nil, fmt.Errorf("mailbox %s: acl: %v", key, err)
		}
	}
	if h, ok := raw["name_history"]; ok {
		delete(raw, "name_history")
		if err := json.Unmarshal(h, &e.NameHistory); err != nil {
			return nil, fmt.Errorf("mailbox %s: name_history must be a list", key)
		}
	}
	if err := checkFields(e); err != nil {
		return nil, err
	}
	if len(raw) > 0 {
		e.Extra = raw
	}
	return e, nil
}

// checkFields checks what an entry says by itself: a valid name, and a
// well-formed partition unless it is a tombstone or a remote mailbox.
func checkFields(e *Entry) error {
	if err := mboxname.Validate(e.Name); err != nil {
		return fmt.Errorf("mailbox %s: %v", e.Name, err)
	}
	if !e.IsDeleted() && e.Partition == "" && e.Server == "" {
		return fmt.Errorf("mailbox %s: no partition", e.Name)
	}
	if err := validPartition(e.Partition); err != nil {
		return fmt.Errorf("mailbox %s: %v", e.Name, err)
	}
	return nil
}

// aclFromJSON reads {"id": "rights", ...} keeping the order of the dump.
func aclFromJSON(raw json.RawMessage, opt ParseOptions) (acl.ACL, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("must be an object")
	}
	var a acl.ACL
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		id, _ := k.(string)
		v, err := dec.Token()
		if err != nil {
			return nil, err
		}
		rs, ok := v.(string)
		if !ok || id == "" {
			return nil, fmt.Errorf("entry %q: rights must be a string", id)
		}
		r, err := acl.ParseRights(rs, opt.DeleteRight)
		if err != nil {
			return nil, fmt.Errorf("entry %q: %v", id, err)
		}
		a = append(a, acl.Entry{ID: id, Rights: r})
	}
	return a, nil
}

func validPartition(p string) error {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("bad partition name %q", p)
		}
	}
	return nil
}

// parseTabDump reads Cyrus 2.x lines: name TAB partition TAB id TAB rights
// TAB ...; the 2.4-3.4 form has "mbtype partition" as the second field, and
// a last field ">uniqueid mtime uidvalidity foldermodseq createdmodseq [specialuse]".
func parseTabDump(r *bufio.Reader, opt ParseOptions) (*Dump, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxDumpLine)
	c := newDumpChecker(opt)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		if !utf8.ValidString(text) {
			// The JSON dump (and every name and ACL identifier gocyrus
			// keeps) is UTF-8: such a byte could not come back out as it
			// went in.
			return nil, &DumpError{Line: line, Msg: "not UTF-8"}
		}
		e, err := entryFromTabLine(text, opt)
		if err != nil {
			return nil, &DumpError{Line: line, Msg: err.Error()}
		}
		if err := c.add(e, line); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &DumpError{Line: line + 1, Msg: "line too long"}
		}
		return nil, err
	}
	return &c.dump, nil
}

func entryFromTabLine(text string, opt ParseOptions) (*Entry, error) {
	fields := strings.Split(text, "\t")
	if len(fields) < 2 {
		return nil, fmt.Errorf("expected name<TAB>partition<TAB>acl, got %q", text)
	}
	e := &Entry{Name: fields[0]}
	if err := mboxname.Validate(e.Name); err != nil {
		return nil, fmt.Errorf("mailbox %q: %v", e.Name, err)
	}
	part := fields[1]
	if sp := strings.IndexByte(part, ' '); sp >= 0 {
		e.Type = legacyMbtype(part[:sp])
		part = part[sp+1:]
		// 2.4's value is "mbtype partition acl...": the first ACL id may share the field.
		if sp2 := strings.IndexByte(part, ' '); sp2 >= 0 {
			fields = append([]string{fields[0], part[:sp2], part[sp2+1:]}, fields[2:]...)
			part = part[:sp2]
		}
	}
	e.Partition = part
	if err := validPartition(part); err != nil || part == "" {
		return nil, fmt.Errorf("mailbox %s: bad partition %q", e.Name, part)
	}
	rest := fields[2:]
	if n := len(rest); n > 0 && strings.HasPrefix(rest[n-1], ">") {
		if err := parseLegacyTail(e, rest[n-1][1:]); err != nil {
			return nil, fmt.Errorf("mailbox %s: %v", e.Name, err)
		}
		rest = rest[:n-1]
	}
	if n := len(rest); n > 0 && rest[n-1] == "" {
		rest = rest[:n-1]
	}
	if len(rest)%2 != 0 {
		return nil, fmt.Errorf("mailbox %s: ACL has an identifier without rights", e.Name)
	}
	for i := 0; i < len(rest); i += 2 {
		id, rs := rest[i], rest[i+1]
		if id == "" {
			return nil, fmt.Errorf("mailbox %s: empty ACL identifier", e.Name)
		}
		r, err := acl.ParseRights(rs, opt.DeleteRight)
		if err != nil {
			return nil, fmt.Errorf("mailbox %s: rights of %s: %v", e.Name, id, err)
		}
		e.ACL = append(e.ACL, acl.Entry{ID: id, Rights: r})
	}
	if e.UniqueID == "" && !strings.ContainsRune(e.Type, 'l') {
		// 2.x spools are laid out by name; the uniqueid is in cyrus.header
		// and reconstruct fills it in.
		e.Type += "l"
	}
	return e, nil
}

// legacyMbtype maps 2.4's numeric mbtype (0 = email) or 3.x letters.
func legacyMbtype(s string) string {
	if n, err := strconv.Atoi(s); err == nil {
		if n&1 != 0 {
			return "r" // MBTYPE_REMOTE
		}
		return ""
	}
	if s == "e" {
		return ""
	}
	return s
}

func parseLegacyTail(e *Entry, s string) error {
	f := strings.Fields(s)
	if len(f) < 5 {
		return fmt.Errorf("short metadata %q", s)
	}
	e.UniqueID = f[0]
	mt, err1 := strconv.ParseInt(f[1], 10, 64)
	uv, err2 := strconv.ParseUint(f[2], 10, 32)
	fm, err3 := strconv.ParseUint(f[3], 10, 64)
	cm, err4 := strconv.ParseUint(f[4], 10, 64)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return fmt.Errorf("bad metadata %q", s)
	}
	e.MTime, e.UIDValidity, e.FolderModseq, e.CreatedModseq = mt, uint32(uv), fm, cm
	if len(f) > 5 {
		e.SpecialUse = strings.Join(f[5:], " ")
	}
	return nil
}

// importBatch bounds one database transaction of an import.
const importBatch = 500

// Import writes parsed entries, replacing entries of the same name. The
// dump has already been validated whole by ParseDump, so nothing is written
// for a malformed dump; the writes go in batches to stay within the
// database's transaction size.
func (l *List) Import(ctx context.Context, entries []*Entry) error {
	// The counter first: an import stopped half-way must not leave an
	// imported UIDVALIDITY free to be handed out again.
	var top uint32
	for _, e := range entries {
		top = max(top, e.UIDValidity)
	}
	if err := l.RaiseUIDValidity(ctx, top); err != nil {
		return err
	}
	for start := 0; start < len(entries); start += importBatch {
		end := min(start+importBatch, len(entries))
		ops := make([]cyrusdb.Op, 0, end-start)
		for _, e := range entries[start:end] {
			b, err := encodeEntry(e)
			if err != nil {
				return err
			}
			ops = append(ops, cyrusdb.Put{Key: nameKey(e.Name), Val: b})
		}
		if err := l.db.Txn(ctx, nil, ops); err != nil {
			return fmt.Errorf("mboxlist: import stopped after %d of %d entries: %w", start, len(entries), err)
		}
	}
	return nil
}
