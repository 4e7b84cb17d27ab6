package metrics

import (
	"fmt"
	"strconv"
)

// The protocols whose processes count. A process counts for one protocol,
// named when its stats file is opened ([Open]); the service label is its
// cyrus.conf entry name.
const (
	ProtoIMAP  = "imap"
	ProtoPOP3  = "pop3"
	ProtoLMTP  = "lmtp"
	ProtoSieve = "sieve"
)

// Protocols lists them in the order the exposition writes them.
var Protocols = []string{ProtoIMAP, ProtoPOP3, ProtoLMTP, ProtoSieve}

// commandNames are the commands each protocol counts by name, in the
// protocol's spelling (upper case); any other command counts as "other".
// This is the metric schema (Cyrus's promdata.p), so a scrape shows the
// same series whatever the servers were asked.
var commandNames = map[string][]string{
	ProtoIMAP: {"APPEND", "AUTHENTICATE", "CANCELUPDATE", "CAPABILITY", "CHECK", "CLOSE", "COMPRESS", "COPY",
		"CREATE", "DELETE", "DELETEACL", "ENABLE", "EXAMINE", "EXPUNGE", "FETCH", "GENURLAUTH", "GETACL",
		"GETMETADATA", "GETQUOTA", "GETQUOTAROOT", "ID", "IDLE", "LIST", "LISTRIGHTS", "LOGIN", "LOGOUT",
		"LSUB", "MOVE", "MYRIGHTS", "NAMESPACE", "NOOP", "NOTIFY", "RECONSTRUCT", "RENAME", "REPLACE",
		"RESETKEY", "SEARCH", "SELECT", "SETACL", "SETMETADATA", "SETQUOTA", "SORT", "STARTTLS", "STATUS",
		"STORE", "SUBSCRIBE", "THREAD", "UNAUTHENTICATE", "UNSELECT", "UNSUBSCRIBE", "URLFETCH"},
	ProtoPOP3: {"APOP", "AUTH", "CAPA", "DELE", "LIST", "NOOP", "PASS", "QUIT", "RETR", "RSET", "STAT",
		"STLS", "TOP", "UIDL", "USER"},
	ProtoLMTP: {"AUTH", "DATA", "LHLO", "MAIL", "NOOP", "QUIT", "RCPT", "RSET", "STARTTLS", "VRFY"},
	ProtoSieve: {"AUTHENTICATE", "CAPABILITY", "CHECKSCRIPT", "DELETESCRIPT", "GETSCRIPT", "HAVESPACE",
		"LISTSCRIPTS", "LOGOUT", "NOOP", "PUTSCRIPT", "RENAMESCRIPT", "SETACTIVE", "STARTTLS", "UNAUTHENTICATE"},
}

// otherCommand names the commands not in commandNames (and unknown ones).
const otherCommand = "other"

// bucketsMicros are the upper bounds of the command latency histogram, in
// microseconds (1ms .. 10s); the +Inf bucket is the count.
var bucketsMicros = []int64{1000, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000}

// Slot kinds, the first field of a slot line in a stats file. A counter is
// kept when its process dies (folded into the done file); a gauge describes
// a live process and dies with it.
const (
	kindCounter = 'c'
	kindGauge   = 'g'
)

// slot is one int64 a process counts in.
type slot struct {
	kind byte
	key  string // the series without the service label: name{labels}
}

// family is one metric as the exposition prints it.
type family struct {
	name, typ, help string
	series          []series
}

// series is one line of a family (histograms: the bucket lines, _sum and
// _count are derived from the keys in hist).
type series struct {
	key  string // slot key for counters and gauges
	hist *histKeys
}

// histKeys are the slots of one histogram series: the count in each
// bucket (not cumulative), the total count and the sum in microseconds.
type histKeys struct {
	labels  string // command="select"
	buckets []string
	count   string
	sumUS   string
}

func key(name, labels string) string {
	if labels == "" {
		return name
	}
	return name + "{" + labels + "}"
}

