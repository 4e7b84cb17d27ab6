package cyrusindex

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The values of Cyrus's databases, read for cyr_import (from Cyrus's
// files) and cyr_dbtool set (from an administrator): one reader of each
// form, strict, so a value that does not say what it seems to is refused
// rather than half-read.

// ErrValue is wrapped by every refusal of a database value.
var ErrValue = errors.New("bad value")

// maxValue bounds a database value given to a parser (Cyrus's records are
// far smaller; an ACL of thousands of entries stays well under).
const maxValue = 1 << 20

func valueError(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrValue, fmt.Sprintf(format, a...))
}

// ACLPair is one identifier and its rights letters, as the list value
// writes them (not yet checked against the rights alphabet).
type ACLPair struct{ ID, Rights string }

// ListValue is one Cyrus 3.x mailboxes.db value: the key-value dlist
// "%(T <mbtype> I <uniqueid> P <partition> V <uidvalidity> C <createdmodseq>
// F <foldermodseq> M <mtime> A %(<id> <rights>…) N <name> H (…))". Name is
// the N field (I records), in Cyrus's key form (see InternalName); D is
// the whole dlist, for fields not interpreted here.
type ListValue struct {
	Type, UniqueID, Partition, Name string
	UIDValidity                     uint32
	MTime                           int64
	CreatedModseq, FolderModseq     uint64
	ACL                             []ACLPair
	D                               DList
}

// ParseListValue reads a mailboxes.db value. Numbers must be numbers, the
// ACL a key-value list of atoms, and nothing may follow the dlist.
func ParseListValue(v []byte) (ListValue, error) {
	if len(v) > maxValue {
		return ListValue{}, valueError("%d bytes, more than %d", len(v), maxValue)
	}
	if strings.IndexByte(string(v), 0) >= 0 {
		return ListValue{}, valueError("a NUL byte")
	}
	d, rest, err := ParseDList(v)
	if err != nil {
		return ListValue{}, fmt.Errorf("%w: %w", ErrValue, err)
	}
	if !d.IsKV {
		return ListValue{}, valueError("not a key-value dlist %%(...)")
	}
	if strings.TrimSpace(string(rest)) != "" {
		return ListValue{}, valueError("text after the dlist: %.40q", rest)
	}
	lv := ListValue{Type: d.Str("T"), UniqueID: d.Str("I"), Partition: d.Str("P"), Name: d.Str("N"), D: d}
	for _, k := range []string{"T", "I", "P", "N", "V", "C", "F", "M"} {
		if x, ok := d.Get(k); ok && (x.IsList || x.IsKV) {
			return ListValue{}, valueError("%s is not an atom", k)
		}
	}
	num := func(k string, bits int) (uint64, error) {
		s := d.Str(k)
		if s == "" {
			return 0, nil
		}
		n, err := strconv.ParseUint(s, 10, bits)
		if err != nil {
			return 0, valueError("%s %q is not a number", k, s)
		}
		return n, nil
	}
	var n uint64
	if n, err = num("V", 32); err != nil {
		return ListValue{}, err
	}
	lv.UIDValidity = uint32(n)
	if n, err = num("M", 63); err != nil {
		return ListValue{}, err
	}
	lv.MTime = int64(n)
	if lv.CreatedModseq, err = num("C", 64); err != nil {
		return ListValue{}, err
	}
	if lv.FolderModseq, err = num("F", 64); err != nil {
		return ListValue{}, err
	}
	if a, ok := d.Get("A"); ok {
		if !a.IsKV {
			return ListValue{}, valueError("A is not a key-value list %%(id rights ...)")
		}
		for i, id := range a.Keys {
			if a.Items[i].IsList || a.Items[i].IsKV {
				return ListValue{}, valueError("the rights of %s are not an atom", id)
			}
			lv.ACL = append(lv.ACL, ACLPair{ID: id, Rights: a.Items[i].Atom})
		}
	}
	return lv, nil
}

