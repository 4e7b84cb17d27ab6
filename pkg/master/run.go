package master

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Run starts everything (see the package comment for the order) and supervises until SIGTERM,
// SIGINT, SIGQUIT or ctx's cancellation, then shuts down cleanly and returns nil. A start-up
// failure stops whatever was started and is returned.
func (m *Master) Run(ctx context.Context) (err error) {
	defer close(m.quit)
	sigc := make(chan os.Signal, 8)
	signal.Notify(sigc, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT)
	defer signal.Stop(sigc)

	if m.pid, err = lockPidFile(m.opts.PidFile, m.configdir()); err != nil {
		return err
	}
	defer func() {
		if rerr := m.pid.release(); rerr != nil {
			m.mlog().Warn("removing pidfile", "err", rerr)
		}
	}()
	if m.lifelineR, m.lifelineW, err = os.Pipe(); err != nil {
		return fmt.Errorf("master: lifeline pipe: %w", err)
	}
	defer m.lifelineR.Close()
	defer m.lifelineW.Close()

	if err := m.startUp(); err != nil {
		m.shutdown("start-up failed", sigc)
		return err
	}
	if m.opts.Started != nil {
		m.opts.Started()
	}
	m.mlog().Info("ready for work", "services", len(m.services), "daemons", len(m.daemons), "events", len(m.events))

	ctxDone := ctx.Done()
	for {
		select {
		case fn := <-m.calls:
			fn()
		case sig := <-sigc:
			if sig == syscall.SIGHUP {
				m.reload()
				continue
			}
			m.shutdown(fmt.Sprintf("attempting clean shutdown on signal %s", sig), sigc)
			return nil
		case <-ctxDone:
			m.shutdown("attempting clean shutdown: context cancelled", sigc)
			return nil
		case err := <-m.dbDone:
			m.dbDone = nil
			m.shutdown(fmt.Sprintf("database service stopped: %v", err), sigc)
			return fmt.Errorf("master: database service stopped: %w", err)
		}
	}
}

// startUp binds, drops privileges, runs START, opens the databases and starts the rest.
func (m *Master) startUp() error {
	log := m.mlog()
	for _, e := range m.cc.Services {
		m.addService(e) // a bind failure disables that service only
	}
	switched, err := m.opts.DropPrivileges(m.configdir())
	if err != nil {
		return fmt.Errorf("master: dropping privileges: %w", err)
	}
	if switched {
		log.Info("switched to the owner of configdirectory", "uid", os.Getuid(), "gid", os.Getgid())
	}
	for _, e := range m.cc.Start {
		if err := m.runStart(e); err != nil {
			return err
		}
	}
	if m.opts.OpenDB != nil {
		db, err := m.opts.OpenDB(m.configdir())
		if err != nil {
			return fmt.Errorf("master: opening the databases: %w", err)
		}
		m.db = db
		m.dbDone = make(chan error, 1)
		go func() { m.dbDone <- db.Serve() }()
		log.Info("database service started")
		m.startRepairs()
	}
	for _, e := range m.cc.Daemons {
		if e.Wait {
			if err := m.startWaitDaemon(e); err != nil {
				return err
			}
		}
	}
	for _, s := range m.services {
		m.reconcile(s)
	}
	for _, e := range m.cc.Daemons {
		if !e.Wait {
			m.addDaemon(e)
		}
	}
	for _, e := range m.cc.Events {
		m.addEvent(e, time.Now(), true)
	}
	return nil
}

// shutdown stops accepting, asks every child to finish, waits within the bound, kills what is
// left, reaps everything and closes the databases.
func (m *Master) shutdown(reason string, sigc <-chan os.Signal) {
	log := m.mlog()
	log.Info(reason)
	m.stopping = true
	for _, s := range m.services {
		s.closeSocket()
	}
	for _, ev := range m.events {
		ev.cancel()
	}
	for _, d := range m.daemons {
		d.cancel()
	}
	for _, c := range m.children {
		c.retiring = true
		signalGroup(c, syscall.SIGTERM)
	}
	m.signalLeftover(syscall.SIGTERM)
	bound := time.NewTimer(m.opts.ShutdownTimeout)
	defer bound.Stop()
	// Groups outliving their leader are not reaped by master, so their end is polled.
	poll := time.NewTicker(50 * time.Millisecond)
	defer poll.Stop()
	killed := false
	for len(m.children) > 0 || m.pruneLeftover() {
		select {
		case fn := <-m.calls:
			fn()
		case <-poll.C:
		case sig := <-sigc:
			if sig != syscall.SIGHUP && !killed {
				log.Info("second signal: killing children", "signal", sig.String())
				m.killAll()
				killed = true
			}
		case <-bound.C:
			if killed {
				log.Error("children did not exit after SIGKILL", "left", len(m.children), "groups", len(m.leftover))
				m.closeDB()
				return
			}
			log.Warn("children still running after the bound, killing them", "left", len(m.children),
				"groups", len(m.leftover), "bound", m.opts.ShutdownTimeout)
			m.killAll()
			killed = true
			bound.Reset(5 * time.Second)
		}
	}
	log.Info("All children have exited, closing down")
	m.closeDB()
}

// killAll sends SIGKILL to every child's process group and every remembered leftover group.
func (m *Master) killAll() {
	for _, c := range m.children {
		signalGroup(c, syscall.SIGKILL)
	}
	m.signalLeftover(syscall.SIGKILL)
}

// startRepairs starts the worker running AfterCrash when asked.
func (m *Master) startRepairs() {
	if m.opts.AfterCrash == nil {
		return
	}
	m.crashed, m.repairDone = make(chan struct{}, 1), make(chan struct{})
	go func() {
		defer close(m.repairDone)
		for range m.crashed {
			m.opts.AfterCrash(context.Background())
		}
	}()
}

// crashRepair asks for an AfterCrash run (one pending run is enough).
func (m *Master) crashRepair() {
	if m.crashed == nil {
		return
	}
	select {
	case m.crashed <- struct{}{}:
	default:
	}
}

func (m *Master) closeDB() {
	if m.db == nil {
		return
	}
	if m.crashed != nil {
		close(m.crashed) // the last repair runs before the databases close
		<-m.repairDone
		m.crashed = nil
	}
	if err := m.db.Close(); err != nil {
		m.mlog().Error("closing the databases", "err", err)
	}
	if m.dbDone != nil {
		select {
		case err := <-m.dbDone:
			if err != nil && !errors.Is(err, os.ErrClosed) {
				m.mlog().Debug("database service ended", "err", err)
			}
		case <-time.After(5 * time.Second):
			m.mlog().Warn("database service did not stop within 5s")
		}
	}
	m.db = nil
	m.mlog().Info("databases closed")
}

// onExit handles the end of any child.
func (m *Master) onExit(c *child, err error) {
	delete(m.children, c.pid)
	m.rememberGroup(c.pid)
	desc, abnormal := exitDescription(err)
	log := m.logFor(c.name, c.pid)
	if abnormal && !c.retiring {
		log.Warn(desc, "kind", c.kind.String())
		m.crashRepair()
	} else {
		log.Info(desc, "kind", c.kind.String())
	}
	switch c.kind {
	case kindService:
		m.serviceExited(c, abnormal)
	case kindDaemon:
		m.daemonExited(c, abnormal)
	case kindEvent:
		m.eventExited(c)
	}
	if m.fdFull && !m.stopping {
		// A descriptor is free again: services held back by the limit top up.
		m.fdFull = false
		for _, s := range m.services {
			m.reconcile(s)
		}
	}
}
