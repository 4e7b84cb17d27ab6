package test

import (
	"context"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/duplicate"
	"gocyrus/pkg/store"
)

// TestCyrDbtoolDeliverMatchesCyrus compares cyr_dbtool on deliver.db with
// Cyrus 3.6.1's (test/compat/fixtures/cyr_dbtool_deliver.txt: a message
// delivered twice to user dd, so one record) offline and online: the same
// record, written here through pkg/duplicate as lmtpd writes it, shows
// byte for byte as Cyrus's but for the mailbox's uniqueid; then get and
// delete with the NUL-laden key on standard input, and a malformed key
// refused.
func TestCyrDbtoolDeliverMatchesCyrus(t *testing.T) {
	const theirID = "0pzdupy2h81fhljoar66qb7t"
	cases := readFixtureCases(t, "cyr_dbtool_deliver.txt")
	if len(cases) != 4 {
		t.Fatalf("%d cases in the fixture", len(cases))
	}
	show := fixture(t, "cyr_dbtool_deliver.txt", "<configdir>/deliver.db twoskip show", 0).stdout
	theirKey, theirVal, ok := strings.Cut(strings.TrimSuffix(show, "\n"), "\t")
	if !ok || len(theirVal) != 16 || !strings.Contains(theirKey, theirID) {
		t.Fatalf("the fixture's record: %q", show)
	}
	for _, online := range []bool{false, true} {
		t.Run(map[bool]string{false: "offline", true: "online"}[online], func(t *testing.T) {
			s := newSite(t)
			st, closeStore := s.openStore(t)
			ctx := context.Background()
			e, err := st.CreateMailbox(ctx, "user.dd", store.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(theirKey, "\x00")
			at := time.Unix(int64(binary.LittleEndian.Uint64([]byte(theirVal))), 0)
			k := duplicate.Key{MessageID: parts[0], Mailbox: e.UniqueID, Date: parts[2]}
			if err := duplicate.New(st.DB(), 0).Mark(ctx, k, at, 1); err != nil {
				t.Fatal(err)
			}
			closeStore()
			if online {
				srv, err := cyrusdb.OpenServer(s.configdir, cyrusdb.Options{})
				if err != nil {
					t.Fatal(err)
				}
				go srv.Serve()
				t.Cleanup(func() { srv.Close() })
			}
			db := s.configdir + "/deliver.db"
			for _, c := range cases {
				r := s.run("", "cyr_dbtool", strings.Fields(strings.ReplaceAll(c.args, "<configdir>", s.configdir))...)
				got := result{r.code, r.stdout, r.stderr}
				want := result{c.code, strings.ReplaceAll(c.stdout, theirID, e.UniqueID), c.stderr}
				if got != want {
					t.Errorf("cyr_dbtool %s differs from Cyrus 3.6.1:\ngot  exit %d %q %q\nwant exit %d %q %q", c.args, got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
				}
			}
			ourKey := strings.ReplaceAll(theirKey, theirID, e.UniqueID)
			if got := s.must(ourKey+"\n", "cyr_dbtool", db, "twoskip", "get"); got != theirVal+"\n" {
				t.Errorf("get: %q, want %q", got, theirVal+"\n")
			}
			if r := s.run("delete\tno-nul-key\n", "cyr_dbtool", db, "twoskip", "batch"); r.code == 0 || !strings.Contains(r.stderr, "refused") {
				t.Errorf("delete of a malformed key: exit %d %q", r.code, r.stderr)
			}
			s.must("delete\t"+ourKey+"\n", "cyr_dbtool", db, "twoskip", "batch")
			if got := s.must("", "cyr_dbtool", db, "twoskip", "show"); got != "" {
				t.Errorf("show after delete: %q", got)
			}
		})
	}
}
