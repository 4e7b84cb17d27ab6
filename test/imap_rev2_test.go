package test

import (
	"slices"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// TestImapdRev2WithGoIMAPClient drives an IMAP4rev2 session (RFC 9051)
// of the imapd binary with go-imap v2's client, which switches to rev2
// behaviour (UTF-8 mailbox names, ESEARCH, BINARY, STATUS SIZE) when the
// server advertises IMAP4rev2, and ENABLEs it as RFC 9051 §6.3.1 asks.
func TestImapdRev2WithGoIMAPClient(t *testing.T) {
	s := newSite(t, "allowplaintext: yes", "imapidlepoll: 1")
	addr := startImapd(t, s)
	exists := make(chan uint32, 8)
	c := dialIMAP(t, addr, "alice", &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				exists <- *d.NumMessages
			}
		},
	})
	if !c.Caps().Has(imap.CapIMAP4rev2) {
		t.Fatalf("IMAP4rev2 not advertised: %v", c.Caps())
	}
	en, err := c.Enable(imap.CapIMAP4rev2).Wait()
	if err != nil || !en.Caps.Has(imap.CapIMAP4rev2) {
		t.Fatalf("ENABLE IMAP4rev2: %+v %v", en, err)
	}

	// UTF-8 mailbox names, both ways. (No "&": go-imap reads every name
	// as modified UTF-7 with raw UTF-8 allowed, so the rev2 form of "&" —
	// itself — fails its decoder; the conversation tests cover "&".)
	const drafts = "Entwürfe"
	if err := c.Create(drafts, nil).Wait(); err != nil {
		t.Fatalf("CREATE %q: %v", drafts, err)
	}
	boxes, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range boxes {
		names = append(names, b.Mailbox)
	}
	if !slices.Contains(names, drafts) || !slices.Contains(names, "INBOX") {
		t.Fatalf("LIST: %q", names)
	}

	// SELECT: the LIST response RFC 9051 adds, EXISTS, no \Recent.
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil || sel.NumMessages != 2 {
		t.Fatalf("SELECT: %+v %v", sel, err)
	}
	if sel.List == nil || sel.List.Mailbox != "INBOX" {
		t.Fatalf("SELECT without its LIST response: %+v", sel.List)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1, 2), &imap.FetchOptions{
		Flags: true, UID: true,
		BinarySection:     []*imap.FetchItemBinarySection{{Peek: true}},
		BinarySectionSize: []*imap.FetchItemBinarySectionSize{{}},
	}).Collect()
	if err != nil || len(msgs) != 2 {
		t.Fatalf("FETCH: %v %v", msgs, err)
	}
	for _, m := range msgs {
		if slices.Contains(m.Flags, imap.Flag(`\Recent`)) {
			t.Errorf("message %d has \\Recent in a rev2 session", m.SeqNum)
		}
		body := m.FindBinarySection(&imap.FetchItemBinarySection{Peek: true})
		size, ok := m.FindBinarySectionSize(nil)
		if len(body) == 0 || !ok || int(size) != len(body) {
			t.Errorf("BINARY[] of %d: %d bytes, BINARY.SIZE %d %v", m.SeqNum, len(body), size, ok)
		}
	}

	// SEARCH answered with ESEARCH.
	found, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if uids := found.AllUIDs(); len(uids) != 2 {
		t.Fatalf("UID SEARCH ALL: %v", uids)
	}

	// MOVE into the UTF-8 mailbox, then STATUS with SIZE and DELETED.
	if _, err := c.Move(imap.UIDSetNum(found.AllUIDs()[0]), drafts).Wait(); err != nil {
		t.Fatalf("MOVE: %v", err)
	}
	st, err := c.Status(drafts, &imap.StatusOptions{NumMessages: true, Size: true, NumDeleted: true}).Wait()
	if err != nil || st.NumMessages == nil || *st.NumMessages != 1 || st.Size == nil || *st.Size == 0 ||
		st.NumDeleted == nil || *st.NumDeleted != 0 {
		t.Fatalf("STATUS: %+v %v", st, err)
	}

	// UID EXPUNGE, then IDLE while another client appends.
	left := found.AllUIDs()[1]
	if err := c.Store(imap.UIDSetNum(left), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.UIDExpunge(imap.UIDSetNum(left)).Close(); err != nil {
		t.Fatalf("UID EXPUNGE: %v", err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	other := dialIMAP(t, addr, "alice", nil)
	msg := "From: carol@example.org\r\nSubject: rev2\r\n\r\nhi\r\n"
	ap := other.Append("INBOX", int64(len(msg)), nil)
	ap.Write([]byte(msg))
	ap.Close()
	if _, err := ap.Wait(); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-exists:
		if n != 1 {
			t.Errorf("EXISTS while idling: %d", n)
		}
	case <-time.After(hangTimeout):
		t.Fatal("no EXISTS while idling")
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}

	// RENAME to another UTF-8 name, UNSELECT, NAMESPACE.
	if err := c.Rename(drafts, "Brouillons été", nil).Wait(); err != nil {
		t.Fatalf("RENAME: %v", err)
	}
	if st, err := c.Status("Brouillons été", &imap.StatusOptions{NumMessages: true}).Wait(); err != nil || *st.NumMessages != 1 {
		t.Fatalf("STATUS after RENAME: %+v %v", st, err)
	}
	if err := c.Unselect().Wait(); err != nil {
		t.Fatalf("UNSELECT: %v", err)
	}
	if _, err := c.Namespace().Wait(); err != nil {
		t.Fatalf("NAMESPACE: %v", err)
	}
}
