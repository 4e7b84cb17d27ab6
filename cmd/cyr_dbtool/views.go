package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/duplicate"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

// view is one Cyrus database over gocyrus's records: records calls fn
// for each Cyrus key and value, in Cyrus's (byte) key order; set and del
// write one record in Cyrus's form (writes.go); check runs the owning
// package's own consistency check, where it has one, before every record
// is rendered.
type view struct {
	st    *store.Store
	fill  func(ctx context.Context, st *store.Store, add adder) error
	set   func(ctx context.Context, key, val []byte) error
	del   func(ctx context.Context, key []byte) error
	check func(ctx context.Context) error
}

// viewOf maps a Cyrus database file name to its view: by base name, so
// any directory (Cyrus's configdirectory or not) names the same database.
func viewOf(file string, st *store.Store) (*view, error) {
	base := filepath.Base(file)
	switch {
	case base == "mailboxes.db":
		return &view{st: st, fill: mailboxesRecords,
			set:   func(ctx context.Context, k, v []byte) error { return setMailbox(ctx, st, k, v) },
			del:   func(ctx context.Context, k []byte) error { return deleteMailbox(ctx, st, k) },
			check: func(ctx context.Context) error { return checkList(ctx, st) }}, nil
	case base == "annotations.db":
		return &view{st: st, fill: annotationRecords,
			set: func(ctx context.Context, k, v []byte) error { return setAnnotation(ctx, st, k, v) },
			del: func(ctx context.Context, k []byte) error { return deleteAnnotation(ctx, st, k) }}, nil
	case base == "deliver.db":
		return &view{st: st, fill: deliverRecords,
			set:   func(ctx context.Context, k, v []byte) error { return setDeliver(ctx, st, k, v) },
			del:   func(ctx context.Context, k []byte) error { return deleteDeliver(ctx, st, k) },
			check: func(ctx context.Context) error { return duplicate.New(st.DB(), 0).Check(ctx) }}, nil
	case base == "quota" || base == "quota.db":
		return &view{st: st, fill: quotaRecords,
			set: func(ctx context.Context, k, v []byte) error { return setQuota(ctx, st, k, v) },
			del: func(ctx context.Context, k []byte) error { return deleteQuota(ctx, st, k) }}, nil
	case strings.HasSuffix(base, ".seen") && len(base) > len(".seen"):
		user := strings.TrimSuffix(base, ".seen")
		return &view{st: st, fill: func(ctx context.Context, st *store.Store, add adder) error { return seenRecords(ctx, st, user, add) },
			set: func(ctx context.Context, k, v []byte) error { return setSeen(ctx, st, user, k, v) },
			del: func(ctx context.Context, k []byte) error { return deleteSeen(ctx, st, user, k) }}, nil
	case strings.HasSuffix(base, ".sub") && len(base) > len(".sub"):
		user := strings.TrimSuffix(base, ".sub")
		return &view{st: st, fill: func(ctx context.Context, st *store.Store, add adder) error { return subRecords(ctx, st, user, add) },
			set: func(ctx context.Context, k, v []byte) error { return setSub(ctx, st, user, k, v) },
			del: func(ctx context.Context, k []byte) error { return deleteSub(ctx, st, user, k) }}, nil
	}
	return nil, fmt.Errorf("%s: no such database in gocyrus", file)
}

type adder func(key, val []byte)

// records collects the view's records and hands them out in key order.
func (v *view) records(ctx context.Context, fn func(key, val []byte) error) error {
	type rec struct{ k, v []byte }
	var all []rec
	if err := v.fill(ctx, v.st, func(k, val []byte) { all = append(all, rec{k, val}) }); err != nil {
		return err
	}
	slices.SortFunc(all, func(a, b rec) int { return bytes.Compare(a.k, b.k) })
	for _, r := range all {
		if err := fn(r.k, r.v); err != nil {
			return err
		}
	}
	return nil
}

// consistent runs the view's check, then renders every record (a record
// that cannot be read is damage too).
func (v *view) consistent(ctx context.Context) error {
	if v.check != nil {
		if err := v.check(ctx); err != nil {
			return err
		}
	}
	return v.records(ctx, func(_, _ []byte) error { return nil })
}

// checkList is the list's own check (ctl_cyrusdb -r's): every entry
// decodes and names itself.
func checkList(ctx context.Context, st *store.Store) error {
	res, err := mboxlist.New(st.DB()).Check(ctx)
	if err != nil {
		return err
	}
	if len(res.Damaged) > 0 {
		return fmt.Errorf("%d damaged mailbox list entries: %s", len(res.Damaged), strings.Join(res.Damaged, "; "))
	}
	return nil
}

