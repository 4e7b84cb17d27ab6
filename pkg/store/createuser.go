package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/config"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/sievescripts"
)

// specialUses are the RFC 6154 special-use flags an xlist-<flag> option
// may give an autocreated folder ("xlist-junk: Spam" marks Spam \Junk).
var specialUses = []string{"All", "Archive", "Drafts", "Flagged", "Junk", "Sent", "Trash", "Important"}

// Provisioning is what a new user gets (Cyrus's autocreate_user, run by
// imapd and pop3d at login and by lmtpd at delivery alike): the INBOX with its quota
// root, the autocreate_inbox_folders below it (with their xlist-<flag>
// special uses), the owner's subscriptions and the initial Sieve script.
type Provisioning struct {
	// QuotaKB and QuotaMessages are the new root's limits
	// (autocreate_quota, autocreate_quota_messages); 0 or less is no limit.
	QuotaKB, QuotaMessages int64
	// Folders are created below the INBOX (autocreate_inbox_folders), as
	// the user names them relative to it.
	Folders []string
	// Subscribe lists the folders the user is subscribed to besides the
	// INBOX (autocreate_subscribe_folders).
	Subscribe []string
	// SpecialUse maps a folder name to its special-use flag ("\Junk").
	SpecialUse map[string]string
	// Users may be autocreated (autocreate_users): userids, "group:NAME"
	// (members of a group of Groups) and "anyone" (everybody).
	Users  []string
	Groups *acl.GroupReader
	// Excluded are never autocreated, whatever Users says: admins and
	// proxyservers (Cyrus's autocreate_user), by userid or group:NAME.
	Excluded []string
	// Script is a Sieve script installed and activated for the new user
	// (autocreate_sieve_script); "" for none.
	Script  string
	Scripts *sievescripts.Store
}

