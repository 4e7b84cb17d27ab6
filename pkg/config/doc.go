// Package config reads gocyrus's two configuration files: imapd.conf (the
// options every program shares) and cyrus.conf (what master runs).
//
// # imapd.conf
//
// One option per line, "name: value". Names are case-insensitive and are
// stored lower-cased; the value is the rest of the line with ASCII blanks
// trimmed. A line whose first non-blank character is '#' is a comment, a
// trailing '\' joins the next physical line (no blank inserted), and
// "@include: path" reads another file at that point (a relative path is
// taken from the directory of the including file).
//
// Every option is described exactly once, in [Options]. The typed
// accessors (options_gen.go) and the OPTIONS section of imapd.conf(5) are
// generated from that table by "go generate"; a test fails when either is
// stale. Values are validated when they are read: a bad value, a line
// without ':', an empty value or an option given twice is a *ParseError
// naming file:line, and the load fails. An unknown option is accepted and
// reported by [Config.Warnings] (Cyrus ignores it silently). Keys matching
// [OverflowPrefixes] (partition-NAME, sasl_*, ...) and "<service>_<option>"
// overrides are accepted without a warning.
//
// Invariants:
//   - A *Config is immutable once loaded; only Set changes it, and Set must
//     not run concurrently with readers. Reading is safe from any goroutine.
//   - Every stored value has already been validated against its option's
//     type, so accessors never fail; an unset option yields its default.
//   - Defaults are written in imapd.conf syntax. "{configdirectory}" in a
//     default expands to the configured configdirectory and "{hostname}"
//     to the host name; DefaultFrom names an option whose value is used.
//   - A view from ForService shares storage with its parent: the
//     "<service>_<option>" key, when set, wins over "<option>".
//
// # cyrus.conf
//
// Sections START, SERVICES, EVENTS and DAEMON, each "NAME {" ... "}", one
// entry per line: "name key=value key="quoted value" ...". '#' anywhere
// starts a comment, even inside quotes. ParseCyrusConf returns the entries
// with Cyrus's defaults and implied values applied (babysit, UDP limits,
// at= forcing a daily period), so master reads the effective settings
// straight from [Entry].
package config
