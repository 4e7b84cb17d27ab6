package pop3server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/mailbox"
)

// replyMessageError answers a bad message-number argument.
func (s *session) replyMessageError(err error) {
	s.reply("-ERR " + err.Error())
}

// cmdStat: STAT.
func (s *session) cmdStat(cmd command) {
	if !s.noArgs(cmd) {
		return
	}
	n, size := s.drop.stat()
	s.reply("+OK " + strconv.Itoa(n) + " " + strconv.FormatInt(size, 10))
}

// cmdList: LIST [msg].
func (s *session) cmdList(cmd command) {
	s.listing(cmd, "+OK scan listing follows", func(b []byte, m *message) []byte {
		return strconv.AppendUint(b, uint64(m.size), 10)
	})
}

// cmdUIDL: UIDL [msg].
func (s *session) cmdUIDL(cmd command) {
	d := s.drop
	s.listing(cmd, "+OK unique-id listing follows", func(b []byte, m *message) []byte {
		return s.srv.uidl.appendUIDL(b, d.uidValidity, m.uid)
	})
}

// listing answers LIST and UIDL: one line for an argument, else a
// multi-line listing of the messages not DELE'd, sent in one flush.
func (s *session) listing(cmd command, header string, value func([]byte, *message) []byte) {
	if !s.wantArgs(cmd, 0, 1) {
		return
	}
	if len(cmd.Args) == 1 {
		n, m, err := s.drop.get(cmd.Args[0])
		if err != nil {
			s.replyMessageError(err)
			return
		}
		b := strconv.AppendInt([]byte("+OK "), int64(n), 10)
		b = append(b, ' ')
		s.w.Write(value(b, m))
		s.w.WriteString("\r\n")
		s.flush()
		return
	}
	s.w.WriteString(header + "\r\n")
	line := make([]byte, 0, 64)
	for i := range s.drop.msgs {
		m := &s.drop.msgs[i]
		if m.deleted {
			continue
		}
		line = strconv.AppendInt(line[:0], int64(i+1), 10)
		line = append(line, ' ')
		line = append(value(line, m), '\r', '\n')
		s.w.Write(line)
	}
	s.w.WriteString(".\r\n")
	s.flush()
}

// cmdRetr: RETR msg.
func (s *session) cmdRetr(cmd command) {
	if !s.wantArgs(cmd, 1, 1) {
		return
	}
	s.sendMessage(cmd.Args[0], allLines)
}

// cmdTop: TOP msg n.
func (s *session) cmdTop(cmd command) {
	if !s.wantArgs(cmd, 2, 2) {
		return
	}
	lines, err := parseNumber(cmd.Args[1])
	if err != nil {
		s.reply("-ERR Invalid number of lines")
		return
	}
	s.sendMessage(cmd.Args[0], lines)
}

// sendMessage streams a message (or its top) as one response.
func (s *session) sendMessage(arg string, bodyLines int) {
	_, m, err := s.drop.get(arg)
	if err != nil {
		s.replyMessageError(err)
		return
	}
	f, err := s.drop.mb.OpenLiveMessage(m.uid)
	if errors.Is(err, mailbox.ErrNoSuchMessage) {
		// Expunged by another session since the snapshot.
		s.log.Info("message vanished since login", "uid", m.uid, "err", err)
		s.replyMessageError(errNoSuchMessage)
		return
	}
	var size int64
	if err == nil {
		defer f.Close()
		size, err = regularFile(f)
	}
	if err != nil {
		// Unreadable, or not a file (a directory opens, then fails the
		// first read with "+OK" already sent): refuse before answering.
		s.log.Error("reading a message", "uid", m.uid, "err", err)
		s.reply("-ERR [SYS/PERM] Could not read message file")
		return
	}
	if s.scratch == nil {
		s.scratch = bufio.NewReaderSize(nil, 16<<10)
	}
	s.w.WriteString("+OK Message follows\r\n")
	// A spool file never changes once written: reading its size, no more,
	// spares the read that would only find the end.
	if err := copyStuffed(s.w, io.LimitReader(f, size), s.scratch, bodyLines); err != nil {
		// Headers are out: the response cannot be taken back.
		s.log.Error("reading a message", "uid", m.uid, "err", err)
		s.flush()
		s.conn.Close()
		return
	}
	s.flush()
	if bodyLines == allLines {
		m.retrieved = true
	}
}

// cmdDele: DELE msg; needs the t right with popuseacl.
func (s *session) cmdDele(cmd command) {
	if !s.wantArgs(cmd, 1, 1) {
		return
	}
	if s.drop.rights&acl.DeleteMessages == 0 {
		s.reply("-ERR [SYS/PERM] Permission denied")
		return
	}
	_, m, err := s.drop.get(cmd.Args[0])
	if err != nil {
		s.replyMessageError(err)
		return
	}
	m.deleted = true
	s.reply("+OK message deleted")
}

// cmdRset: RSET undoes every DELE of the session.
func (s *session) cmdRset(cmd command) {
	if !s.noArgs(cmd) {
		return
	}
	for i := range s.drop.msgs {
		s.drop.msgs[i].deleted = false
	}
	s.reply("+OK")
}

// regularFile returns f's size, failing unless f is a regular file.
func regularFile(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("%s is not a regular file", f.Name())
	}
	return fi.Size(), nil
}