// ProvisioningFromConfig returns the provisioning imapd.conf asks for, or
// nil when autocreate_quota is negative (no autocreation at all).
func ProvisioningFromConfig(cfg *config.Config) *Provisioning {
	if cfg.AutocreateQuota() < 0 {
		return nil
	}
	p := &Provisioning{
		QuotaKB: int64(cfg.AutocreateQuota()), QuotaMessages: int64(cfg.AutocreateQuotaMessages()),
		Folders: cfg.AutocreateInboxFolders(), Subscribe: cfg.AutocreateSubscribeFolders(),
		SpecialUse: map[string]string{}, Users: cfg.AutocreateUsers(), Groups: &acl.GroupReader{},
		Excluded: slices.Concat(cfg.Admins(), cfg.Proxyservers()),
		Script:   cfg.AutocreateSieveScript(), Scripts: sievescripts.FromConfig(cfg),
	}
	for _, use := range specialUses {
		if folder, ok := cfg.Lookup("xlist-" + strings.ToLower(use)); ok && folder != "" {
			p.SpecialUse[strings.TrimSpace(folder)] = `\` + use
		}
	}
	return p
}

// allowed reports whether userid may be autocreated: Cyrus's
// autocreate_user refuses anonymous, then anyone admins or proxyservers
// name (directly or by a group: they have no INBOX by default), then
// whoever autocreate_users does not name.
func (p *Provisioning) allowed(userid string, log *slog.Logger) bool {
	if userid == "anonymous" {
		return false // as Cyrus: never a mailbox for anonymous
	}
	m := memberships{userid: userid, groups: p.Groups, log: log}
	if m.named(p.Excluded) {
		return false
	}
	return len(p.Users) == 0 || m.named(p.Users)
}

// memberships answers whether a list option (admins, proxyservers,
// autocreate_users) names a user: by userid, by "group:NAME" or by
// "anyone" (Cyrus's global_authisa). The groups are read once, when a
// group entry first asks.
type memberships struct {
	userid string
	groups *acl.GroupReader
	log    *slog.Logger
	of     []string // the user's "group:NAME"s once read
}

func (m *memberships) named(entries []string) bool {
	for _, e := range entries {
		switch {
		case strings.EqualFold(e, "anyone") || e == m.userid:
			return true
		case strings.HasPrefix(e, "group:") && m.groups != nil:
			if m.of == nil {
				var err error
				if m.of, err = m.groups.GroupsOf(m.userid); err != nil {
					m.log.Warn("autocreate: reading the groups", "user", m.userid, "err", err)
					m.of = []string{}
				}
			}
			if slices.Contains(m.of, e) {
				return true
			}
		}
	}
	return false
}

// ErrNotProvisioned: autocreate_users does not name the user, or it is
// anonymous, an admin or a proxy server, so no INBOX was created.
var ErrNotProvisioned = errors.New("not allowed by autocreate_users")

// CreateUser returns userid's INBOX, creating it as p says when it does
// not exist yet. Only the INBOX and its quota root are essential: a
// folder, subscription or script that cannot be made is logged and
// skipped. An INBOX whose quota cannot be set is removed again, so the
// next login or delivery retries. A concurrent creation that made the
// INBOX first wins.
func (s *Store) CreateUser(ctx context.Context, userid string, p *Provisioning) (*mboxlist.Entry, error) {
	name := s.ns.UserInbox(userid)
	if e, err := s.list.Lookup(ctx, name); !errors.Is(err, mboxlist.ErrNotFound) {
		return e, err
	}
	if !p.allowed(userid, s.log) {
		return nil, fmt.Errorf("%w: %s", ErrNotProvisioned, userid)
	}
	inbox, err := s.CreateMailbox(ctx, name, CreateOptions{Quota: quota.Ignore})
	if errors.Is(err, mboxlist.ErrExists) {
		return s.list.Lookup(ctx, name)
	}
	if err != nil {
		return nil, fmt.Errorf("autocreating %s: %w", name, err)
	}
	limits := quota.NoLimits()
	if p.QuotaKB > 0 {
		limits[quota.Storage] = p.QuotaKB
	}
	if p.QuotaMessages > 0 {
		limits[quota.Message] = p.QuotaMessages
	}
	if err := s.SetQuota(ctx, name, limits); err != nil {
		if _, derr := s.RemoveMailbox(ctx, name); derr != nil {
			s.log.Error("autocreate: removing an INBOX left without quota", "mailbox", name, "err", derr)
		}
		return nil, fmt.Errorf("autocreating %s: setting its quota: %w", name, err)
	}
	s.log.Info("autocreated INBOX", "user", userid, "mailbox", name)
	subscribe := []string{name}
	for _, f := range p.Folders {
		internal, err := folderName(s.ns, userid, f)
		if err != nil {
			s.log.Warn("autocreate: bad folder name", "user", userid, "folder", f, "err", err)
			continue
		}
		opt := CreateOptions{Quota: quota.Ignore, SpecialUse: p.SpecialUse[f]}
		if _, err := s.CreateMailbox(ctx, internal, opt); err != nil && !errors.Is(err, mboxlist.ErrExists) {
			s.log.Warn("autocreate: creating a folder", "user", userid, "mailbox", internal, "err", err)
			continue
		}
		if slices.Contains(p.Subscribe, f) {
			subscribe = append(subscribe, internal)
		}
	}
	for _, m := range subscribe {
		if err := s.list.Subscribe(ctx, userid, m); err != nil {
			s.log.Warn("autocreate: subscribing", "user", userid, "mailbox", m, "err", err)
		}
	}
	if p.Script != "" {
		if err := p.installScript(userid); err != nil {
			s.log.Warn("autocreate: installing the Sieve script", "user", userid, "script", p.Script, "err", err)
		}
	}
	return inbox, nil
}

// AutocreateAtLogin is autocreation at login, imapd's and pop3d's alike:
// with p (nil: autocreate_quota < 0, nothing) it creates the missing
// INBOX of userid unless the login is anonymous or an admin's (admin:
// auth.Result.Admin, which knows admins by their canonical ids) or p
// refuses the user. An error is for the caller to log: it does not
// refuse the login (the user has no INBOX yet; the next login retries).
func (s *Store) AutocreateAtLogin(ctx context.Context, userid string, admin bool, p *Provisioning) error {
	if p == nil || admin {
		return nil
	}
	_, err := s.CreateUser(ctx, userid, p)
	if errors.Is(err, ErrNotProvisioned) {
		return nil
	}
	return err
}

// folderName maps an autocreate_inbox_folders entry (a name relative to
// the INBOX, in the user's hierarchy separator) to its internal name.
func folderName(ns mboxname.Namespace, userid, folder string) (string, error) {
	folder = strings.TrimSpace(folder)
	external := folder
	if !ns.AltNamespace {
		external = "INBOX" + string(ns.Separator(false)) + folder
	}
	internal, err := ns.ToInternal(external, userid, false)
	if err != nil {
		return "", err
	}
	if !mboxname.IsDescendant(internal, ns.UserInbox(userid)) {
		return "", fmt.Errorf("%q is not below the INBOX", folder)
	}
	return internal, nil
}

// installScript stores autocreate_sieve_script as the user's active
// script, named after the file (its extension dropped).
func (p *Provisioning) installScript(userid string) error {
	src, err := os.ReadFile(p.Script)
	if err != nil {
		return err
	}
	dir, err := p.Scripts.UserDir(userid)
	if err != nil {
		return err
	}
	base := filepath.Base(p.Script)
	name := strings.TrimSuffix(base, filepath.Ext(base))
	if err := dir.Put(name, src); err != nil {
		return err
	}
	return dir.SetActive(name)
}