// InternalName turns a Cyrus 3.x list key ("user\x1falice\x1fWork",
// "example.com\x1duser\x1fbob" or with '!') into the internal name
// (user.alice.Work, example.com!user.bob); a "." inside a level is "^" as
// in Cyrus's internal names.
func InternalName(dbname string) string {
	dbname = strings.Replace(dbname, "\x1d", "!", 1)
	dom, rest, ok := strings.Cut(dbname, "!")
	if !ok {
		dom, rest = "", dbname
	}
	parts := strings.Split(rest, "\x1f")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(p, ".", "^")
	}
	name := strings.Join(parts, ".")
	if dom != "" {
		return dom + "!" + name
	}
	return name
}

// QuotaResources are the resource names of a quota value, in Cyrus's
// order: storage (KiB), messages, annotation storage (KiB), folders.
var QuotaResources = []string{"S", "M", "AS", "NF"}

// QuotaValue is one quota root's record: per resource of QuotaResources
// its usage and its limit (-1 none).
type QuotaValue struct {
	Used, Limit map[string]int64
}

// ParseQuotaValue reads a quota record: the dlist form of Cyrus 3.x
// ("%(S (used limit) M (used limit) … MODSEQ n)", a resource without a
// limit as "(used)") or 2.4's "<bytes used> <storage limit in KiB>" (a
// space or a newline between, a negative limit for none).
func ParseQuotaValue(data []byte) (QuotaValue, error) {
	q := QuotaValue{Used: map[string]int64{}, Limit: map[string]int64{}}
	if len(data) > maxValue {
		return q, valueError("%d bytes, more than %d", len(data), maxValue)
	}
	if strings.IndexByte(string(data), 0) >= 0 {
		return q, valueError("a NUL byte")
	}
	for _, r := range QuotaResources {
		q.Limit[r] = -1
	}
	num := func(what, s string) (int64, error) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, valueError("%s %q is not a number", what, s)
		}
		return n, nil
	}
	if !strings.HasPrefix(string(data), "%(") {
		f := strings.Fields(string(data))
		if len(f) != 2 {
			return q, valueError("neither the dlist %%(S (used limit) ...) nor \"<used> <limit>\"")
		}
		var err error
		if q.Used["S"], err = num("usage", f[0]); err != nil {
			return q, err
		}
		if q.Limit["S"], err = num("limit", f[1]); err != nil {
			return q, err
		}
		q.Limit["S"] = max(q.Limit["S"], -1)
		return q, nil
	}
	d, rest, err := ParseDList(data)
	if err != nil {
		return q, fmt.Errorf("%w: %w", ErrValue, err)
	}
	if strings.TrimSpace(string(rest)) != "" {
		return q, valueError("text after the dlist: %.40q", rest)
	}
	for i, k := range d.Keys {
		item := d.Items[i]
		if k == "MODSEQ" {
			if _, err := strconv.ParseUint(item.Atom, 10, 64); err != nil || item.IsList || item.IsKV {
				return q, valueError("MODSEQ %q is not a number", item.Atom)
			}
			continue
		}
		known := false
		for _, r := range QuotaResources {
			known = known || r == k
		}
		if !known {
			return q, valueError("unknown quota resource %q (%s)", k, strings.Join(QuotaResources, ", "))
		}
		if !item.IsList || len(item.Items) < 1 || len(item.Items) > 2 {
			return q, valueError("%s is not (used) or (used limit)", k)
		}
		for j, x := range item.Items {
			if x.IsList || x.IsKV {
				return q, valueError("%s is not (used) or (used limit)", k)
			}
			n, err := num(k, x.Atom)
			if err != nil {
				return q, err
			}
			if j == 0 {
				q.Used[k] = n
			} else {
				q.Limit[k] = max(n, -1)
			}
		}
	}
	return q, nil
}

// SeenValue is one record of a Cyrus seen database (version 1):
// "1 <lastread> <lastuid> <lastchange> <seen uids>".
type SeenValue struct {
	LastRead   int64
	LastUID    uint32
	LastChange int64
	SeenUIDs   string
}

