package master

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/service"
)

// daemonState is one DAEMON entry: a single process kept running.
type daemonState struct {
	entry     config.Entry
	cur       *child
	failures  []time.Time
	lastSpawn time.Time
	wake      *time.Timer
	removed   bool
}

func (d *daemonState) cancel() {
	if d.wake != nil {
		d.wake.Stop()
		d.wake = nil
	}
}

func (m *Master) addDaemon(e config.Entry) {
	d := &daemonState{entry: e}
	m.daemons[e.Name] = d
	if err := m.spawnDaemon(d, nil); err != nil {
		m.logFor(e.Name, os.Getpid()).Error("cannot start daemon, not restarted until SIGHUP", "cmd", e.Cmd, "err", err)
	}
}

// spawnDaemon starts d's process, after the fork-rate delay if one is due. ready, when set, is
// the write end of a readiness pipe passed to the daemon.
func (m *Master) spawnDaemon(d *daemonState, ready *os.File) error {
	if wait := forkDelay(d.entry.MaxForkRate, d.lastSpawn); wait > 0 && ready == nil {
		m.scheduleDaemon(d, wait)
		return nil
	}
	m.nextID++
	env := service.Env{Service: d.entry.Name, ID: m.nextID, Verbose: m.opts.Verbose, IsDaemon: true, MaxFDs: d.entry.MaxFds}
	cmd, err := m.command(d.entry, env)
	if err != nil {
		return err
	}
	withFiles(cmd, d.entry.Name, nil, m.lifelineR, ready)
	c := &child{kind: kindDaemon, name: d.entry.Name, id: env.ID, cmd: cmd, dmn: d}
	if err := m.start(c); err != nil {
		return err
	}
	d.cur = c
	d.lastSpawn = time.Now()
	return nil
}

func (m *Master) scheduleDaemon(d *daemonState, wait time.Duration) {
	d.cancel()
	d.wake = m.after(wait, func() {
		d.wake = nil
		if d.removed || m.stopping || d.cur != nil {
			return
		}
		if err := m.spawnDaemon(d, nil); err != nil {
			m.logFor(d.entry.Name, os.Getpid()).Error("cannot restart daemon", "err", err)
		}
	})
}

// startWaitDaemon starts a wait=y daemon and blocks until it writes "ok\r\n" on its ready
// descriptor; exiting or staying silent past ReadyTimeout is a start-up failure.
func (m *Master) startWaitDaemon(e config.Entry) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	d := &daemonState{entry: e}
	m.daemons[e.Name] = d
	err = m.spawnDaemon(d, w)
	w.Close() // the daemon holds the only write end now: EOF if it exits
	if err != nil {
		return fmt.Errorf("master: daemon %q: %w", e.Name, err)
	}
	r.SetReadDeadline(time.Now().Add(m.opts.ReadyTimeout))
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil || strings.TrimRight(line, "\r\n") != "ok" {
		return fmt.Errorf("master: daemon %q (%s:%d) did not report ready: %q %v", e.Name, e.File, e.Line, line, err)
	}
	m.logFor(e.Name, d.cur.pid).Info("daemon ready")
	return nil
}

// daemonExited restarts the daemon unless it was removed or master is stopping. Repeated
// failures are logged and slow the restarts down to one per failure window.
func (m *Master) daemonExited(c *child, abnormal bool) {
	d := c.dmn
	if d.cur != c {
		return
	}
	d.cur = nil
	if d.removed || m.stopping || c.retiring {
		return
	}
	wait := time.Duration(0)
	if abnormal {
		now := time.Now()
		d.failures = append(recent(d.failures, now), now)
		if len(d.failures) >= failureLimit {
			m.logFor(d.entry.Name, os.Getpid()).Error("daemon is repeatedly failing", "failures", len(d.failures), "window", failureWindow)
			wait = failureWindow
		}
	}
	if wait > 0 {
		m.scheduleDaemon(d, wait)
		return
	}
	if err := m.spawnDaemon(d, nil); err != nil {
		m.logFor(d.entry.Name, os.Getpid()).Error("cannot restart daemon, not restarted until SIGHUP", "err", err)
	}
}
