package imapserver

import (
	"fmt"
	"sync"
	"time"

	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/store"
)

// quotaWarnInterval is how long a process stays quiet about a quota root
// after warning about it (docs/CYRUS-BEHAVIOUR.md §4.4), so that a client re-selecting
// folders is not flooded with alerts.
const quotaWarnInterval = 10 * time.Minute

// quotaWarnLog remembers, per process (one Server), when each quota root
// was last warned about.
type quotaWarnLog struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// due reports whether root may be warned about now, and if so records it.
func (l *quotaWarnLog) due(root string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t, ok := l.last[root]; ok && now.Sub(t) < quotaWarnInterval {
		return false
	}
	if l.last == nil {
		l.last = make(map[string]time.Time)
	}
	l.last[root] = now
	return true
}

// quotaWarnings sends the [ALERT]s of docs/CYRUS-BEHAVIOUR.md §4.4 for the mailbox's
// quota root: per resource with a limit, when the remaining amount is
// under its threshold (quotawarnkb for STORAGE, quotawarnmsg for MESSAGE;
// 0 = always, and a limit at or under the threshold always qualifies),
// "over" above the limit or "at N%" above quotawarn percent.
func (s *session) quotaWarnings(name string) {
	root, ok, err := s.srv.st.QuotaRootOf(s.ctx, name)
	if err != nil || !ok {
		return
	}
	q, err := s.srv.st.GetQuota(s.ctx, root)
	if err != nil {
		return
	}
	cfg := s.srv.cfg
	warnPct := int64(cfg.Quotawarn())
	thresholds := map[store.QuotaResource]int64{
		store.QuotaStorage: int64(cfg.Quotawarnkb()),
		store.QuotaMessage: int64(cfg.Quotawarnmsg()),
	}
	var alerts []string
	for _, res := range []store.QuotaResource{store.QuotaStorage, store.QuotaMessage} {
		limit := q.Limits[res]
		if limit < 0 {
			continue
		}
		used := q.Usage.Display(res)
		thr := thresholds[res]
		if thr > 0 && limit > thr && limit-used >= thr {
			continue
		}
		switch {
		case used > limit:
			alerts = append(alerts, "Mailbox is over "+res.String()+" quota")
		case limit > 0 && used*100 > warnPct*limit:
			alerts = append(alerts, fmt.Sprintf("Mailbox is at %d%% of %s quota", used*100/limit, res.String()))
		}
	}
	if len(alerts) == 0 || !s.srv.quotaWarned.due(root, time.Now()) {
		return
	}
	for _, a := range alerts {
		s.w.StatusResponse("*", wire.NO, "ALERT", a)
	}
}