// cyrusName is an internal name as Cyrus 3.6 keys it: hierarchy
// separators as 0x1F, the domain separator '!' as 0x1D.
func cyrusName(name string) string {
	domain, local, ok := strings.Cut(name, "!")
	if !ok {
		domain, local = "", name
	}
	local = strings.ReplaceAll(local, ".", "\x1f")
	if ok {
		return domain + "\x1d" + local
	}
	return local
}

// dlist builds Cyrus's dlist text ("%(K v K v)").
type dlist struct{ b strings.Builder }

func (d *dlist) open()  { d.sep(); d.b.WriteString("%(") }
func (d *dlist) list()  { d.sep(); d.b.WriteString("(") }
func (d *dlist) close() { d.b.WriteString(")") }
func (d *dlist) sep() {
	if s := d.b.String(); s != "" && !strings.HasSuffix(s, "(") {
		d.b.WriteByte(' ')
	}
}

// atom writes s as Cyrus's dlist does: bare when it is a plain atom,
// quoted otherwise.
func (d *dlist) atom(s string) {
	d.sep()
	if s == "" || strings.ContainsAny(s, " \"\\()%{}*\x1d\r\n\t") {
		d.b.WriteString(strconv.Quote(s))
		return
	}
	d.b.WriteString(s)
}
func (d *dlist) kv(k, v string)         { d.atom(k); d.atom(v) }
func (d *dlist) num(k string, v uint64) { d.kv(k, strconv.FormatUint(v, 10)) }

func mbtype(t string) string {
	if t == "" {
		return "e"
	}
	return t
}

// mailboxesRecords renders the list as Cyrus 3.6's mailboxes.db: an
// "I<uniqueid>" record with the name and history and an "N<name>" record
// with the uniqueid, per mailbox.
func mailboxesRecords(ctx context.Context, st *store.Store, add adder) error {
	return st.Walk(ctx, "", func(e *store.Entry) error {
		acl := func(d *dlist) {
			d.atom("A")
			d.open()
			for _, a := range e.ACL {
				d.kv(a.ID, a.Rights.String())
			}
			d.close()
		}
		common := func(d *dlist) {
			if e.Partition != "" {
				d.kv("P", e.Partition)
			}
			d.num("V", uint64(e.UIDValidity))
			d.num("C", e.CreatedModseq)
			d.num("F", e.FolderModseq)
			d.num("M", uint64(e.MTime))
			acl(d)
		}
		var n dlist
		n.open()
		n.kv("T", mbtype(e.Type))
		if e.UniqueID != "" {
			n.kv("I", e.UniqueID)
		}
		common(&n)
		n.close()
		add([]byte("N"+cyrusName(e.Name)), []byte(n.b.String()))
		if e.UniqueID == "" {
			return nil
		}
		var i dlist
		i.open()
		i.kv("T", mbtype(e.Type))
		i.kv("N", cyrusName(e.Name))
		common(&i)
		i.atom("H")
		i.list()
		for _, raw := range e.NameHistory {
			if err := history(&i, raw); err != nil {
				return fmt.Errorf("%s: name history: %w", e.Name, err)
			}
		}
		i.close()
		i.close()
		add([]byte("I"+e.UniqueID), []byte(i.b.String()))
		return nil
	})
}

