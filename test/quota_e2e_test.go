package test

import (
	"context"
	"fmt"
	"net/textproto"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"gocyrus/pkg/quota"
	"gocyrus/pkg/sasldb"
	"gocyrus/pkg/store"
)

// quotaSite is an LMTP site (databases served by the test) with imapd
// running too: lmtpd, imapd and the quota tools are separate processes
// sharing the databases, as under master.
type quotaSite struct {
	*lmtpSite
	imap string
}

func newQuotaSite(t *testing.T, extra ...string) *quotaSite {
	t.Helper()
	ls := newLMTPSite(t, extra...)
	for _, u := range []string{"alice", "bob", "cyrus"} {
		if err := sasldb.New(ls.st.DB()).SetPassword(context.Background(), u, "secret", true); err != nil {
			t.Fatal(err)
		}
	}
	ls.mkbox("user.alice", "")
	ls.mkbox("user.bob", "")
	ls.start()
	return &quotaSite{lmtpSite: ls, imap: startDaemon(t, ls.site, "imapd")}
}

// lmtpDeliver delivers msg to one recipient over a fresh LMTP session and
// returns the reply that decided it: RCPT's if it refused, else DATA's.
func lmtpDeliver(t *testing.T, addr, rcpt, msg string) string {
	t.Helper()
	c, err := textproto.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	step := func(want int, format string, args ...any) (int, string) {
		t.Helper()
		if format != "" {
			if err := c.PrintfLine(format, args...); err != nil {
				t.Fatal(err)
			}
		}
		code, text, err := c.ReadResponse(0)
		if err != nil && code == 0 {
			t.Fatalf("LMTP %q: %v", format, err)
		}
		if want != 0 && code != want {
			t.Fatalf("LMTP %q: %d %s", format, code, text)
		}
		return code, text
	}
	step(220, "")
	step(250, "LHLO client.example")
	step(250, "MAIL FROM:<sender@example.org>")
	if code, text := step(0, "RCPT TO:<%s>", rcpt); code != 250 {
		step(0, "QUIT")
		return fmt.Sprintf("%d %s", code, text)
	}
	step(354, "DATA")
	w := c.DotWriter()
	if _, err := w.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	code, text := step(0, "")
	step(0, "QUIT")
	return fmt.Sprintf("%d %s", code, text)
}

// sizedMessage is a message of about size bytes.
func sizedMessage(id string, size int) string {
	head := fmt.Sprintf("From: sender@example.org\r\nTo: rcpt@example.org\r\nMessage-ID: <%s@example.org>\r\nSubject: %s\r\n\r\n", id, id)
	var b strings.Builder
	b.WriteString(head)
	for b.Len() < size {
		b.WriteString(strings.Repeat("q", 70) + "\r\n")
	}
	return b.String()
}

