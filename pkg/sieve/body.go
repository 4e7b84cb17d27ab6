package sieve

import (
	"bufio"
	"bytes"
	"io"
	"strings"

	"github.com/emersion/go-message"
)

// bodyTest is RFC 5173 "body" with :raw, :content and :text (default).
type bodyTest struct {
	at
	transform string
	types     []str
	m         *matcher
}

var bodyTags = map[string]tagSpec{
	":raw":     {group: "transform"},
	":content": {group: "transform", param: listParam},
	":text":    {group: "transform"},
}

func compileBody(c *compiler, n *testNode) (test, *Error) {
	a, err := c.readArgs("body", n.args, comparatorTags, matchTypeTags, bodyTags)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("body", n.pos, a, argStrings); err != nil {
		return nil, err
	}
	t := &bodyTest{at: at{n.pos}, transform: a.group["transform"]}
	if t.transform == "" {
		t.transform = ":text"
	}
	if ct, ok := a.tags[":content"]; ok {
		if t.types, err = c.strList(ct.strs); err != nil {
			return nil, err
		}
	}
	if t.m, err = c.compileMatcher(a, a.pos[0].strs); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *bodyTest) eval(st *state) (bool, error) {
	b := st.loadBody()
	switch t.transform {
	case ":raw":
		return st.match(t.m, []string{b.raw})
	case ":text":
		return st.match(t.m, b.texts(func(ct string) bool { return strings.HasPrefix(ct, "text/") }, true))
	}
	types := st.expandList(t.types)
	return st.match(t.m, b.texts(func(ct string) bool { return contentTypeMatches(ct, types) }, false))
}

// contentTypeMatches implements :content type matching: "" matches any
// type, "type" matches "type/*", "type/subtype" matches exactly.
func contentTypeMatches(ct string, want []string) bool {
	for _, w := range want {
		w = strings.ToLower(strings.TrimSpace(w))
		switch {
		case w == "":
			return true
		case strings.Contains(w, "/"):
			if ct == w {
				return true
			}
		case strings.HasPrefix(ct, w+"/"):
			return true
		}
	}
	return false
}

// bodyCache holds the message body, read once per run and bounded by
// Env.MaxBodySize.
type bodyCache struct {
	raw   string
	parts []bodyPart
}

type bodyPart struct {
	contentType string // lower case type/subtype
	text        string // decoded content (charset converted for text/*)
}

func (b *bodyCache) texts(want func(string) bool, stripHTML bool) []string {
	var out []string
	for _, p := range b.parts {
		if !want(p.contentType) {
			continue
		}
		if stripHTML && p.contentType == "text/html" {
			out = append(out, htmlToText(p.text))
			continue
		}
		out = append(out, p.text)
	}
	return out
}

func (st *state) loadBody() *bodyCache {
	if st.body != nil {
		return st.body
	}
	st.body = &bodyCache{}
	r, err := st.msg.Body()
	if err != nil {
		st.note("body: %v", err)
		return st.body
	}
	data, err := io.ReadAll(io.LimitReader(r, st.env.MaxBodySize))
	if err != nil {
		st.note("body: %v", err)
	}
	if i := headerEnd(data); i >= 0 {
		st.body.raw = string(data[i:])
	}
	ent, err := message.Read(bytes.NewReader(data))
	if err != nil && ent == nil {
		st.note("body: %v", err)
		return st.body
	}
	_ = ent.Walk(func(path []int, e *message.Entity, err error) error {
		if err != nil || len(st.body.parts) >= 1000 {
			return nil
		}
		ct, _, _ := e.Header.ContentType()
		ct = strings.ToLower(ct)
		if ct == "" {
			ct = "text/plain"
		}
		if strings.HasPrefix(ct, "multipart/") {
			return nil
		}
		content, rerr := io.ReadAll(io.LimitReader(e.Body, st.env.MaxBodySize))
		if rerr != nil {
			st.note("body part %v: %v", path, rerr)
		}
		st.body.parts = append(st.body.parts, bodyPart{contentType: ct, text: string(content)})
		return nil
	})
	return st.body
}

// headerEnd returns the offset just after the blank line ending the
// header, or -1.
func headerEnd(data []byte) int {
	br := bufio.NewReader(bytes.NewReader(data))
	off := 0
	for {
		line, err := br.ReadSlice('\n')
		off += len(line)
		if len(bytes.TrimRight(line, "\r\n")) == 0 && (len(line) > 0 && line[len(line)-1] == '\n') {
			return off
		}
		if err == bufio.ErrBufferFull {
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				off += len(line)
			}
		}
		if err != nil {
			return -1
		}
	}
}

// htmlToText drops tags, scripts and styles and decodes the commonest
// entities, enough for keyword matching (RFC 5173 §5.2 allows this).
func htmlToText(s string) string {
	var b strings.Builder
	lower := strings.ToLower(s)
	for i := 0; i < len(s); {
		if s[i] != '<' {
			b.WriteByte(s[i])
			i++
			continue
		}
		for _, skip := range []string{"script", "style"} {
			if strings.HasPrefix(lower[i+1:], skip) {
				if end := strings.Index(lower[i:], "</"+skip); end >= 0 {
					i += end
				}
			}
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			break
		}
		i += end + 1
		b.WriteByte(' ')
	}
	return strings.NewReplacer("&nbsp;", " ", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'", "&amp;", "&").Replace(b.String())
}