// families returns the schema of proto: what its processes count and
// the exposition prints, in order.
func families(proto string) []family {
	p := "cyrus_" + proto + "_"
	up := map[string]string{ProtoIMAP: "IMAP", ProtoPOP3: "POP3", ProtoLMTP: "LMTP", ProtoSieve: "ManageSieve"}[proto]
	fs := []family{
		{name: p + "connections_total", typ: "counter", help: "The total number of " + up + " connections",
			series: []series{{key: p + "connections_total"}}},
		{name: p + "active_connections", typ: "gauge", help: "The number of currently active " + up + " connections",
			series: []series{{key: p + "active_connections"}}},
		{name: p + "authenticate_total", typ: "counter", help: "The total number of " + up + " logins (result yes: accepted, no: refused)",
			series: []series{{key: key(p+"authenticate_total", `result="yes"`)}, {key: key(p+"authenticate_total", `result="no"`)}}},
	}
	hist := family{name: p + "command_duration_seconds", typ: "histogram", help: "The time " + up + " commands took, by command"}
	for _, c := range append(lowered(commandNames[proto]), otherCommand) {
		hk := &histKeys{labels: fmt.Sprintf("command=%q", c)}
		for _, b := range bucketsMicros {
			hk.buckets = append(hk.buckets, key(hist.name+"_bucket", hk.labels+`,le="`+secs(b)+`"`))
		}
		hk.count = key(hist.name+"_count", hk.labels)
		hk.sumUS = key(hist.name+"_sum_microseconds", hk.labels)
		hist.series = append(hist.series, series{hist: hk})
	}
	fs = append(fs, hist)
	if proto == ProtoLMTP {
		fs = append(fs,
			family{name: p + "received_messages_total", typ: "counter", help: "The number of messages received",
				series: []series{{key: p + "received_messages_total"}}},
			family{name: p + "received_bytes_total", typ: "counter", help: "The number of received bytes",
				series: []series{{key: p + "received_bytes_total"}}},
			family{name: p + "received_recipients_total", typ: "counter", help: "The number of received recipients",
				series: []series{{key: p + "received_recipients_total"}}},
			family{name: p + "deliveries_total", typ: "counter", help: "The number of per-recipient delivery replies after DATA (result ok: 250, failed: any other)",
				series: []series{{key: key(p+"deliveries_total", `result="ok"`)}, {key: key(p+"deliveries_total", `result="failed"`)}}},
		)
	}
	return fs
}

// commonFamilies are counted by every protocol's processes and printed
// once, with a series per service.
func commonFamilies() []family {
	return []family{
		{name: "cyrus_quota_refusals_total", typ: "counter", help: "The number of requests refused for being over quota (IMAP APPEND/COPY/MOVE, LMTP recipients)",
			series: []series{{key: "cyrus_quota_refusals_total"}}},
		{name: "cyrus_process_goroutines", typ: "gauge", help: "The number of goroutines in the service's live processes",
			series: []series{{key: "cyrus_process_goroutines"}}},
		{name: "cyrus_process_heap_bytes", typ: "gauge", help: "The heap in use by the service's live processes (Go runtime HeapAlloc)",
			series: []series{{key: "cyrus_process_heap_bytes"}}},
		{name: "cyrus_process_open_fds", typ: "gauge", help: "The open file descriptors of the service's live processes",
			series: []series{{key: "cyrus_process_open_fds"}}},
	}
}

// slots returns the slots of proto in their file order.
func slots(proto string) []slot {
	var out []slot
	for _, f := range append(families(proto), commonFamilies()...) {
		for _, s := range f.series {
			if s.hist != nil {
				for _, b := range s.hist.buckets {
					out = append(out, slot{kindCounter, b})
				}
				out = append(out, slot{kindCounter, s.hist.count}, slot{kindCounter, s.hist.sumUS})
				continue
			}
			k := byte(kindCounter)
			if f.typ == "gauge" {
				k = kindGauge
			}
			out = append(out, slot{k, s.key})
		}
	}
	return out
}

func lowered(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		b := []byte(n)
		for j, c := range b {
			if 'A' <= c && c <= 'Z' {
				b[j] = c + 'a' - 'A'
			}
		}
		out[i] = string(b)
	}
	return out
}

// secs prints microseconds as seconds the way Prometheus does ("0.005", "1").
func secs(us int64) string { return strconv.FormatFloat(float64(us)/1e6, 'g', -1, 64) }
