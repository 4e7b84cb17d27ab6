package config

import (
	"bufio"
	"io"
	"sort"
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
		m, err := bw.WriteString(k + ": " + values[k].v.raw + "\n")
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, bw.Flush()
}
