package master

import (
	"fmt"
	"os"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/service"
)

// runStart runs one START entry to completion with its output logged. Any failure — missing
// program, non-zero exit, death by signal — is returned and stops master.
func (m *Master) runStart(e config.Entry) error {
	log := m.logFor(e.Name, os.Getpid())
	m.nextID++
	cmd, err := m.command(e, service.Env{Service: e.Name, ID: m.nextID, Verbose: m.opts.Verbose})
	if err != nil {
		return fmt.Errorf("master: START %q (%s:%d): %w", e.Name, e.File, e.Line, err)
	}
	done, err := m.captureOutput(cmd, e.Name)
	if err != nil {
		return err
	}
	err = cmd.Start()
	logged := done()
	if err != nil {
		return fmt.Errorf("master: START %q (%s:%d): %w", e.Name, e.File, e.Line, err)
	}
	log = m.logFor(e.Name, cmd.Process.Pid)
	log.Info("running START entry", "cmd", e.Cmd)
	desc, abnormal := exitDescription(cmd.Wait())
	m.rememberGroup(cmd.Process.Pid)
	select { // the output belongs in the log before the verdict
	case <-logged:
	case <-time.After(time.Second): // a descendant still holds the pipe
	}
	if abnormal {
		log.Error("START entry failed", "status", desc)
		return fmt.Errorf("master: START %q (%s:%d) failed: %s", e.Name, e.File, e.Line, desc)
	}
	log.Info("START entry done")
	return nil
}
