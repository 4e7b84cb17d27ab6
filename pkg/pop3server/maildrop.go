package pop3server

import (
	"context"
	"errors"
	"fmt"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/auth"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/logins"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// message is one message of the session's snapshot.
type message struct {
	uid       uint32
	size      uint32
	deleted   bool // DELE'd in this session
	retrieved bool // RETR'd (whole) in this session
}

// maildrop is the session's snapshot of its mailbox.
type maildrop struct {
	mb          *mailbox.Mailbox
	name        string // internal mailbox name
	uidValidity uint32
	msgs        []message
	rights      acl.Rights
}

// errNoSuchMessage: a number out of range or of a DELE'd message.
var errNoSuchMessage = errors.New("No such message")

// get returns message n (1-based) unless out of range or deleted.
func (d *maildrop) get(arg string) (int, *message, error) {
	n, err := parseNumber(arg)
	if err != nil {
		return 0, nil, err
	}
	if n < 1 || n > len(d.msgs) || d.msgs[n-1].deleted {
		return 0, nil, errNoSuchMessage
	}
	return n, &d.msgs[n-1], nil
}

// stat returns the count and total size of the messages not DELE'd.
func (d *maildrop) stat() (count int, size int64) {
	for i := range d.msgs {
		if !d.msgs[i].deleted {
			count++
			size += int64(d.msgs[i].size)
		}
	}
	return count, size
}

// update is RFC 1939's UPDATE state: expunge the DELE'd messages still
// present (others may have gone meanwhile) and, with popuseimapflags and
// the s right, flag the retrieved ones \Seen.
func (d *maildrop) update(ctx context.Context, useIMAPFlags bool) error {
	var gone, seen []uint32
	for _, m := range d.msgs {
		switch {
		case m.deleted:
			gone = append(gone, m.uid)
		case m.retrieved:
			seen = append(seen, m.uid)
		}
	}
	var errs []error
	if len(gone) > 0 {
		if _, err := d.mb.Expunge(ctx, gone); err != nil {
			errs = append(errs, fmt.Errorf("expunge: %w", err))
		}
	}
	if useIMAPFlags && len(seen) > 0 && d.rights&acl.Seen != 0 {
		req := mailbox.StoreRequest{UIDs: seen, Op: mailbox.StoreAdd, Flags: mailbox.FlagSeen}
		if _, err := d.mb.Store(ctx, req); err != nil {
			errs = append(errs, fmt.Errorf("setting \\Seen: %w", err))
		}
	}
	return errors.Join(errs...)
}

func (d *maildrop) close() { d.mb.Close() }

// loginError is a refusal to open the maildrop, with the client's text.
type loginError struct {
	reply string
	err   error
}

func (e *loginError) Error() string { return e.reply + ": " + e.err.Error() }
func (e *loginError) Unwrap() error { return e.err }

// mailStore is what opening a maildrop asks of the store: the user's
// namespace, the rights policy, the mailbox, and the databases where the
// login claims of popminpoll live.
type mailStore interface {
	Namespace() mboxname.Namespace
	Policy() acl.Policy
	Open(ctx context.Context, name string, mode store.QuotaMode) (*mailbox.Mailbox, *store.Entry, error)
	DB() cyrusdb.DB
	AutocreateAtLogin(ctx context.Context, userid string, admin bool, p *store.Provisioning) error
}

var _ mailStore = (*store.Store)(nil)

// openMaildrop opens the mailbox of an authenticated user (folder "" for
// the INBOX) and takes the session's snapshot. A user without an INBOX
// gets one first when autocreate_quota >= 0, as in imapd (Cyrus's pop3d
// runs autocreate_user too); a failure there is logged and the missing
// maildrop answered as usual.
func (s *session) openMaildrop(ctx context.Context, res auth.Result, folder string) (*maildrop, error) {
	var st mailStore = s.srv.opts.Store
	if err := st.AutocreateAtLogin(ctx, res.User, res.Admin, s.srv.provisioning); err != nil {
		s.log.Warn("autocreating the INBOX at login", "err", err)
	}
	name := mboxname.UserInbox(res.User)
	if folder != "" {
		// The folder is named as the user sees it: at the top level with
		// altnamespace (Cyrus 3's default), under INBOX otherwise.
		ext := folder
		if !st.Namespace().AltNamespace {
			ext = "INBOX" + string(st.Namespace().Separator(false)) + folder
		}
		n, err := st.Namespace().ToInternal(ext, res.User, false)
		if err != nil {
			return nil, &loginError{"-ERR [SYS/PERM] Unable to open maildrop: Invalid mailbox name", err}
		}
		name = n
	}
	mb, entry, err := st.Open(ctx, name, store.QuotaStrict)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &loginError{"-ERR [SYS/PERM] Unable to open maildrop: Mailbox does not exist", err}
	}
	if err != nil {
		return nil, &loginError{"-ERR [SYS/TEMP] Unable to open maildrop: System I/O error", err}
	}
	rights := acl.Read | acl.Seen | acl.DeleteMessages
	if s.srv.opts.Config.Popuseacl() {
		who := acl.Identity{User: res.User, Anonymous: res.Anonymous, Admin: res.Admin}
		rights = st.Policy().Rights(entry.ACL, who, name)
		if rights&acl.Read == 0 {
			mb.Close()
			return nil, &loginError{"-ERR [IN-USE] Unable to lock maildrop: Permission denied", errors.New("no r right")}
		}
	}
	if err := claimLogin(ctx, st.DB(), name, s.srv.opts.Config.Popminpoll()); err != nil {
		mb.Close()
		return nil, err
	}
	view, err := mb.Snapshot()
	if err != nil {
		mb.Close()
		return nil, &loginError{"-ERR [SYS/TEMP] Unable to open maildrop: System I/O error", err}
	}
	// Messages at or before pop3showafter are not part of the maildrop.
	after := s.showAfter(ctx, name)
	d := &maildrop{mb: mb, name: name, uidValidity: view.UIDValidity, rights: rights,
		msgs: make([]message, 0, len(view.Records))}
	for _, r := range view.Records {
		if !after.IsZero() && !r.InternalDate().After(after) {
			continue
		}
		d.msgs = append(d.msgs, message{uid: r.UID, size: r.Size})
	}
	return d, nil
}

