package lmtp

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/duplicate"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/sieve"
	"gocyrus/pkg/store"
)

// sieveFailedKeyword marks the copy delivered to INBOX because the
// user's script could not run (Cyrus's keyword).
const sieveFailedKeyword = "$SieveFailed"

// sieveSeenMailbox is the pseudo mailbox of the duplicate record saying a
// user's script has handled a message, so a retransmission does not
// redirect or answer it again (Cyrus keys it "<user>.sieve.").
const sieveSeenMailbox = ".sieve."

// deliverSieve runs the script of rc's owner (the user's active script,
// or the global script a shared mailbox names) and carries out its
// actions. Mail is never lost because of a script: when it cannot be
// compiled or fails while running, the message goes to the recipient's
// mailbox with $SieveFailed; when a fileinto target is unusable or a
// redirect cannot be sent, the message is kept instead.
func (s *Server) deliverSieve(ctx context.Context, d *delivery, rc *rcpt) error {
	o := d.ownerOf(rc)
	keep := target{entry: o.keep}
	script, name, err := s.script(ctx, o, d.now)
	if errors.Is(err, errNoScript) {
		_, err := s.deliverTo(ctx, d, d.orig, keep, rc.mode)
		return err
	}
	if err != nil {
		s.log.Warn("sieve: delivering to the recipient's mailbox", "owner", o.id, "err", err)
		return s.deliverFailed(ctx, d, keep, rc.mode)
	}
	seenKey := duplicate.Key{MessageID: d.msgID, Mailbox: o.id + sieveSeenMailbox, Date: d.date}
	if s.dup != nil && d.msgID != "" {
		if seen, err := s.dup.Seen(ctx, seenKey); err == nil && seen {
			s.log.Info("dupelim: sieve already handled this message", "owner", o.id, "id", d.msgID)
			return nil
		}
	}
	res, err := script.Run(ctx, d.sieveMsg, s.sieveEnv(ctx, d, rc, o))
	if err != nil {
		s.log.Warn("sieve: script failed, delivering to the recipient's mailbox", "owner", o.id, "script", name, "err", err)
		return s.deliverFailed(ctx, d, keep, rc.mode)
	}
	for _, l := range res.Log {
		s.log.Debug("sieve", "owner", o.id, "note", l)
	}
	if err := s.carryOut(ctx, d, rc, o, res.Actions); err != nil {
		return err
	}
	if s.dup != nil && d.msgID != "" {
		s.dup.MarkLater(seenKey, time.Now(), 0)
	}
	return nil
}

// deliverFailed keeps the message with $SieveFailed.
func (s *Server) deliverFailed(ctx context.Context, d *delivery, keep target, mode store.QuotaMode) error {
	keep.keywords = []string{sieveFailedKeyword}
	_, err := s.deliverTo(ctx, d, d.orig, keep, mode)
	return err
}

// sieveEnv is the run-time context of rc's script, owned by o.
func (s *Server) sieveEnv(ctx context.Context, d *delivery, rc *rcpt, o sieveOwner) sieve.Env {
	within := func(restart bool) func(string, int64) bool {
		return func(id string, secs int64) bool {
			period := time.Duration(secs) * time.Second
			vacation := strings.HasPrefix(id, "vacation:")
			if vacation {
				period = min(max(period, s.sieve.vacationMin), s.sieve.vacationMax)
			}
			seen, err := s.sieve.memory.Within(ctx, o.id, id, period, d.now, restart)
			if err != nil {
				// Better one vacation reply too few than a flood; a
				// duplicate test that cannot tell says "not seen".
				s.log.Warn("sieve: reading the duplicate records", "owner", o.id, "err", err)
				return vacation
			}
			return seen
		}
	}
	return sieve.Env{
		Envelope:      sieve.Envelope{From: d.from, To: rc.addr, Auth: d.auth},
		Now:           d.now,
		Duplicate:     within(false),
		DuplicateLast: within(true),
		MailboxExists: func(name string) bool {
			internal, err := o.toInternal(s.store.Namespace(), name)
			if err != nil {
				return false
			}
			_, err = s.store.Lookup(ctx, internal)
			return err == nil
		},
	}
}