// ParseSeenValue reads a seen record. The seen UIDs must be a UID set
// ("1:3,5", "" for none): digits, ':' and ','.
func ParseSeenValue(v []byte) (SeenValue, error) {
	if len(v) > maxValue {
		return SeenValue{}, valueError("%d bytes, more than %d", len(v), maxValue)
	}
	f := strings.Split(string(v), " ")
	if len(f) < 4 || len(f) > 5 || f[0] != "1" {
		return SeenValue{}, valueError("not \"1 <lastread> <lastuid> <lastchange> <seen uids>\"")
	}
	var s SeenValue
	var err1, err2, err3 error
	s.LastRead, err1 = strconv.ParseInt(f[1], 10, 64)
	uid, err2 := strconv.ParseUint(f[2], 10, 32)
	s.LastChange, err3 = strconv.ParseInt(f[3], 10, 64)
	if errors.Join(err1, err2, err3) != nil {
		return SeenValue{}, valueError("lastread, lastuid and lastchange must be numbers")
	}
	s.LastUID = uint32(uid)
	if len(f) == 5 {
		s.SeenUIDs = f[4]
	}
	if strings.Trim(s.SeenUIDs, "0123456789:,") != "" {
		return SeenValue{}, valueError("seen uids %.40q are not a UID set", s.SeenUIDs)
	}
	return s, nil
}

// AnnotationOwner stands for the mailbox's owner in the userid of a Cyrus
// 3.x annotations.db key.
const AnnotationOwner = "[.OwNeR.]"

// ParseAnnotationKey reads an annotations.db key: "<mailbox> NUL <entry>
// NUL <userid> NUL", the mailbox a uniqueid (3.x; 2.4 a name; "" for the
// server), the userid "" for a shared value.
func ParseAnnotationKey(k []byte) (mailbox, entry, user string, err error) {
	parts := strings.Split(string(k), "\x00")
	if len(parts) < 3 || len(parts) > 4 || len(parts) == 4 && parts[3] != "" {
		return "", "", "", valueError("key %.60q is not <mailbox>\\0<entry>\\0<userid>\\0", k)
	}
	if !strings.HasPrefix(parts[1], "/") {
		return "", "", "", valueError("entry %.60q does not begin with /", parts[1])
	}
	return parts[0], parts[1], parts[2], nil
}

// ParseAnnotationValue returns the value bytes of an annotations.db
// record. Every Cyrus writes the value's length from htonl into an
// unsigned long (on the 64-bit machines that wrote nearly all of them, a
// big-endian u32 and four zero bytes; on 32-bit ones the u32 alone), then
// the value. Cyrus 2.4 follows it with "\0<content-type>\0" and
// modifiedsince in another unsigned long, nothing else (annotate.c
// write_entry of 2.4); 3.x writes the same fields and then a modseq and
// flags, and reads only the length and value. So: the exact 2.4 shape,
// with either word size, else 3.x's 8-byte length and value with anything
// after it.
func ParseAnnotationValue(v []byte) ([]byte, error) {
	for _, word := range []int{8, 4} {
		if val, ok := annotationValue24(v, word); ok {
			return val, nil
		}
	}
	if len(v) < 8 {
		return nil, valueError("%d bytes, shorter than the 8 of the length", len(v))
	}
	n := binary.BigEndian.Uint32(v)
	if uint64(n) > uint64(len(v)-8) || n > maxValue {
		return nil, valueError("length %d runs past the %d bytes of the value", n, len(v)-8)
	}
	return v[8 : 8+n], nil
}

// annotationValue24 reads the 2.4 shape with a length word of word bytes:
// word, value, NUL, content type, NUL, word, and nothing after.
func annotationValue24(v []byte, word int) ([]byte, bool) {
	if len(v) < 2*word+2 {
		return nil, false
	}
	n := uint64(binary.BigEndian.Uint32(v))
	if word == 8 && binary.BigEndian.Uint32(v[4:]) != 0 {
		return nil, false
	}
	if n > uint64(len(v)-2*word-2) || n > maxValue || v[uint64(word)+n] != 0 {
		return nil, false
	}
	rest := v[uint64(word)+n+1:] // content type, NUL, modifiedsince
	ct := bytes.IndexByte(rest, 0)
	if ct < 0 || len(rest)-ct-1 != word || bytes.IndexByte(rest[:ct], '/') < 0 {
		return nil, false
	}
	return v[word : uint64(word)+n], true
}
