package cyrusindex

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var tree = filepath.Join("..", "..", "test", "compat", "cyrus-tree")

type captured struct {
	Imap struct {
		Mailboxes map[string]struct {
			Status   json.RawMessage
			Messages json.RawMessage // "NO" when the user may not read it
		}
	}
}

// Every mailbox of alice's, read from the real Cyrus 3.6.1 files, says
// what Cyrus answered over IMAP: UIDVALIDITY, UIDNEXT, MESSAGES,
// HIGHESTMODSEQ, and per UID the flags (\Seen of her own mailboxes: the
// others' is in seen.db), internal date and size.
func TestReadsWhatCyrusServed(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(tree, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]captured
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	dirs := map[string]string{}
	matches, _ := filepath.Glob(filepath.Join(tree, "spool", "uuid", "*", "*", "*"))
	for _, dir := range matches {
		h, err := ReadHeader(dir)
		if err != nil {
			t.Fatal(err)
		}
		name := h.Name
		if name == "user.alice" {
			name = "INBOX"
		} else if rest, ok := strings.CutPrefix(name, "user.alice."); ok {
			name = "INBOX." + rest
		}
		dirs[name] = dir
	}
	statusRe := regexp.MustCompile(`MESSAGES (\d+) UIDNEXT (\d+) UIDVALIDITY (\d+) UNSEEN \d+ HIGHESTMODSEQ (\d+)`)
	checked := 0
	for name, mb := range want["alice"].Imap.Mailboxes {
		dir, ok := dirs[name]
		if !ok {
			t.Fatalf("%s: no directory", name)
		}
		x, err := ReadIndex(dir)
		if err != nil {
			t.Fatal(err)
		}
		h, err := ReadHeader(dir)
		if err != nil {
			t.Fatal(err)
		}
		var status []string
		if json.Unmarshal(mb.Status, &status) != nil {
			continue
		}
		m := statusRe.FindStringSubmatch(status[0])
		got := fmt.Sprintf("%d %d %d %d", x.Exists, x.LastUID+1, x.UIDValidity, x.HighestModSeq)
		if w := strings.Join(m[1:], " "); got != w {
			t.Errorf("%s: MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ %s, Cyrus said %s", name, got, w)
		}
		var msgs map[string]struct {
			Flags        []string
			Internaldate string
			Size         int
		}
		if err := json.Unmarshal(mb.Messages, &msgs); err != nil {
			continue
		}
		own := name == "INBOX" || strings.HasPrefix(name, "INBOX.")
		live := 0
		for _, r := range x.Records {
			if r.SystemFlags&FlagExpunged != 0 {
				continue
			}
			live++
			wm, ok := msgs[fmt.Sprint(r.UID)]
			if !ok {
				t.Errorf("%s: UID %d not served by Cyrus", name, r.UID)
				continue
			}
			flags := flagNames(r, h.UserFlags, own)
			wf := slices.DeleteFunc(slices.Clone(wm.Flags), func(f string) bool { return !own && f == `\Seen` })
			if !slices.Equal(flags, wf) {
				t.Errorf("%s UID %d: flags %q, Cyrus said %q", name, r.UID, flags, wf)
			}
			if d := r.InternalDate.Format("02-Jan-2006 15:04:05 -0700"); /* capture.py writes the 2DIGIT day */ d != wm.Internaldate {
				t.Errorf("%s UID %d: internal date %q, Cyrus said %q", name, r.UID, d, wm.Internaldate)
			}
			if int(r.Size) != wm.Size {
				t.Errorf("%s UID %d: size %d, Cyrus said %d", name, r.UID, r.Size, wm.Size)
			}
			checked++
		}
		if live != len(msgs) {
			t.Errorf("%s: %d live records, Cyrus served %d", name, live, len(msgs))
		}
	}
	if checked < 10 {
		t.Fatalf("only %d messages checked", checked)
	}
}

func flagNames(r Record, user []string, withSeen bool) []string {
	var out []string
	for bit, name := range map[uint32]string{FlagAnswered: `\Answered`, FlagFlagged: `\Flagged`, FlagDeleted: `\Deleted`, FlagDraft: `\Draft`, FlagSeen: `\Seen`} {
		if r.SystemFlags&bit != 0 && (withSeen || bit != FlagSeen) {
			out = append(out, name)
		}
	}
	for i, f := range user {
		if r.HasUserFlag(i) {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

func TestHostileIndex(t *testing.T) {
	matches, _ := filepath.Glob(filepath.Join(tree, "spool", "uuid", "a", "b", "*", "cyrus.index"))
	good, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(good) {
		if _, err := ParseIndex(good[:n]); err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupported) {
			t.Fatalf("prefix %d: %v", n, err)
		}
	}
	for i := range good {
		b := slices.Clone(good)
		b[i] ^= 0x5a
		if _, err := ParseIndex(b); err == nil {
			t.Errorf("byte %d changed: no error", i)
		}
	}
}

func TestHostileHeader(t *testing.T) {
	for _, s := range []string{"", "junk", headerMagic, headerMagic + "q\nq\n%(I", headerMagic + "q\nq\n%(" + strings.Repeat("(", 100000)} {
		if _, err := ParseHeader([]byte(s)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%.40q: err %v, want ErrCorrupt", s, err)
		}
	}
}

func FuzzParseDList(f *testing.F) {
	f.Add([]byte("%(T e N user.alice A %(alice lrs) U ($A \"b c\" {2+}\r\nxy))"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, rest, err := ParseDList(data); err == nil && len(rest) > len(data) {
			t.Fatal("rest longer than input")
		}
	})
}