// carryOut performs a script's actions for rc: the stores first (a
// failure there is answered before anything leaves the system), then
// redirects, then the vacation reply and the notifications. A
// notification that cannot be sent is logged; it never fails the delivery.
func (s *Server) carryOut(ctx context.Context, d *delivery, rc *rcpt, o sieveOwner, actions []sieve.Action) error {
	var (
		stores    []target
		redirects []string
		vacations []*sieve.VacationAction
		notifies  []*sieve.NotifyAction
		rejection *sieve.Action
		edits     []sieve.Action
		keepMe    bool // a redirect was suppressed or failed: keep
	)
	keep := target{entry: o.keep}
	for _, a := range actions {
		switch a.Kind {
		case sieve.Keep:
			stores = addTarget(stores, withFlags(keep, a.Flags))
		case sieve.FileInto:
			t := s.fileInto(ctx, o, a)
			stores = addTarget(stores, withFlags(t, a.Flags))
		case sieve.Redirect:
			if redirectedBy(d.sieveMsg, o.id) {
				s.log.Info("sieve: redirect loop, keeping the message", "owner", o.id, "to", a.Address)
				keepMe = true
				continue
			}
			redirects = append(redirects, a.Address)
		case sieve.Reject, sieve.EReject:
			rejection = &a
		case sieve.Vacation:
			vacations = append(vacations, a.Vacation)
		case sieve.Notify:
			notifies = append(notifies, a.Notify)
		case sieve.AddHeader, sieve.DeleteHeader:
			edits = append(edits, a)
		case sieve.Discard:
			s.log.Info("sieve: discarded", "owner", o.id, "id", d.msgID)
		}
	}
	if rejection != nil {
		// The interpreter allows only notify and editheader besides a reject.
		s.notifyAll(ctx, d, rc, o, notifies)
		return s.reject(ctx, d, rc, *rejection)
	}
	c := d.orig
	if len(edits) > 0 {
		c = newContent(editHeaders(d.orig.head, edits), d.orig.body)
		defer c.remove()
	}
	stored, err := s.storeAll(ctx, d, c, rc, stores)
	if err != nil {
		return err
	}
	for _, to := range redirects {
		if err := s.redirect(ctx, d, c, o.id, to); err != nil {
			s.log.Error("sieve: redirect failed, keeping the message", "owner", o.id, "to", to, "err", err)
			keepMe = true
		}
	}
	if keepMe && !stored[keep.entry.UniqueID] {
		if _, err := s.deliverTo(ctx, d, c, keep, rc.mode); err != nil {
			return err
		}
	}
	for _, v := range vacations {
		if err := s.sendVacation(ctx, d, rc, v); err != nil {
			s.log.Error("sieve: sending a vacation reply", "owner", o.id, "to", v.To, "err", err)
		}
	}
	s.notifyAll(ctx, d, rc, o, notifies)
	return nil
}

// notifyAll sends the script's notifications, logging failures.
func (s *Server) notifyAll(ctx context.Context, d *delivery, rc *rcpt, o sieveOwner, notifies []*sieve.NotifyAction) {
	for _, n := range notifies {
		if err := s.sendNotify(ctx, d, rc, o, n); err != nil {
			s.log.Error("sieve: sending a notification", "owner", o.id, "method", n.Method, "err", err)
		}
	}
}

// storeAll stores c into every target. A fileinto target that refuses the
// message (over quota, gone) falls back to the recipient's own mailbox; a
// failure there is the recipient's answer.
func (s *Server) storeAll(ctx context.Context, d *delivery, c *content, rc *rcpt, stores []target) (map[string]bool, error) {
	stored := map[string]bool{}
	keepID := rc.target.Entry.UniqueID
	var fallback *target
	for _, t := range stores {
		uid, err := s.deliverTo(ctx, d, c, t, rc.mode)
		if err == nil && uid != 0 && t.seen {
			s.recordSeen(ctx, t.seenUser, t.entry, uid)
		}
		if err != nil {
			if t.entry.UniqueID == keepID {
				return stored, err
			}
			s.log.Warn("sieve: fileinto failed, keeping the message", "user", rc.user, "mailbox", t.entry.Name, "err", err)
			fb := target{entry: rc.target.Entry, flags: t.flags, keywords: t.keywords}
			fallback = &fb
			continue
		}
		stored[t.entry.UniqueID] = true
	}
	if fallback != nil && !stored[keepID] {
		if _, err := s.deliverTo(ctx, d, c, *fallback, rc.mode); err != nil {
			return stored, err
		}
		stored[keepID] = true
	}
	return stored, nil
}

