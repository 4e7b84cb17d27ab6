package fud

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// Replies other than a mailbox's figures, with the NUL Cyrus's fud sends after them.
var (
	ReplyUnknown  = []byte("UNKNOWN\x00")
	ReplyPermDeny = []byte("PERMDENY\x00")
)

// MaxRequest is how much of a datagram is read, as Cyrus's fud reads at most 511 bytes.
const MaxRequest = 511

// Server answers queries from a store.
type Server struct {
	st  *store.Store
	log *slog.Logger
}

// New returns a server reading st; log may be nil.
func New(st *store.Store, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{st: st, log: log}
}

// Answer is the reply to one request datagram, or nil when it gets none (no '|').
func (s *Server) Answer(ctx context.Context, req []byte) []byte {
	if i := bytes.IndexByte(req, 0); i >= 0 {
		req = req[:i] // Cyrus reads the request as a C string
	}
	user, mbox, ok := strings.Cut(string(req), "|")
	if !ok {
		return nil
	}
	reply, err := s.answer(ctx, user, mbox)
	if err != nil {
		s.log.Info("fud query not answered", "user", user, "mailbox", mbox, "err", err)
	}
	return reply
}

func (s *Server) answer(ctx context.Context, user, mbox string) ([]byte, error) {
	internal, err := s.st.Namespace().ToInternal(mbox, user, true)
	if err != nil {
		return ReplyUnknown, err
	}
	mb, entry, err := s.st.Open(ctx, internal, store.QuotaIgnore)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ReplyUnknown, nil
		}
		return ReplyUnknown, err
	}
	defer mb.Close()
	if entry.IsDeleted() {
		return ReplyUnknown, nil
	}
	if _, personal := mboxname.UserOf(internal); personal {
		rights := s.st.Policy().Rights(entry.ACL, acl.Identity{User: "anonymous", Anonymous: true}, internal)
		if rights&acl.User0 == 0 {
			return ReplyPermDeny, nil
		}
	}
	seen, err := s.st.GetSeen(ctx, user, entry.UniqueID)
	if err != nil {
		return ReplyUnknown, err
	}
	v, err := mb.Snapshot()
	if err != nil {
		return ReplyUnknown, err
	}
	var numRecent int
	var lastArrived int64
	for _, r := range v.Records {
		if r.UID > seen.LastUID {
			numRecent++
		}
		if t := r.SaveDate().Unix(); t > lastArrived {
			lastArrived = t
		}
	}
	return fmt.Appendf(nil, "%s|%s|%d|%d|%d", user, mbox, numRecent, uint32(seen.LastRead), uint32(lastArrived)), nil
}

// Serve answers the datagrams arriving on pc until ctx ends or pc is closed.
func (s *Server) Serve(ctx context.Context, pc net.PacketConn) error {
	stop := context.AfterFunc(ctx, func() { pc.Close() })
	defer stop()
	buf := make([]byte, MaxRequest)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("fud: reading a query: %w", err)
		}
		if reply := s.Answer(ctx, buf[:n]); reply != nil {
			if _, err := pc.WriteTo(reply, from); err != nil {
				s.log.Info("fud reply not sent", "to", from.String(), "err", err)
			}
		}
	}
}
