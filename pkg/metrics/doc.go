// Package metrics is the Prometheus statistics of the services (Cyrus's
// prometheus_enabled): every imapd, pop3d, lmtpd and timsieved process
// counts into its own stats file, and promstatsd sums the files and serves
// the total at /metrics.
//
// # Counting (the hot path)
//
// [Open] (internal/daemon, when prometheus_enabled is set) creates
// <prometheus_stats_dir>/<pid>-<random>.stats, takes an flock on it for the
// process's life and maps it shared. A count ([ConnectionOpened], [Login],
// [Command], [LMTPReceived], [LMTPDelivery], [QuotaRefused]) is an atomic
// add on that memory: no lock, no system call. Without Open every count is
// a no-op (the admin tools, tests). The schema (schema.go, our promdata.p)
// fixes each protocol's slots when the file is made; command names outside
// it count as "other".
//
// # File format
//
// A text header, then the counters: line 1 "gocyrus-stats 1 OFFSET N"
// (fixed width), then "service NAME", "proto P", "pid PID", then N lines
// "K KEY" (K: c counter, g gauge; KEY the series without the service
// label), NUL padding to OFFSET (a page multiple), then N little-endian
// int64s. A file is created as .new-<pid>-<random>, locked, filled, then
// renamed: a .stats file is always complete.
//
// # Collating (promstatsd)
//
// [Collate] runs under <dir>/.lock. A .stats file whose flock it cannot
// take belongs to a live process: its counters and gauges are read with
// atomic loads. One it can lock belongs to a dead process: its counters
// are added to the done file's totals, the done file is written whole,
// fsync'd and renamed into place naming the folded file, and only then is
// the file removed; a file already named in done is only removed. So a
// collator stopping at any point loses nothing and counts nothing twice.
// A dead process's gauges (active connections, heap) die with it.
// Malformed files are logged and skipped, never changed.
//
// [WriteText] prints a [Snapshot] in the Prometheus text format 0.0.4.
package metrics