// fileInto resolves a fileinto target named as the owner sees mailboxes.
// The owner's own mailboxes are always allowed; others need p for the
// owner's rights. A missing folder is created with :create when those
// rights allow; otherwise the message goes to the recipient's mailbox.
func (s *Server) fileInto(ctx context.Context, o sieveOwner, a sieve.Action) target {
	keep := target{entry: o.keep}
	st := s.store
	internal, err := o.toInternal(st.Namespace(), a.Mailbox)
	if err == nil && st.IsDeletedName(internal) {
		err = errors.New("a delayed-deleted mailbox takes no mail")
	}
	if err != nil {
		s.log.Info("sieve: fileinto an invalid name, keeping", "owner", o.id, "mailbox", a.Mailbox, "err", err)
		return keep
	}
	mine := o.owns(st.Namespace(), internal)
	e, err := st.Lookup(ctx, internal)
	if errors.Is(err, store.ErrNotFound) && a.Create {
		e, err = s.createFor(ctx, o.rights, internal, mine)
	}
	if err != nil {
		s.log.Info("sieve: fileinto target unusable, keeping", "owner", o.id, "mailbox", a.Mailbox, "err", err)
		return keep
	}
	if s.resolver.Opt.Excluded(e) {
		s.log.Info("sieve: fileinto target excluded by lmtp_exclude_specialuse, keeping", "owner", o.id, "mailbox", a.Mailbox)
		return keep
	}
	if mine {
		return target{entry: e}
	}
	rights := st.Policy().Rights(e.ACL, o.rights, e.Name)
	if !rights.Has(acl.Post) {
		s.log.Info("sieve: no right to post into the fileinto target, keeping", "owner", o.id, "mailbox", a.Mailbox)
		return keep
	}
	return target{entry: e, foreign: true, rights: rights, seenUser: o.user}
}

// createFor creates a fileinto :create target: below the user's INBOX
// always, elsewhere when the user has k on the parent.
func (s *Server) createFor(ctx context.Context, who acl.Identity, internal string, mine bool) (*store.Entry, error) {
	st := s.store
	if !mine {
		parent, ok := mboxname.Parent(internal)
		if !ok {
			return nil, errors.New("no right to create a top-level mailbox")
		}
		pe, err := st.Lookup(ctx, parent)
		if err != nil {
			return nil, err
		}
		if !st.Policy().Rights(pe.ACL, who, pe.Name).Has(acl.Create) {
			return nil, errors.New("no right to create the mailbox")
		}
	}
	e, err := st.CreateMailbox(ctx, internal, store.CreateOptions{Quota: store.QuotaOverflow})
	if err != nil {
		// A concurrent delivery may have created it.
		if e2, err2 := st.Lookup(ctx, internal); err2 == nil {
			return e2, nil
		}
		return nil, err
	}
	s.log.Info("sieve: created mailbox", "by", who.User, "mailbox", internal)
	return e, nil
}

// withFlags sets imap4flags' flags on t: system flags by bit, the rest
// as keywords (names that are not IMAP atoms are dropped). On a foreign
// target only what the owner's rights allow is kept, and \Seen is the
// owner's own, for their seen set (as IMAP APPEND does).
func withFlags(t target, flags []string) target {
	for _, f := range flags {
		if bit, ok := mailbox.ParseSystemFlag(f); ok {
			t.flags |= bit
		} else if mailbox.ValidKeyword(f) {
			t.keywords = append(t.keywords, f)
		}
	}
	if t.foreign {
		t.flags, t.keywords, _ = store.AllowedFlags(t.rights, t.flags, t.keywords)
		if t.flags&mailbox.FlagSeen != 0 {
			t.flags &^= mailbox.FlagSeen
			t.seen = t.seenUser != ""
		}
	}
	return t
}

// recordSeen adds uid to user's seen set of the mailbox e. The message
// is stored and acknowledged whatever happens here: a failure is logged
// and the user finds it unread.
func (s *Server) recordSeen(ctx context.Context, user string, e *store.Entry, uid uint32) {
	_, err := s.store.UpdateSeen(ctx, user, e.UniqueID, func(rec *store.Seen) (bool, error) {
		if rec.SeenUIDs == "" {
			rec.SeenUIDs = strconv.FormatUint(uint64(uid), 10)
		} else {
			rec.SeenUIDs += "," + strconv.FormatUint(uint64(uid), 10)
		}
		rec.LastChange = time.Now().Unix()
		return true, nil
	})
	if err != nil {
		s.log.Warn("sieve: recording the seen state of a filed message", "user", user, "mailbox", e.Name, "err", err)
	}
}

// addTarget merges t into stores: one copy per mailbox, flags united.
func addTarget(stores []target, t target) []target {
	for i := range stores {
		if stores[i].entry.UniqueID == t.entry.UniqueID {
			stores[i].flags |= t.flags
			stores[i].seen = stores[i].seen || t.seen
			for _, k := range t.keywords {
				if !containsFold(stores[i].keywords, k) {
					stores[i].keywords = append(stores[i].keywords, k)
				}
			}
			return stores
		}
	}
	return append(stores, t)
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