// history writes one former name, kept as the JSON object Cyrus's dump
// gave, as the dlist Cyrus's mailboxes.db holds.
func history(d *dlist, raw json.RawMessage) error {
	var h struct {
		Name          string      `json:"name"`
		MTime         json.Number `json:"mtime"`
		UIDValidity   json.Number `json:"uidvalidity"`
		CreatedModseq json.Number `json:"createdmodseq"`
		FolderModseq  json.Number `json:"foldermodseq"`
		MbType        string      `json:"mbtype"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return err
	}
	d.open()
	d.kv("N", cyrusName(h.Name))
	for _, f := range []struct {
		k string
		v json.Number
	}{{"M", h.MTime}, {"V", h.UIDValidity}, {"C", h.CreatedModseq}, {"F", h.FolderModseq}} {
		if f.v != "" {
			d.kv(f.k, f.v.String())
		}
	}
	d.kv("T", mbtype(h.MbType))
	d.close()
	return nil
}

// annotationRecords renders the metadata as Cyrus 3.6's annotations.db:
// key "<mailbox uniqueid> NUL <entry> NUL <userid> NUL" ("" for the server
// and for shared values), value a 4-byte big-endian length, 4 zero bytes,
// the value, NUL, "text/plain", NUL and 17 zero bytes (Cyrus's modseq and
// flags; gocyrus keeps no per-value modseq).
func annotationRecords(ctx context.Context, st *store.Store, add adder) error {
	ids := map[string]string{}
	uniqueID := func(name string) (string, error) {
		if name == "" {
			return "", nil
		}
		if id, ok := ids[name]; ok {
			return id, nil
		}
		e, err := st.Lookup(ctx, name)
		if err != nil {
			return "", err
		}
		ids[name] = e.UniqueID
		return e.UniqueID, nil
	}
	var pending [][3]string
	var values [][]byte
	prefix := []byte(cyrusdb.PrefixMetadata)
	err := st.DB().Scan(ctx, prefix, func(k, v []byte, _ uint64) error {
		parts := strings.SplitN(string(k[len(prefix):]), "\x00", 3)
		if len(parts) != 3 {
			return fmt.Errorf("damaged metadata key %q", k)
		}
		pending = append(pending, [3]string{parts[0], parts[1], parts[2]})
		values = append(values, append([]byte(nil), v...))
		return nil
	})
	if err != nil {
		return err
	}
	for i, p := range pending {
		id, err := uniqueID(p[0])
		if err != nil {
			return fmt.Errorf("metadata of %s: %w", p[0], err)
		}
		key := []byte(id + "\x00" + cyrusEntry(p[1]) + "\x00" + p[2] + "\x00")
		val := binary.BigEndian.AppendUint32(nil, uint32(len(values[i])))
		val = append(val, 0, 0, 0, 0)
		val = append(val, values[i]...)
		val = append(val, "\x00text/plain\x00"...)
		val = append(val, make([]byte, 17)...)
		add(key, val)
	}
	return nil
}

// cyrusEntry drops the /shared or /private that names the value's kind:
// Cyrus keys the entry without it (the userid says which).
func cyrusEntry(entry string) string {
	for _, p := range []string{"/shared/", "/private/"} {
		if rest, ok := strings.CutPrefix(entry, p); ok {
			return "/" + rest
		}
	}
	return entry
}

// quotaRecords renders the quota roots as Cyrus 3.6's quota database:
// "<root>" and "%(S (used limit) M (used limit) AS (used) NF (used)
// MODSEQ 0)", storage used in bytes and limits in KiB, a limit left out
// when there is none. gocyrus keeps no quota modseq: MODSEQ is 0.
func quotaRecords(ctx context.Context, st *store.Store, add adder) error {
	roots, err := st.QuotaRoots(ctx, "")
	if err != nil {
		return err
	}
	names := []string{"S", "M", "AS", "NF"}
	for _, r := range roots {
		var d dlist
		d.open()
		for res := range quota.NumResources {
			d.atom(names[res])
			d.list()
			d.atom(strconv.FormatInt(r.Usage[res], 10))
			if r.Limits[res] != quota.Unlimited {
				d.atom(strconv.FormatInt(r.Limits[res], 10))
			}
			d.close()
		}
		d.num("MODSEQ", 0)
		d.close()
		add([]byte(r.Name), []byte(d.b.String()))
	}
	return nil
}

// seenRecords renders user's seen state of the mailboxes they do not own
// as Cyrus's <user>.seen: "<uniqueid>" and "1 lastread lastuid lastchange
// seenuids" (version 1).
func seenRecords(ctx context.Context, st *store.Store, user string, add adder) error {
	return st.WalkSeen(ctx, func(u, uniqueid string, s store.Seen, damaged bool) error {
		if u != user {
			return nil
		}
		if damaged {
			return fmt.Errorf("seen state of %s for %s is damaged", uniqueid, user)
		}
		add([]byte(uniqueid), fmt.Appendf(nil, "1 %d %d %d %s", s.LastRead, s.LastUID, s.LastChange, s.SeenUIDs))
		return nil
	})
}

// subRecords renders user's subscriptions as Cyrus 3.6's <user>.sub: the
// version record, then "N<name>" with an empty value per subscription.
func subRecords(ctx context.Context, st *store.Store, user string, add adder) error {
	subs, err := st.Subscriptions(ctx, user)
	if err != nil {
		return err
	}
	add([]byte("\x1fVER\x1f"), []byte("2"))
	for _, name := range subs {
		add([]byte("N"+cyrusName(name)), nil)
	}
	return nil
}
