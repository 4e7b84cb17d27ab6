package metrics

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// ContentType is the Prometheus text exposition format's.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// WriteText writes s in the Prometheus text exposition format (version
// 0.0.4): each protocol's families with a series per service of that
// protocol, then the families every service shares, then the number of
// live processes per service.
func WriteText(w io.Writer, s *Snapshot) error {
	bw := bufio.NewWriter(w)
	byProto := map[string][]string{}
	var all []string
	for name, st := range s.Services {
		byProto[st.Proto] = append(byProto[st.Proto], name)
		all = append(all, name)
	}
	sort.Strings(all)
	for _, p := range Protocols {
		svcs := byProto[p]
		if len(svcs) == 0 {
			continue
		}
		sort.Strings(svcs)
		for _, f := range families(p) {
			writeFamily(bw, f, svcs, s)
		}
	}
	if len(all) > 0 {
		for _, f := range commonFamilies() {
			writeFamily(bw, f, all, s)
		}
	}
	fmt.Fprintf(bw, "# HELP cyrus_processes The number of live processes of the service\n# TYPE cyrus_processes gauge\n")
	for _, name := range all {
		fmt.Fprintf(bw, "cyrus_processes{service=%s} %d\n", quote(name), s.Services[name].Processes)
	}
	return bw.Flush()
}

func writeFamily(w *bufio.Writer, f family, svcs []string, s *Snapshot) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", f.name, f.help, f.name, f.typ)
	for _, svc := range svcs {
		vals := s.Services[svc].Values
		for _, se := range f.series {
			if se.hist == nil {
				line(w, se.key, svc, strconv.FormatInt(vals[se.key], 10))
				continue
			}
			h := se.hist
			var cum int64
			for _, b := range h.buckets {
				cum += vals[b]
				line(w, b, svc, strconv.FormatInt(cum, 10))
			}
			count := vals[h.count]
			line(w, key(f.name+"_bucket", h.labels+`,le="+Inf"`), svc, strconv.FormatInt(count, 10))
			line(w, key(f.name+"_sum", h.labels), svc, strconv.FormatFloat(float64(vals[h.sumUS])/1e6, 'g', -1, 64))
			line(w, h.count, svc, strconv.FormatInt(count, 10))
		}
	}
}

// line writes one sample: the key with the service label put first.
func line(w *bufio.Writer, key, svc, value string) {
	name, labels, _ := strings.Cut(key, "{")
	w.WriteString(name)
	w.WriteString("{service=")
	w.WriteString(quote(svc))
	if labels = strings.TrimSuffix(labels, "}"); labels != "" {
		w.WriteString(",")
		w.WriteString(labels)
	}
	w.WriteString("} ")
	w.WriteString(value)
	w.WriteString("\n")
}

// quote is a label value as the text format writes it.
func quote(v string) string {
	r := strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
	return `"` + r.Replace(v) + `"`
}
