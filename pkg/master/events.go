package master

import (
	"fmt"
	"os"
	"strings"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/service"
)

// eventState is one EVENTS entry and its schedule.
type eventState struct {
	entry   config.Entry
	next    time.Time
	timer   *time.Timer
	running *child // the run in progress, if any
}

func (ev *eventState) cancel() {
	if ev.timer != nil {
		ev.timer.Stop()
		ev.timer = nil
	}
}

// addEvent schedules e. With atStart, a periodic event (or a one-shot, period=0) runs right
// away, as in Cyrus; an at=HHMM event waits for its time of day.
func (m *Master) addEvent(e config.Entry, now time.Time, atStart bool) *eventState {
	ev := &eventState{entry: e}
	m.events[e.Name] = ev
	first, ok := now, atStart
	if e.At != "" {
		t, err := nextAt(e.At, now)
		if err != nil {
			m.logFor(e.Name, os.Getpid()).Error("bad at=, event not scheduled", "file", e.File, "line", e.Line, "err", err)
			return ev
		}
		first, ok = t, true
	} else if !atStart && e.Period > 0 {
		first, ok = now.Add(time.Duration(e.Period)*time.Minute), true
	}
	if ok {
		m.schedule(ev, first)
	}
	return ev
}

func (m *Master) schedule(ev *eventState, at time.Time) {
	ev.cancel()
	ev.next = at
	ev.timer = m.after(time.Until(at), func() {
		if m.events[ev.entry.Name] == ev && !m.stopping {
			m.fire(ev)
		}
	})
}

// fire runs the event unless its previous run is still going, then schedules the next run.
func (m *Master) fire(ev *eventState) {
	now := time.Now()
	if ev.running != nil {
		m.logFor(ev.entry.Name, ev.running.pid).Warn("event still running, this run skipped")
	} else {
		m.runEvent(ev)
	}
	switch {
	case ev.entry.At != "":
		if t, err := nextAt(ev.entry.At, now.Add(time.Minute)); err == nil {
			m.schedule(ev, t)
		}
	case ev.entry.Period > 0:
		period := time.Duration(ev.entry.Period) * time.Minute
		next := ev.next.Add(period)
		if !next.After(now) { // we were late (suspend, clock change): skip missed runs
			next = now.Add(period)
		}
		m.schedule(ev, next)
	default:
		ev.timer = nil
	}
}

func (m *Master) runEvent(ev *eventState) {
	log := m.logFor(ev.entry.Name, os.Getpid())
	m.nextID++
	cmd, err := m.command(ev.entry, service.Env{Service: ev.entry.Name, ID: m.nextID, Verbose: m.opts.Verbose})
	if err != nil {
		log.Error("cannot run event", "cmd", ev.entry.Cmd, "err", err)
		return
	}
	done, err := m.captureOutput(cmd, ev.entry.Name)
	if err != nil {
		log.Error("cannot run event", "err", err)
		return
	}
	c := &child{kind: kindEvent, name: ev.entry.Name, id: m.nextID, cmd: cmd, evt: ev}
	err = m.start(c)
	done()
	if err != nil {
		log.Error("cannot run event", "cmd", ev.entry.Cmd, "err", err)
		return
	}
	ev.running = c
}

// eventExited clears the running mark, on the current definition of the event too (a reload
// may have replaced it while this run was going).
func (m *Master) eventExited(c *child) {
	if c.evt.running == c {
		c.evt.running = nil
	}
	if ev := m.events[c.name]; ev != nil && ev.running == c {
		ev.running = nil
	}
}

// nextAt is the first local time at hhmm ("HHMM") not before now.
func nextAt(hhmm string, now time.Time) (time.Time, error) {
	if len(hhmm) != 4 || strings.Trim(hhmm, "0123456789") != "" {
		return time.Time{}, fmt.Errorf("at=%q: want HHMM", hhmm)
	}
	h := int(hhmm[0]-'0')*10 + int(hhmm[1]-'0')
	mi := int(hhmm[2]-'0')*10 + int(hhmm[3]-'0')
	if h > 23 || mi > 59 {
		return time.Time{}, fmt.Errorf("at=%q: want HHMM between 0000 and 2359", hhmm)
	}
	t := time.Date(now.Year(), now.Month(), now.Day(), h, mi, 0, 0, now.Location())
	if t.Before(now) {
		t = time.Date(now.Year(), now.Month(), now.Day()+1, h, mi, 0, 0, now.Location())
	}
	return t, nil
}
