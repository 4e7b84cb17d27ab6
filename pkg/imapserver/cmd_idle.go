package imapserver

import (
	"errors"
	"strings"
	"time"

	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/service"
)

// cmdIdle: RFC 2177. Changes to the selected mailbox are pushed as they
// happen: the store publishes every commit through the db service, which
// wakes this session in any process; imapidlepoll re-checks in case a
// notification was lost. Only a helper goroutine reads (the "DONE" line);
// this goroutine alone writes.
func cmdIdle(s *session, c wire.Command) (reply, error) {
	if err := s.r.EOL(); err != nil {
		return reply{}, err
	}
	var wake <-chan struct{}
	if s.sel != nil {
		ch, cancel, err := s.srv.st.Watch(s.ctx, s.sel.name)
		if err != nil {
			s.log.Warn("IDLE without notifications, polling", "err", err)
		} else {
			defer cancel()
			wake = ch
		}
		// Report anything pending before idling starts.
		if err := s.sel.sync(s, true); err != nil {
			return reply{}, err
		}
	}
	s.w.Continuation("idling")
	if err := s.w.Flush(); err != nil {
		return reply{}, connErr(err)
	}
	idleTimeout := s.srv.cfg.Imapidletimeout()
	if idleTimeout <= 0 {
		idleTimeout = s.srv.timeout
	}
	s.setReadDeadline(time.Now().Add(idleTimeout))

	type lineResult struct {
		line string
		err  error
	}
	done := make(chan lineResult, 1)
	go func() {
		// A panic in the reader is handed to the session, which then ends
		// as after any server bug (service.Recover in Handle).
		defer service.Guard(s.log, "IDLE reader", func() { done <- lineResult{err: errReaderPanicked} })
		line, err := s.r.ReadLine()
		done <- lineResult{line, err}
	}()
	// stopReading ends the helper before this command returns.
	stopReading := func() {
		s.conn.SetReadDeadline(time.Now())
		<-done
	}
	poll := time.NewTicker(s.srv.idlePoll)
	defer poll.Stop()
	for {
		select {
		case res := <-done:
			if res.err == errReaderPanicked {
				panic(res.err)
			}
			switch {
			case res.err != nil:
				var we *wire.Error
				if errors.As(res.err, &we) {
					return reply{}, res.err
				}
				if isTimeout(res.err) {
					return reply{}, connErr(errTimeout)
				}
				return reply{}, connErr(res.err)
			case strings.EqualFold(strings.TrimSpace(res.line), "DONE"):
				return reply{}, nil
			default:
				return reply{}, bad("Expected DONE")
			}
		case <-wake:
		case <-poll.C:
		case <-s.notifyWake():
			if err := s.notifyScan(true, false); err != nil {
				s.log.Warn("NOTIFY: reporting changes", "err", err)
			}
		}
		if s.sel == nil {
			if err := s.w.Flush(); err != nil {
				stopReading()
				return reply{}, connErr(err)
			}
			continue
		}
		if err := s.sel.sync(s, true); err != nil {
			stopReading()
			return reply{}, err
		}
		if err := s.w.Flush(); err != nil {
			stopReading()
			return reply{}, connErr(err)
		}
	}
}

// errReaderPanicked: IDLE's reader goroutine hit a server bug (logged there).
var errReaderPanicked = errors.New("IDLE reader panicked")
