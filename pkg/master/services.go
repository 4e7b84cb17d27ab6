package master

import (
	"math"
	"os"
	"syscall"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/service"
)

// serviceState is one SERVICES entry: its socket, its current processes and its failure record.
type serviceState struct {
	entry     config.Entry
	addr      service.Addr
	sock      *boundSocket // nil while disabled or unbound
	current   map[int]*child
	failures  []time.Time
	disabled  bool
	watching  *boundSocket // the socket a readiness watcher waits on (prefork=0), or nil
	lastSpawn time.Time
	spawnWake *time.Timer // pending fork-rate wake-up
	// backoffWake is the end of the pause after a burst of failures (nil = not pausing);
	// backoffs counts the bursts in a row, doubling the pause; troubleAt is the last failure or
	// the end of the last pause: a failure-free window after it ends the run of bursts.
	backoffWake *time.Timer
	backoffs    int
	troubleAt   time.Time
}

func (s *serviceState) closeSocket() {
	if s.spawnWake != nil {
		s.spawnWake.Stop()
		s.spawnWake = nil
	}
	s.stopBackoff()
	s.sock.close()
	s.sock = nil
	s.watching = nil
}

func (s *serviceState) stopBackoff() {
	if s.backoffWake != nil {
		s.backoffWake.Stop()
		s.backoffWake = nil
	}
}

// capPrefork caps prefork by maxchild, with a warning: more idle processes than connections
// allowed would have nothing to do; and by master's file descriptor limit (see
// processesForFDs), with a warning: forking until the descriptors run out would leave master
// unable to accept a signal's consequences or reopen anything.
func (m *Master) capPrefork(e config.Entry) config.Entry {
	log := m.logFor(e.Name, os.Getpid())
	if e.MaxChild > 0 && e.Prefork > e.MaxChild {
		log.Warn("prefork above maxchild, capped", "file", e.File, "line", e.Line,
			"prefork", e.Prefork, "maxchild", e.MaxChild)
		e.Prefork = e.MaxChild
	}
	if fit := processesForFDs(m.nofile); e.Prefork > fit {
		log.Warn("prefork above what master's file descriptor limit allows, capped", "file", e.File, "line", e.Line,
			"prefork", e.Prefork, "nofile", m.nofile, "capped", fit)
		e.Prefork = fit
	}
	return e
}

const (
	// masterFDsReserved are master's descriptors besides those per child: listeners, the
	// lifeline, the pidfile, the databases (badger keeps several files open), logs.
	masterFDsReserved = 256
	// masterFDsPerChild: the process's pidfd and, for an event, its output pipe.
	masterFDsPerChild = 2
)

// processesForFDs is how many children master can keep with fd limit nofile (0 = unknown:
// no cap).
func processesForFDs(nofile int) int {
	if nofile <= 0 {
		return math.MaxInt
	}
	return max((nofile-masterFDsReserved)/masterFDsPerChild, 1)
}

// nofileLimit is the soft RLIMIT_NOFILE in effect (0 when unknown).
func nofileLimit() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur > math.MaxInt32 {
		return 0
	}
	return int(lim.Cur)
}

// processes is how many processes the service keeps: prefork, at least one once demand was seen.
func (s *serviceState) processes() int { return max(s.entry.Prefork, 1) }

// addService registers e and binds its socket; a bind failure is logged and leaves the service
// disabled until SIGHUP.
func (m *Master) addService(e config.Entry) *serviceState {
	s := &serviceState{entry: m.capPrefork(e), current: make(map[int]*child)}
	m.services[e.Name] = s
	m.bindService(s)
	return s
}

func (m *Master) bindService(s *serviceState) {
	log := m.logFor(s.entry.Name, os.Getpid())
	addr, err := listenAddr(s.entry)
	if err == nil {
		s.addr = addr
		s.sock, err = bind(addr, m.opts.Backlog)
	}
	if err != nil {
		s.disabled = true
		log.Error("cannot listen, service disabled until SIGHUP", "listen", s.entry.Listen, "err", err)
		return
	}
	log.Debug("listening", "addr", addr.String())
}

// reconcile brings a service to its wanted number of processes: prefork of them, or for
// prefork=0 a watcher that starts one when a connection waits.
func (m *Master) reconcile(s *serviceState) {
	if m.stopping || s.disabled || s.sock == nil || s.backoffWake != nil {
		return
	}
	if s.entry.Prefork == 0 {
		if len(s.current) == 0 {
			m.watch(s)
		}
		return
	}
	for n := 0; len(s.current) < s.entry.Prefork; n++ {
		if n == spawnBatch {
			// The rest on a later turn of the loop, so that signals are seen between batches.
			go m.post(func() { m.reconcile(s) })
			return
		}
		if !m.spawnService(s) {
			return
		}
	}
}

// spawnBatch is how many processes reconcile starts before letting the loop handle signals.
const spawnBatch = 8

// watch waits (in a goroutine) for a connection on a prefork=0 service's socket.
func (m *Master) watch(s *serviceState) {
	if s.watching == s.sock {
		return
	}
	sock := s.sock
	s.watching = sock
	go func() {
		err := waitReadable(sock.file)
		m.post(func() {
			if s.watching != sock || s.sock != sock { // socket replaced or closed meanwhile
				return
			}
			s.watching = nil
			if err != nil {
				m.logFor(s.entry.Name, os.Getpid()).Error("watching listener", "err", err)
				return
			}
			if len(s.current) == 0 {
				m.spawnService(s)
			}
		})
	}()
}

