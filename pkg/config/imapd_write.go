package config

import (
	"bufio"
	"io"
	"sort"
	"strings"
)

// WriteTo writes every configured key (not the defaults) as imapd.conf
// lines, sorted by key, so that ParseImapd of the output yields the same
// configuration. Deprecated names appear under their replacement.
func (c *Config) WriteTo(w io.Writer) (int64, error) {
	var values map[string]setting
	if c.s != nil {
		values = c.s.values
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	bw := bufio.NewWriter(w)
	var n int64
	for _, k := range keys {
		raw := values[k].v.raw
		if strings.HasSuffix(raw, `\`) {
			// A line ending in '\' continues on the next one; a blank
			// after it (trimmed when read) keeps the backslash a value.
			raw += " "
		}
		m, err := bw.WriteString(k + ": " + raw + "\n")
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, bw.Flush()
}
