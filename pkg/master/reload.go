package master

import (
	"os"
	"slices"
	"syscall"
	"time"

	"gocyrus/pkg/config"
)

// reload re-reads cyrus.conf on SIGHUP. A file that does not parse leaves everything as it was.
// Otherwise: removed services close their socket and their processes finish their sessions;
// every remaining service's processes are retired the same way and fresh ones started (so they
// read imapd.conf again), keeping the socket when listen and proto are unchanged; disabled
// services are enabled again; events are rescheduled; daemons removed or changed are stopped
// (and changed ones started again), unchanged ones get SIGHUP.
func (m *Master) reload() {
	log := m.mlog()
	log.Info("SIGHUP: reloading", "file", m.opts.CyrusConfPath)
	cc, err := config.LoadCyrusConf(m.opts.CyrusConfPath)
	if err == nil {
		err = Validate(cc)
	}
	if err != nil {
		log.Error("reload failed, keeping the running configuration", "err", err)
		return
	}
	m.cc = m.programs(cc)
	cc = m.cc
	m.reloadServices(cc.Services)
	m.reloadEvents(cc.Events)
	m.reloadDaemons(cc.Daemons)
	log.Info("reload done", "services", len(m.services), "daemons", len(m.daemons), "events", len(m.events))
}

func (m *Master) reloadServices(entries []config.Entry) {
	wanted := make(map[string]config.Entry, len(entries))
	for _, e := range entries {
		wanted[e.Name] = e
	}
	for name, s := range m.services {
		if _, ok := wanted[name]; !ok {
			m.logFor(name, os.Getpid()).Info("service removed")
			m.retire(s)
			s.closeSocket()
			delete(m.services, name)
		}
	}
	for _, e := range entries {
		s, ok := m.services[e.Name]
		if !ok {
			m.logFor(e.Name, os.Getpid()).Info("service added")
			m.reconcile(m.addService(e))
			continue
		}
		m.retire(s)
		addr, _ := listenAddr(e) // Validate resolved it
		if s.sock != nil && s.sock.addr != addr {
			s.closeSocket()
		}
		s.entry, s.disabled, s.failures, s.lastSpawn = m.capPrefork(e), false, nil, time.Time{}
		s.stopBackoff() // SIGHUP ends a pause at once, as it re-enables a service in Cyrus
		s.backoffs = 0
		if s.sock == nil {
			m.bindService(s)
		}
		m.reconcile(s)
	}
}

func (m *Master) reloadEvents(entries []config.Entry) {
	old := m.events
	m.events = make(map[string]*eventState, len(entries))
	for _, ev := range old {
		ev.cancel()
	}
	now := time.Now()
	for _, e := range entries {
		prev := old[e.Name]
		// A new event runs now as at start; a kept one continues its period from now.
		ev := m.addEvent(e, now, prev == nil)
		if prev != nil {
			ev.running = prev.running
		}
	}
}

func (m *Master) reloadDaemons(entries []config.Entry) {
	wanted := make(map[string]config.Entry, len(entries))
	for _, e := range entries {
		wanted[e.Name] = e
	}
	for name, d := range m.daemons {
		e, ok := wanted[name]
		if ok && sameDaemon(d.entry, e) {
			d.entry = e
			d.failures = nil
			if d.cur != nil {
				d.cur.cmd.Process.Signal(syscall.SIGHUP)
			} else if d.wake == nil {
				m.addDaemon(e) // it had failed to start: try again
			}
			continue
		}
		m.logFor(name, os.Getpid()).Info("daemon removed or changed: stopping it")
		d.removed = true
		d.cancel()
		if d.cur != nil {
			d.cur.retiring = true
			signalGroup(d.cur, syscall.SIGTERM)
		}
		delete(m.daemons, name)
	}
	for _, e := range entries {
		if _, ok := m.daemons[e.Name]; !ok {
			m.addDaemon(e)
		}
	}
}

func sameDaemon(a, b config.Entry) bool {
	return slices.Equal(a.Cmd, b.Cmd) && a.MaxFds == b.MaxFds && a.Wait == b.Wait
}