// spawnService starts one process of s. It returns false when it could not (fork rate reached:
// a wake-up is scheduled; master's descriptors allow no more children: retried when a child
// exits; or the executable is missing: the service is disabled).
func (m *Master) spawnService(s *serviceState) bool {
	if len(m.children) >= processesForFDs(m.nofile) {
		if !m.fdFull {
			m.logFor(s.entry.Name, os.Getpid()).Warn("not starting a process: master's file descriptor limit allows no more children",
				"children", len(m.children), "nofile", m.nofile)
			m.fdFull = true
		}
		return false
	}
	if wait := forkDelay(s.entry.MaxForkRate, s.lastSpawn); wait > 0 {
		if s.spawnWake == nil {
			s.spawnWake = m.after(wait, func() { s.spawnWake = nil; m.reconcileOrSpawn(s) })
		}
		return false
	}
	log := m.logFor(s.entry.Name, os.Getpid())
	m.nextID++
	env := service.Env{Service: s.entry.Name, ID: m.nextID, Verbose: m.opts.Verbose, MaxFDs: s.entry.MaxFds}
	if s.entry.MaxChild > 0 {
		env.MaxChild = (s.entry.MaxChild + s.processes() - 1) / s.processes()
	}
	if s.entry.Prefork == 0 {
		env.IdleTimeout = idleTimeoutPrefork0
	}
	cmd, err := m.command(s.entry, env)
	if err == nil {
		withFiles(cmd, s.entry.Name, []*os.File{s.sock.file}, m.lifelineR, nil)
		c := &child{kind: kindService, name: s.entry.Name, id: env.ID, cmd: cmd, svc: s}
		if err = m.start(c); err == nil {
			s.current[c.pid] = c
			s.lastSpawn = time.Now()
			return true
		}
	}
	log.Error("cannot start service, disabled until SIGHUP", "cmd", s.entry.Cmd, "err", err)
	m.disable(s)
	return false
}

// reconcileOrSpawn is the fork-rate wake-up: prefork services top up; a prefork=0 service
// whose watcher fired while throttled starts its process now.
func (m *Master) reconcileOrSpawn(s *serviceState) {
	if s.entry.Prefork == 0 && len(s.current) == 0 && s.sock != nil && !s.disabled && !m.stopping && s.backoffWake == nil {
		m.spawnService(s)
		return
	}
	m.reconcile(s)
}

// forkDelay is how long to wait before the next fork under a maxforkrate of rate per second.
func forkDelay(rate int, last time.Time) time.Duration {
	if rate <= 0 || last.IsZero() {
		return 0
	}
	return time.Until(last.Add(time.Second / time.Duration(rate)))
}

func (m *Master) disable(s *serviceState) {
	s.disabled = true
	s.closeSocket()
}

// serviceExited replaces a current process, after recording an abnormal exit as a failure.
func (m *Master) serviceExited(c *child, abnormal bool) {
	s := c.svc
	if _, ok := s.current[c.pid]; !ok {
		return // retired: nothing to replace
	}
	delete(s.current, c.pid)
	if abnormal && !m.stopping {
		now := time.Now()
		if now.Sub(s.troubleAt) >= failureWindow {
			s.backoffs = 0 // the service had recovered
		}
		s.troubleAt = now
		s.failures = append(recent(s.failures, now), now)
		if len(s.failures) >= failureLimit && s.backoffWake == nil {
			m.backOff(s)
			return
		}
	}
	m.reconcile(s)
}

// backOff pauses the starting of a service that keeps failing, instead of disabling it as Cyrus
// does until SIGHUP: its socket stays open (clients wait in the backlog) and the pause doubles
// with each burst of failures in a row, up to CrashBackoffMax.
func (m *Master) backOff(s *serviceState) {
	pause := crashBackoff(m.opts.CrashBackoff, m.opts.CrashBackoffMax, s.backoffs)
	s.backoffs++
	m.logFor(s.entry.Name, os.Getpid()).Error("too many failures for service, backing off",
		"failures", len(s.failures), "window", failureWindow, "pause", pause)
	s.failures = nil
	var wake *time.Timer
	wake = m.after(pause, func() {
		if s.backoffWake != wake {
			return // stopped (shutdown, SIGHUP) after it had fired
		}
		s.backoffWake = nil
		s.troubleAt = time.Now()
		m.logFor(s.entry.Name, os.Getpid()).Info("restarting service after backing off")
		m.reconcileOrSpawn(s)
	})
	s.backoffWake = wake
}

// crashBackoff is the pause after the n-th burst of failures in a row (n from 0): first,
// doubled n times, at most limit.
func crashBackoff(first, limit time.Duration, n int) time.Duration {
	d := first
	for range n {
		if d >= limit/2 {
			return limit
		}
		d *= 2
	}
	return min(d, limit)
}

// recent drops failures older than failureWindow.
func recent(ts []time.Time, now time.Time) []time.Time {
	out := ts[:0]
	for _, t := range ts {
		if now.Sub(t) < failureWindow {
			out = append(out, t)
		}
	}
	return out
}

// retire tells every current process of s to finish its sessions and exit (SIGHUP).
func (m *Master) retire(s *serviceState) {
	for pid, c := range s.current {
		c.retiring = true
		c.cmd.Process.Signal(syscall.SIGHUP)
		delete(s.current, pid)
	}
}
