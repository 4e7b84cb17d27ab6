package master

import (
	"errors"
	"syscall"
)

// Every child master starts leads its own process group (Setpgid), so a
// signal to the group also reaches what the child started: the scripts a
// START or EVENT entry runs, a sendmail a service spawned. A child that
// exits leaving members in its group (a background job of an event
// script) has its group remembered in Master.leftover, and shutdown
// signals and waits for those groups as for the children themselves.
//
// A group id stays taken while any member lives, so a remembered group
// that still has members is ours. Once it empties, the kernel may hand
// the number to a new process, which could lead a group of its own: a
// remembered group is therefore forgotten as soon as a process with its
// number exists (the leader itself was reaped when the child exited).

// signalGroup sends sig to the process group c leads, or to c alone if it
// no longer leads one.
func signalGroup(c *child, sig syscall.Signal) {
	if err := syscall.Kill(-c.pid, sig); err != nil {
		c.cmd.Process.Signal(sig)
	}
}

// groupAlive reports whether process group pgid has a member.
func groupAlive(pgid int) bool {
	err := syscall.Kill(-pgid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// processExists reports whether a process numbered pid exists.
func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// rememberGroup notes the group of a child that has just been reaped if
// members of it are still running.
func (m *Master) rememberGroup(pgid int) {
	if groupAlive(pgid) {
		m.leftover[pgid] = struct{}{}
		m.mlog().Debug("a child's process group outlives it", "pgid", pgid)
	}
}

// pruneLeftover forgets remembered groups that are empty or whose number
// a new process has taken, and reports whether any are left.
func (m *Master) pruneLeftover() bool {
	for g := range m.leftover {
		if !groupAlive(g) || processExists(g) {
			delete(m.leftover, g)
		}
	}
	return len(m.leftover) > 0
}

// signalLeftover sends sig to every remembered group still ours.
func (m *Master) signalLeftover(sig syscall.Signal) {
	if !m.pruneLeftover() {
		return
	}
	for g := range m.leftover {
		syscall.Kill(-g, sig)
	}
}
