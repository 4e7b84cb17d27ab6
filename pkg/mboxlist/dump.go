package mboxlist

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"gocyrus/pkg/cyrusdb"
)

// DumpOptions select what Dump writes.
type DumpOptions struct {
	Partition     string // only entries on this partition ("" = all)
	Intermediates bool   // include intermediate placeholder entries (-y)
}

// Dump writes the list in Cyrus 3.x's JSON format and returns the number of
// entries written.
func (l *List) Dump(ctx context.Context, w io.Writer, opt DumpOptions) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("{\n"); err != nil {
		return 0, err
	}
	n := 0
	var line bytes.Buffer
	err := l.Walk(ctx, "", func(e *Entry) error {
		if opt.Partition != "" && e.Partition != opt.Partition {
			return nil
		}
		if e.IsIntermediate() && !opt.Intermediates {
			return nil
		}
		if n > 0 {
			if _, err := bw.WriteString(",\n"); err != nil {
				return err
			}
		}
		line.Reset()
		if err := writeDumpEntry(&line, e); err != nil {
			return err
		}
		n++
		_, err := bw.Write(line.Bytes())
		return err
	})
	if err != nil {
		return n, err
	}
	if n > 0 {
		if _, err := bw.WriteString("\n"); err != nil {
			return n, err
		}
	}
	if _, err := bw.WriteString("}\n"); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// writeDumpEntry writes `"name": {...}` with Cyrus's member order and spacing.
func writeDumpEntry(b *bytes.Buffer, e *Entry) error {
	mbtype := e.Type
	if mbtype == "" {
		mbtype = "e"
	}
	writeString(b, e.Name)
	b.WriteString(": {")
	first := true
	member := func(k string) {
		if !first {
			b.WriteString(", ")
		}
		first = false
		writeString(b, k)
		b.WriteString(": ")
	}
	str := func(k, v string) { member(k); writeString(b, v) }
	num := func(k string, v uint64) { str(k, strconv.FormatUint(v, 10)) }

	str("name", e.Name)
	num("mtime", uint64(e.MTime))
	num("uidvalidity", uint64(e.UIDValidity))
	num("createdmodseq", e.CreatedModseq)
	num("foldermodseq", e.FolderModseq)
	str("mbtype", mbtype)
	if e.Partition != "" {
		str("partition", e.Partition)
	}
	if e.Server != "" {
		str("server", e.Server)
	}
	member("acl")
	b.WriteByte('{')
	for i, ent := range e.ACL {
		if i > 0 {
			b.WriteString(", ")
		}
		writeString(b, ent.ID)
		b.WriteString(": ")
		writeString(b, ent.Rights.String())
	}
	b.WriteByte('}')
	if e.UniqueID != "" {
		str("uniqueid", e.UniqueID)
	}
	if e.SpecialUse != "" {
		str("legacy_specialuse", e.SpecialUse)
	}
	for _, k := range sortedKeys(e.Extra) {
		member(k)
		if err := writeCyrusJSON(b, e.Extra[k]); err != nil {
			return fmt.Errorf("mboxlist: %s: field %s: %w", e.Name, k, err)
		}
	}
	member("name_history")
	b.WriteByte('[')
	for i, h := range e.NameHistory {
		if i > 0 {
			b.WriteString(", ")
		}
		if err := writeCyrusJSON(b, h); err != nil {
			return fmt.Errorf("mboxlist: %s: name_history: %w", e.Name, err)
		}
	}
	b.WriteString("]}")
	return nil
}

// writeString writes s as a JSON string without HTML escaping.
func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // Encode's newline
}

// writeCyrusJSON re-emits a JSON value with Cyrus's separators (": ", ", "),
// keeping member order.
func writeCyrusJSON(b *bytes.Buffer, raw json.RawMessage) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return emitValue(b, dec)
}

func emitValue(b *bytes.Buffer, dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			b.WriteByte('{')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					b.WriteString(", ")
				}
				k, err := dec.Token()
				if err != nil {
					return err
				}
				ks, ok := k.(string)
				if !ok {
					return fmt.Errorf("object key is not a string")
				}
				writeString(b, ks)
				b.WriteString(": ")
				if err := emitValue(b, dec); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			b.WriteByte('}')
		case '[':
			b.WriteByte('[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					b.WriteString(", ")
				}
				if err := emitValue(b, dec); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			b.WriteByte(']')
		default:
			return fmt.Errorf("unexpected %v", t)
		}
	case string:
		writeString(b, t)
	case json.Number:
		b.WriteString(t.String())
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case nil:
		b.WriteString("null")
	}
	return nil
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Purge removes the entries a Dump with the same options wrote (ctl_mboxlist -d -x).
func (l *List) Purge(ctx context.Context, opt DumpOptions) error {
	var ops []cyrusdb.Op
	err := l.Walk(ctx, "", func(e *Entry) error {
		if (opt.Partition == "" || e.Partition == opt.Partition) && (opt.Intermediates || !e.IsIntermediate()) {
			ops = append(ops, cyrusdb.Delete{Key: nameKey(e.Name)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for start := 0; start < len(ops); start += importBatch {
		if err := l.db.Txn(ctx, nil, ops[start:min(start+importBatch, len(ops))]); err != nil {
			return err
		}
	}
	return nil
}