// imapAppend appends msg to mailbox and returns the command's error. A
// refused APPEND leaves go-imap's client unusable: refusals are tried on a
// connection of their own.
func imapAppend(c *imapclient.Client, mailbox, msg string) error {
	cmd := c.Append(mailbox, int64(len(msg)), nil)
	if _, err := cmd.Write([]byte(msg)); err != nil {
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err := cmd.Wait()
	return err
}

func mustIMAP(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// storedUsage is what the spool holds for the mailboxes at or below root
// (no other root lies below the roots these tests use).
func (qs *quotaSite) storedUsage(t *testing.T, root string) quota.Usage {
	t.Helper()
	per, err := qs.st.RecomputeUsage(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	var sum quota.Usage
	for name, u := range per {
		if name != root && !strings.HasPrefix(name, root+".") {
			continue
		}
		for i := range u {
			sum[i] += u[i]
		}
	}
	return sum
}

// assertQuotaRootIsSpool checks GETQUOTAROOT on mailbox (as c sees it)
// against what the spool holds under root.
func (qs *quotaSite) assertQuotaRootIsSpool(t *testing.T, c *imapclient.Client, mailbox, root string) {
	t.Helper()
	got, err := c.GetQuotaRoot(mailbox).Wait()
	if err != nil || len(got) != 1 {
		t.Fatalf("GETQUOTAROOT %s: %+v %v", mailbox, got, err)
	}
	want := qs.storedUsage(t, root)
	res := got[0].Resources
	if s := res[imap.QuotaResourceStorage].Usage; s != want[quota.Storage]/1024 {
		t.Errorf("GETQUOTAROOT %s: STORAGE %d KiB, the spool holds %d bytes (%d KiB)", mailbox, s, want[quota.Storage], want[quota.Storage]/1024)
	}
	if m, ok := res[imap.QuotaResourceMessage]; ok && m.Usage != want[quota.Message] {
		t.Errorf("GETQUOTAROOT %s: MESSAGE %d, the spool holds %d", mailbox, m.Usage, want[quota.Message])
	}
}

// assertQuotaFixFindsNothing runs the real quota -f -n: no figure differs
// from the spool.
func (qs *quotaSite) assertQuotaFixFindsNothing(t *testing.T) {
	t.Helper()
	if r := qs.run("", "quota", "-f", "-n", "-q"); r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("quota -f -n found something to fix: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// Issue 13's scenario with the real binaries: a limit set over IMAP by the
// admin holds at once in the running lmtpd (another process), deliveries
// past it get Cyrus's over-quota reply, and the stored usage stays what
// the spool holds, through a mix of LMTP, APPEND, COPY, MOVE, EXPUNGE,
// RENAME across roots, SETQUOTA and DELETE made by separate processes.
func TestQuotaAcrossProcesses(t *testing.T) {
	qs := newQuotaSite(t, "allowplaintext: yes")
	if r := lmtpDeliver(t, qs.tcp, "bob", sizedMessage("first", 12*1024)); !strings.HasPrefix(r, "250 ") {
		t.Fatalf("first delivery: %s", r)
	}
	admin := dialIMAP(t, qs.imap, "cyrus", nil)
	mustIMAP(t, "SETQUOTA", admin.SetQuota("user/bob", map[imap.QuotaResourceType]int64{imap.QuotaResourceStorage: 10}).Wait())
	for i := range 3 {
		// 12 KiB stored is over 10 KiB: lmtpd refuses from the next
		// delivery on (Cyrus's temporary failure by default).
		if r := lmtpDeliver(t, qs.tcp, "bob", sizedMessage(fmt.Sprint("big", i), 20*1024)); r != "452 4.2.2 Over quota" {
			t.Fatalf("delivery %d over the limit: %q, want 452 4.2.2 Over quota", i, r)
		}
	}
	if n := len(qs.messages("user.bob")); n != 1 {
		t.Fatalf("%d messages stored for bob, want 1", n)
	}
	qs.assertQuotaRootIsSpool(t, admin, "user/bob", "user.bob")
	qs.assertQuotaFixFindsNothing(t)
	if r := qs.run("", "quota", "-f", "-q"); r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("quota -f: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The mix.
	bob := dialIMAP(t, qs.imap, "bob", nil)
	alice := dialIMAP(t, qs.imap, "alice", nil)
	mustIMAP(t, "SETQUOTA bob", admin.SetQuota("user/bob", map[imap.QuotaResourceType]int64{imap.QuotaResourceStorage: 200}).Wait())
	mustIMAP(t, "SETQUOTA alice", admin.SetQuota("user/alice", map[imap.QuotaResourceType]int64{imap.QuotaResourceStorage: 100}).Wait())
	for i := range 3 {
		for _, u := range []string{"bob", "alice"} {
			if r := lmtpDeliver(t, qs.tcp, u, sizedMessage(fmt.Sprint("mix", u, i), 3000+1000*i)); !strings.HasPrefix(r, "250 ") {
				t.Fatalf("delivery to %s: %s", u, r)
			}
		}
	}
	mustIMAP(t, "APPEND", imapAppend(bob, "INBOX", sizedMessage("app1", 5000)))
	if err := imapAppend(dialIMAP(t, qs.imap, "bob", nil), "INBOX", sizedMessage("huge", 300*1024)); err == nil || !strings.Contains(err.Error(), "OVERQUOTA") {
		t.Fatalf("APPEND over bob's limit: %v, want [OVERQUOTA]", err)
	}
	mustIMAP(t, "CREATE", bob.Create("Work", nil).Wait())
	_, err := bob.Select("INBOX", nil).Wait()
	mustIMAP(t, "SELECT", err)
	_, err = bob.Copy(imap.SeqSetNum(1, 2, 3), "Work").Wait()
	mustIMAP(t, "COPY", err)
	_, err = bob.Move(imap.SeqSetNum(2), "Work").Wait()
	mustIMAP(t, "MOVE", err)
	mustIMAP(t, "STORE", bob.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close())
	mustIMAP(t, "EXPUNGE", bob.Expunge().Close())
	qs.assertQuotaFixFindsNothing(t)

	// RENAME across roots, by the admin (who, as in Cyrus, gives itself
	// the x right first), while bob has INBOX selected.
	err = admin.SetACL("user/bob/Work", "cyrus", imap.RightModificationReplace, imap.RightSet("lrswipkxtea")).Wait()
	mustIMAP(t, "SETACL", err)
	mustIMAP(t, "RENAME", admin.Rename("user/bob/Work", "user/alice/Work", nil).Wait())
	mustIMAP(t, "SETACL alice", admin.SetACL("user/alice/Work", "alice", imap.RightModificationReplace, imap.RightSet("lrswipkxtea")).Wait())
	_, err = alice.Select("Work", nil).Wait()
	mustIMAP(t, "SELECT Work", err)
	mustIMAP(t, "APPEND to the moved Work", imapAppend(alice, "Work", sizedMessage("app2", 4000)))
	mustIMAP(t, "STORE Work", alice.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close())
	mustIMAP(t, "EXPUNGE Work", alice.Expunge().Close())
	_, err = alice.Copy(imap.SeqSetNum(1), "INBOX").Wait()
	mustIMAP(t, "COPY Work to INBOX", err)
	for _, u := range []string{"bob", "alice"} {
		if r := lmtpDeliver(t, qs.tcp, u, sizedMessage("late"+u, 2500)); !strings.HasPrefix(r, "250 ") {
			t.Fatalf("delivery to %s: %s", u, r)
		}
	}
	qs.assertQuotaFixFindsNothing(t)

	// A lower limit, then DELETE of a mailbox another session has open.
	mustIMAP(t, "SETQUOTA alice lower", admin.SetQuota("user/alice", map[imap.QuotaResourceType]int64{imap.QuotaResourceStorage: 1}).Wait())
	if err := imapAppend(dialIMAP(t, qs.imap, "alice", nil), "INBOX", sizedMessage("app3", 3000)); err == nil || !strings.Contains(err.Error(), "OVERQUOTA") {
		t.Fatalf("APPEND past the lowered limit: %v, want [OVERQUOTA]", err)
	}
	mustIMAP(t, "DELETE", admin.Delete("user/alice/Work").Wait())
	mustIMAP(t, "EXPUNGE bob", bob.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close())
	mustIMAP(t, "EXPUNGE bob", bob.Expunge().Close())

	qs.assertQuotaFixFindsNothing(t)
	qs.assertQuotaRootIsSpool(t, bob, "INBOX", "user.bob")
	qs.assertQuotaRootIsSpool(t, alice, "INBOX", "user.alice")
	if u := qs.storedUsage(t, "user.alice"); u[quota.Message] == 0 || u[quota.NumFolders] != 1 {
		t.Errorf("alice's spool after the mix: %v (the test did not do what it meant)", u)
	}
}

// reconstruct (the real binary) repairs a mailbox's recorded usage: after
// the figures were made wrong, `reconstruct -r user/alice` brings STORAGE,
// MESSAGE, X-ANNOTATION-STORAGE and X-NUM-FOLDERS back to what the spool
// and the metadata hold, and `quota` reports them.
func TestReconstructFixesQuota(t *testing.T) {
	s := newSite(t)
	s.populate(map[string]int{"user.alice": 2, "user.alice.Sent": 1})
	st, closeStore := s.openStore(t)
	ctx := context.Background()
	l := quota.NoLimits()
	l[quota.Storage], l[quota.Message] = 10000, 500
	if err := st.SetQuota(ctx, "user.alice", l); err != nil {
		t.Fatal(err)
	}
	// X-ANNOTATION-STORAGE is recounted too.
	if err := st.SetMetadata(ctx, "user.alice.Sent", "/comment", "", []byte(strings.Repeat("sent mail ", 300))); err != nil {
		t.Fatal(err)
	}
	stored, err := st.RecomputeUsage(ctx, "user.alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	var want quota.Usage
	for _, u := range stored {
		for i := range u {
			want[i] += u[i]
		}
	}
	// Wrong figures: every record and the root at 0.
	if _, _, err := quota.New(st.DB()).Fix(ctx, "user.alice", map[string]quota.Usage{}, false); err != nil {
		t.Fatal(err)
	}
	closeStore()
	report := func() string {
		return fmt.Sprintf("   Quota   %% Used     Used             Resource Root\n"+
			"   10000        0 %8d              STORAGE user/alice\n"+
			"     500        0 %8d              MESSAGE user/alice\n"+
			"                  %8d X-ANNOTATION-STORAGE user/alice\n"+
			"                  %8d        X-NUM-FOLDERS user/alice\n",
			want[quota.Storage]/1024, want[quota.Message], want[quota.AnnotationStorage]/1024, want[quota.NumFolders])
	}
	if got := s.must("", "quota"); got == report() || want[quota.AnnotationStorage] == 0 {
		t.Fatalf("the usage was not made wrong:\n%s", got)
	}
	s.must("", "reconstruct", "-r", "user/alice")
	if got := s.must("", "quota"); got != report() {
		t.Fatalf("quota after reconstruct:\n%s\nwant:\n%s", got, report())
	}
	if r := s.run("", "quota", "-f", "-n", "-q"); r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("quota -f -n after reconstruct: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// ctl_cyrusdb -r (master's START) gives back a charge a crashed writer
// made ahead of an index commit that never happened.
func TestCtlCyrusdbResolvesPendingCharges(t *testing.T) {
	s := newSite(t)
	s.populate(map[string]int{"user.alice": 2})
	st, closeStore := s.openStore(t)
	ctx := context.Background()
	e, err := st.Lookup(ctx, "user.alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetQuota(ctx, "user.alice", quota.NoLimits()); err != nil {
		t.Fatal(err)
	}
	u := qsStored(t, st, "user.alice")
	pin := func(context.Context) (quota.Pinned, error) { return quota.Pinned{Mailbox: "user.alice"}, nil }
	// What a writer killed between its charge and its index write leaves.
	if err := quota.New(st.DB()).ChargeHeld(ctx, pin, e.UniqueID, quota.Held{Bytes: u[quota.Storage], Msgs: u[quota.Message]}, 5000, 1, quota.Ignore); err != nil {
		t.Fatal(err)
	}
	closeStore()
	if r := s.run("", "quota", "-f", "-n", "-q"); !strings.Contains(r.stderr, "MESSAGE usage was 3, now 2") {
		t.Fatalf("the charge was not left ahead of the index: %+v", r)
	}
	if out := s.must("", "ctl_cyrusdb", "-r"); !strings.Contains(out, "quota charges of 1 mailboxes resolved") {
		t.Errorf("ctl_cyrusdb -r said:\n%s", out)
	}
	if r := s.run("", "quota", "-f", "-n", "-q"); r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("quota -f -n after ctl_cyrusdb -r: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func qsStored(t *testing.T, st *store.Store, name string) quota.Usage {
	t.Helper()
	per, err := st.RecomputeUsage(context.Background(), name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return per[name]
}
