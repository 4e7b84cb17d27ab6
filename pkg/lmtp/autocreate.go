package lmtp

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
	"gocyrus/pkg/store"
)

// specialUses are the RFC 6154 special-use flags an xlist-<flag> option
// may give an autocreated folder ("xlist-junk: Spam" marks Spam \Junk).
var specialUses = []string{"All", "Archive", "Drafts", "Flagged", "Junk", "Sent", "Trash", "Important"}

// Autocreate creates a recipient's missing INBOX on delivery, as Cyrus's
// lmtpd does with autocreate_post and autocreate_quota >= 0: the INBOX
// with its quota root, the autocreate_inbox_folders below it (with their
// xlist-<flag> special uses), the owner's subscriptions and the initial
// Sieve script.
type Autocreate struct {
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
	// Script is a Sieve script installed and activated for the new user
	// (autocreate_sieve_script); "" for none.
	Script  string
	Scripts *sievescripts.Store
	Log     *slog.Logger
}

// AutocreateFromConfig returns the autocreation imapd.conf asks lmtpd
// for, or nil when autocreate_post is off or autocreate_quota negative.
func AutocreateFromConfig(cfg *config.Config, log *slog.Logger) *Autocreate {
	if !cfg.AutocreatePost() || cfg.AutocreateQuota() < 0 {
		return nil
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Autocreate{
		QuotaKB: int64(cfg.AutocreateQuota()), QuotaMessages: int64(cfg.AutocreateQuotaMessages()),
		Folders: cfg.AutocreateInboxFolders(), Subscribe: cfg.AutocreateSubscribeFolders(),
		SpecialUse: map[string]string{}, Users: cfg.AutocreateUsers(), Groups: &acl.GroupReader{},
		Script: cfg.AutocreateSieveScript(), Scripts: sievescripts.FromConfig(cfg), Log: log,
	}
	for _, use := range specialUses {
		if folder, ok := cfg.Lookup("xlist-" + strings.ToLower(use)); ok && folder != "" {
			a.SpecialUse[strings.TrimSpace(folder)] = `\` + use
		}
	}
	return a
}

// allowed reports whether userid may be autocreated.
func (a *Autocreate) allowed(userid string) bool {
	if len(a.Users) == 0 {
		return true
	}
	var groups []string
	for _, u := range a.Users {
		switch {
		case strings.EqualFold(u, "anyone") || u == userid:
			return true
		case strings.HasPrefix(u, "group:") && a.Groups != nil:
			if groups == nil {
				var err error
				if groups, err = a.Groups.GroupsOf(userid); err != nil {
					a.Log.Warn("autocreate: reading the groups", "user", userid, "err", err)
					groups = []string{}
				}
			}
			if slices.Contains(groups, u) {
				return true
			}
		}
	}
	return false
}

// errNotAutocreated: autocreate_users does not name the user.
var errNotAutocreated = errors.New("not allowed by autocreate_users")

// create makes userid's INBOX and what goes with it and returns the
// INBOX. Only the INBOX and its quota root are essential: a folder,
// subscription or script that cannot be made is logged and skipped.
// A concurrent delivery that created the INBOX first wins.
func (a *Autocreate) create(ctx context.Context, st *store.Store, userid string) (*mboxlist.Entry, error) {
	if !a.allowed(userid) {
		return nil, errNotAutocreated
	}
	name := st.NS.UserInbox(userid)
	inbox, err := st.CreateMailbox(ctx, name, store.CreateOptions{Quota: quota.Ignore})
	if errors.Is(err, mboxlist.ErrExists) {
		return st.List.Lookup(ctx, name)
	}
	if err != nil {
		return nil, fmt.Errorf("autocreating %s: %w", name, err)
	}
	limits := quota.NoLimits()
	if a.QuotaKB > 0 {
		limits[quota.Storage] = a.QuotaKB
	}
	if a.QuotaMessages > 0 {
		limits[quota.Message] = a.QuotaMessages
	}
	if err := st.SetQuota(ctx, name, limits); err != nil {
		// Without its quota the INBOX must not stay: the next delivery
		// tries again.
		if _, derr := st.RemoveMailbox(ctx, name); derr != nil {
			a.Log.Error("autocreate: removing an INBOX left without quota", "mailbox", name, "err", derr)
		}
		return nil, fmt.Errorf("autocreating %s: setting its quota: %w", name, err)
	}
	a.Log.Info("autocreated INBOX", "user", userid, "mailbox", name)
	subscribe := []string{name}
	for _, f := range a.Folders {
		internal, err := folderName(st.NS, userid, f)
		if err != nil {
			a.Log.Warn("autocreate: bad folder name", "user", userid, "folder", f, "err", err)
			continue
		}
		opt := store.CreateOptions{Quota: quota.Ignore, SpecialUse: a.SpecialUse[f]}
		if _, err := st.CreateMailbox(ctx, internal, opt); err != nil && !errors.Is(err, mboxlist.ErrExists) {
			a.Log.Warn("autocreate: creating a folder", "user", userid, "mailbox", internal, "err", err)
			continue
		}
		if slices.Contains(a.Subscribe, f) {
			subscribe = append(subscribe, internal)
		}
	}
	for _, m := range subscribe {
		if err := st.List.Subscribe(ctx, userid, m); err != nil {
			a.Log.Warn("autocreate: subscribing", "user", userid, "mailbox", m, "err", err)
		}
	}
	if a.Script != "" {
		if err := a.installScript(userid); err != nil {
			a.Log.Warn("autocreate: installing the Sieve script", "user", userid, "script", a.Script, "err", err)
		}
	}
	return inbox, nil
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
func (a *Autocreate) installScript(userid string) error {
	src, err := os.ReadFile(a.Script)
	if err != nil {
		return err
	}
	dir, err := a.Scripts.UserDir(userid)
	if err != nil {
		return err
	}
	base := filepath.Base(a.Script)
	name := strings.TrimSuffix(base, filepath.Ext(base))
	if err := dir.Put(name, src); err != nil {
		return err
	}
	return dir.SetActive(name)
}
