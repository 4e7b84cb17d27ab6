package sieve

import (
	"strings"

	"gocyrus/pkg/msgheader"
)

// headerView is the message header as tests see it: the original fields
// with editheader changes applied (RFC 5293 §3: later tests see edits).
// Values are raw; fields are kept per lower-cased name, in order.
type headerView struct {
	msg    Message
	fields map[string][]string
}

func newHeaderView(m Message) *headerView { return &headerView{msg: m, fields: map[string][]string{}} }

func (h *headerView) values(name string) []string {
	k := strings.ToLower(name)
	if v, ok := h.fields[k]; ok {
		return v
	}
	v := h.msg.Header(name)
	h.fields[k] = v
	return v
}

func (h *headerView) set(name string, v []string) { h.fields[strings.ToLower(name)] = v }

// decodeHeader unfolds, decodes RFC 2047 encoded words and trims a value
// as RFC 5228 §5.7 prescribes for the header test.
func decodeHeader(v string) string { return msgheader.Text(v) }

// selectIndex applies the RFC 5260 :index/:last selection (index is
// 1-based; 0 means all values).
func selectIndex(vals []string, index int, last bool) []string {
	if index <= 0 {
		return vals
	}
	if index > len(vals) {
		return nil
	}
	if last {
		return vals[len(vals)-index : len(vals)-index+1]
	}
	return vals[index-1 : index]
}