// login enters the TRANSACTION state for an authenticated user. Cyrus
// checks maxlogins_per_user/maxlogins_per_host as the last step of the
// login and stays in the AUTHORIZATION state on refusal; here the check
// comes before the maildrop is opened, so that a refused login does not
// count as a poll for popminpoll.
func (s *session) login(res auth.Result, folder string) {
	if s.refuseIfDenied(res) {
		return
	}
	slot, err := s.srv.logins.Acquire(res.User, logins.HostOf(s.conn.RemoteAddr()), s.srv.loginLimits)
	if err != nil {
		s.log.Warn("login refused", "user", res.User, "err", err)
		s.reply("-ERR " + err.Error())
		return
	}
	d, err := s.openMaildrop(s.ctx, res, folder)
	if err != nil {
		slot.Release()
		s.log.Info("login refused", "user", res.User, "err", err)
		var le *loginError
		if errors.As(err, &le) {
			s.reply(le.reply)
		} else {
			s.reply("-ERR [SYS/TEMP] Unable to open maildrop")
		}
		return
	}
	s.loginSlot = slot
	s.drop = d
	s.procUser = res.User
	s.watchDeny(res.User)
	id := s.id
	s.log = s.log.With("user", res.User)
	s.log.Info("login", "mechanism", res.Mechanism, "mailbox", d.name, "messages", len(d.msgs), "tls", s.tlsState != nil)
	s.reply("+OK Mailbox locked and ready SESSIONID=<" + id + ">")
}
