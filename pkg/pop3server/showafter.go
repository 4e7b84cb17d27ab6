package pop3server

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// showAfterEntry is the mailbox annotation hiding older messages from
// POP3 (docs/CYRUS-BEHAVIOUR.md §9); its shared value lives in the mboxlist metadata.
const showAfterEntry = "/vendor/cmu/cyrus-imapd/pop3showafter"

// showAfterLayouts are the date forms accepted besides RFC 5322 (Cyrus's
// own form, as its annotation returns it): RFC 3339 and IMAP's
// date-time, with and without a zone, and a bare date.
var showAfterLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"02-Jan-2006 15:04:05 -0700",
	"2-Jan-2006 15:04:05 -0700",
	"2006-01-02",
}

// parseShowAfter reads a pop3showafter value. Forms without a zone are
// UTC, as Cyrus reads them.
func parseShowAfter(value string) (time.Time, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return time.Time{}, fmt.Errorf("empty pop3showafter date")
	}
	if t, err := mail.ParseDate(v); err == nil {
		return t, nil
	}
	for _, layout := range showAfterLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("pop3showafter %q is not an RFC 5322, RFC 3339 or IMAP date", value)
}

// showAfter returns the mailbox's pop3showafter time, the zero time when
// it is unset. An unreadable value hides nothing and is reported, since
// hiding mail on a typo would look like loss.
func (s *session) showAfter(ctx context.Context, mailbox string) time.Time {
	v, err := s.srv.opts.Store.GetMetadata(ctx, mailbox, showAfterEntry, "")
	if err != nil {
		s.log.Warn("reading pop3showafter", "mailbox", mailbox, "err", err)
		return time.Time{}
	}
	if v == nil {
		return time.Time{}
	}
	t, err := parseShowAfter(string(v))
	if err != nil {
		s.log.Warn("ignoring pop3showafter", "mailbox", mailbox, "err", err)
		return time.Time{}
	}
	return t
}
