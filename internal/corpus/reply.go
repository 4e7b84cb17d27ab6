package corpus

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// Answer is what a reply means, without what servers may word freely
// (the tagged line's text, the order of FETCH items).
type Answer struct {
	Status string           // OK, NO or BAD, with the response code: "NO [UNKNOWN-CTE]"
	Fetch  map[string]Value // FETCH items by upper-cased name; BODY.PEEK[x] comes back as BODY[x]
	Hits   []string         // the numbers of a SEARCH or SORT response, in order
}

// ParseReply reads a reply Client.Do returned.
func ParseReply(reply []byte) (Answer, error) {
	a := Answer{Fetch: map[string]Value{}}
	for len(reply) > 0 {
		end := responseEnd(reply)
		resp := string(reply[:end])
		reply = reply[end:]
		body := strings.TrimSuffix(strings.TrimSuffix(resp, "\n"), "\r")
		switch {
		case strings.HasPrefix(body, "T "):
			word, rest, _ := strings.Cut(body[2:], " ")
			a.Status = strings.ToUpper(word)
			if strings.HasPrefix(rest, "[") {
				if code, _, ok := strings.Cut(rest, "]"); ok {
					a.Status += " " + strings.ToUpper(code) + "]"
				}
			}
		case strings.HasPrefix(body, "* SEARCH"), strings.HasPrefix(body, "* SORT"):
			a.Hits = append(a.Hits, strings.Fields(body)[2:]...)
		case strings.HasPrefix(body, "* "):
			f := strings.SplitN(body[2:], " ", 3)
			if len(f) < 3 || !strings.EqualFold(f[1], "FETCH") {
				continue // EXISTS, RECENT, flag updates: not what the corpus compares
			}
			v, err := ParseValue(strings.TrimRight(resp[len("* ")+len(f[0])+len(" FETCH "):], "\r\n"))
			if err != nil {
				return Answer{}, fmt.Errorf("FETCH response %q: %w", firstLine(resp), err)
			}
			if v.Kind != List || len(v.Items)%2 != 0 {
				return Answer{}, fmt.Errorf("FETCH response %q: not a list of pairs", firstLine(resp))
			}
			for i := 0; i < len(v.Items); i += 2 {
				a.Fetch[strings.ToUpper(v.Items[i].Text)] = v.Items[i+1]
			}
		}
	}
	if a.Status == "" {
		return Answer{}, fmt.Errorf("no tagged status line")
	}
	return a, nil
}

// responseEnd returns the length of the first response in b: its line
// and the literals it announces.
func responseEnd(b []byte) int {
	pos := 0
	for {
		nl := bytes.IndexByte(b[pos:], '\n')
		if nl < 0 {
			return len(b)
		}
		pos += nl + 1
		n, ok := literalAtEnd(b[:pos])
		if !ok {
			return pos
		}
		pos = min(pos+n, len(b))
	}
}

// Diff lists how got differs from want, one line per item; empty when
// they agree.
func Diff(want, got Answer) []string {
	var d []string
	if want.Status != got.Status {
		d = append(d, fmt.Sprintf("status: want %s, got %s", want.Status, got.Status))
	}
	if w, g := strings.Join(want.Hits, " "), strings.Join(got.Hits, " "); w != g {
		d = append(d, fmt.Sprintf("hits: want (%s), got (%s)", w, g))
	}
	names := map[string]bool{}
	for n := range want.Fetch {
		names[n] = true
	}
	for n := range got.Fetch {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		if n != "UID" && n != "FLAGS" {
			sorted = append(sorted, n)
		}
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		w, wok := want.Fetch[n]
		g, gok := got.Fetch[n]
		if n == "BODY" || n == "BODYSTRUCTURE" {
			w, g = FoldBodyCase(w), FoldBodyCase(g)
		}
		switch {
		case !wok:
			d = append(d, fmt.Sprintf("%s: not in the fixture, got %s", n, short(g.String())))
		case !gok:
			d = append(d, fmt.Sprintf("%s: missing, want %s", n, short(w.String())))
		case w.String() != g.String():
			d = append(d, fmt.Sprintf("%s:\n    want %s\n    got  %s", n, short(w.String()), short(g.String())))
		}
	}
	return d
}

// short keeps a difference readable when a body section is large.
func short(s string) string {
	if len(s) > 2000 {
		return s[:2000] + fmt.Sprintf("...(%d bytes)", len(s))
	}
	return s
}

// FoldBodyCase upper-cases the tokens of a BODY or BODYSTRUCTURE that the
// RFCs make case-insensitive — media type and subtype, parameter names
// (RFC 2045 §5.1), the transfer encoding (§6.1) and the disposition type
// and its parameter names (RFC 2183 §2) — so that Cyrus's upper case and
// Dovecot's as-written compare equal (test/corpus/differences.md).
// Parameter values, which may be case-sensitive, are left alone.
func FoldBodyCase(v Value) Value {
	return foldPart(v, 0)
}

func foldPart(v Value, depth int) Value {
	if v.Kind != List || depth > maxDepth {
		return v
	}
	items := append([]Value(nil), v.Items...)
	if isMultipart(v) {
		n := len(children(v))
		for i := 0; i < n; i++ {
			items[i] = foldPart(items[i], depth+1)
		}
		foldAt(items, n)            // subtype
		foldParams(items, n+1)      // parameters
		foldDisposition(items, n+2) // disposition
		return Value{Kind: List, Items: items}
	}
	foldAt(items, 0)
	foldAt(items, 1)
	foldParams(items, 2)
	foldAt(items, 5)
	ext := 7 // after type, subtype, params, id, description, encoding, size
	switch {
	case isMessage(v):
		items[8] = foldPart(items[8], depth+1)
		ext = 10
	case len(items) > 0 && strings.EqualFold(items[0].Text, "text"):
		ext = 8
	}
	foldDisposition(items, ext+1) // after the MD5
	return Value{Kind: List, Items: items}
}

func foldAt(items []Value, i int) {
	if i < len(items) && items[i].Kind != List {
		items[i].Text = strings.ToUpper(items[i].Text)
	}
}

func foldParams(items []Value, i int) {
	if i >= len(items) || items[i].Kind != List {
		return
	}
	params := append([]Value(nil), items[i].Items...)
	for j := 0; j < len(params); j += 2 {
		foldAt(params, j)
	}
	items[i] = Value{Kind: List, Items: params}
}

func foldDisposition(items []Value, i int) {
	if i >= len(items) || items[i].Kind != List {
		return
	}
	d := append([]Value(nil), items[i].Items...)
	foldAt(d, 0)
	foldParams(d, 1)
	items[i] = Value{Kind: List, Items: d}
}
