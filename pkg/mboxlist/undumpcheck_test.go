package mboxlist

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// jsonLine and tabLine write one entry of each dump format.
func jsonLine(name, part, uid, mbtype string) string {
	return `"` + name + `": {"name": "` + name + `", "mtime": "1", "uidvalidity": "1", "createdmodseq": "1", "foldermodseq": "1", "mbtype": "` +
		mbtype + `", "partition": "` + part + `", "acl": {"x": "lrs"}, "uniqueid": "` + uid + `", "name_history": []}`
}

func tabLine(name, part, uid, mbtype string) string {
	return name + "\t" + mbtype + " " + part + "\tx\tlrs\t>" + uid + " 1 1 1 1"
}

func jsonDump(lines ...string) string { return "{\n" + strings.Join(lines, ",\n") + "\n}\n" }
func tabDump(lines ...string) string  { return strings.Join(lines, "\n") + "\n" }

var configured = map[string]bool{"default": true, "other": true}

func TestReadDumpRefusesInconsistentDumps(t *testing.T) {
	const bobUID, aliceUID = "bobuid0000000000000000aa", "aliceuid0000000000000aab"
	cases := []struct {
		name    string
		entries [][4]string // name, partition, uniqueid, mbtype
		line    int         // of the first problem; the JSON dump's is one more
		msg     string
	}{
		{"alice given bob's uniqueid", [][4]string{
			{"user.bob", "default", bobUID, "e"}, {"user.alice", "default", bobUID, "e"}},
			2, "mailbox user.alice: uniqueid " + bobUID + " is also that of mailbox user.bob"},
		{"unconfigured partition", [][4]string{
			{"user.alice", "default", aliceUID, "e"}, {"user.bob", "nowhere", bobUID, "e"}},
			2, `mailbox user.bob: partition "nowhere" is not configured (no partition-nowhere in imapd.conf)`},
		{"unknown mbtype", [][4]string{{"user.bob", "default", bobUID, "eQ"}},
			1, `mailbox user.bob: unknown mbtype "eQ"`},
		{"duplicate name", [][4]string{
			{"user.bob", "default", bobUID, "e"}, {"user.bob", "default", aliceUID, "e"}},
			2, "mailbox user.bob appears twice"},
	}
	for _, tc := range cases {
		var js, tabs []string
		for _, e := range tc.entries {
			js = append(js, jsonLine(e[0], e[1], e[2], e[3]))
			tabs = append(tabs, tabLine(e[0], e[1], e[2], e[3]))
		}
		for _, f := range []struct {
			format, dump string
			line         int
		}{{"json", jsonDump(js...), tc.line + 1}, {"text", tabDump(tabs...), tc.line}} {
			_, err := ReadDump(strings.NewReader(f.dump), ParseOptions{Partitions: configured})
			var de *DumpError
			if !errors.As(err, &de) || de.Line != f.line || de.Msg != tc.msg {
				t.Errorf("%s, %s: err = %v, want line %d: %s", tc.name, f.format, err, f.line, tc.msg)
			}
		}
	}
}

func TestReadDumpAcceptsWhatCyrusWrites(t *testing.T) {
	// A delayed delete's tombstone keeps the uniqueid of its DELETED.*
	// mailbox (test/compat/fixtures/delayed-delete.txt); partitions are
	// matched without regard to case; remote entries have none here.
	dump := jsonDump(
		jsonLine("DELETED.user.a.Old.6B0D5D7F", "Default", "fj5b0kj5sjp89elaovg8bya7", "e"),
		`"user.a.Old": {"name": "user.a.Old", "mbtype": "ed", "acl": {}, "uniqueid": "fj5b0kj5sjp89elaovg8bya7", "name_history": []}`,
		`"user.r": {"name": "user.r", "mbtype": "er", "server": "back2", "partition": "elsewhere", "acl": {}, "uniqueid": "r1"}`,
	)
	d, err := ReadDump(strings.NewReader(dump), ParseOptions{Partitions: configured})
	if err != nil || len(d.Entries) != 3 || d.Lines[2] != 4 {
		t.Fatalf("ReadDump = %+v, %v", d, err)
	}
}

func TestCheckImportRefusesAnExistingMailboxsUniqueid(t *testing.T) {
	ctx := context.Background()
	l := openList(t)
	bob := &Entry{Name: "user.bob", Partition: "default", UniqueID: "bobuid"}
	if err := l.Create(ctx, bob); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct{ format, dump string }{
		{"json", jsonDump(jsonLine("user.carol", "default", "caroluid", "e"), jsonLine("user.alice", "default", "bobuid", "e"))},
		{"text", tabDump(tabLine("user.carol", "default", "caroluid", "e"), tabLine("user.alice", "default", "bobuid", "e"))},
	} {
		d, err := ReadDump(strings.NewReader(f.dump), ParseOptions{Partitions: configured})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"json": 3, "text": 2}[f.format]
		err = l.CheckImport(ctx, d)
		var de *DumpError
		if !errors.As(err, &de) || de.Line != want ||
			de.Msg != "mailbox user.alice: uniqueid bobuid is that of the existing mailbox user.bob" {
			t.Errorf("%s: err = %v, want line %d", f.format, err, want)
		}
	}
	// A dump that also replaces user.bob (a rename of its uniqueid to
	// user.alice) leaves one owner: accepted.
	d, err := ReadDump(strings.NewReader(jsonDump(
		jsonLine("user.alice", "default", "bobuid", "e"), jsonLine("user.bob", "default", "newbobuid", "e"))),
		ParseOptions{Partitions: configured})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CheckImport(ctx, d); err != nil {
		t.Fatalf("a consistent dump was refused: %v", err)
	}
	// Importing an entry over itself is fine.
	d, _ = ReadDump(strings.NewReader(jsonDump(jsonLine("user.bob", "default", "bobuid", "e"))), ParseOptions{})
	if err := l.CheckImport(ctx, d); err != nil {
		t.Fatalf("re-importing user.bob: %v", err)
	}
}

// TestCheckEntry: one entry given alone passes the checks a dump's
// entries pass, against the list too; a refusal is a *DumpError.
func TestCheckEntry(t *testing.T) {
	ctx := context.Background()
	l := openList(t)
	const bobUID = "bobuid0000000000000000aa"
	if err := l.Create(ctx, &Entry{Name: "user.bob", Partition: "default", UniqueID: bobUID}); err != nil {
		t.Fatal(err)
	}
	opt := ParseOptions{Partitions: configured}
	for _, c := range []struct {
		e   Entry
		msg string // "" accepted
	}{
		{Entry{Name: "user.alice", Partition: "default", UniqueID: "aliceuid0000000000000aab"}, ""},
		{Entry{Name: "user.bob", Partition: "other", UniqueID: bobUID}, ""}, // bob's own, replaced
		{Entry{Name: "user.alice", Partition: "default", UniqueID: bobUID}, "is that of the existing mailbox user.bob"},
		{Entry{Name: "user.alice", Partition: "nowhere", UniqueID: "a"}, "is not configured"},
		{Entry{Name: "user.alice", Partition: "de fault", UniqueID: "a"}, "bad partition name"},
		{Entry{Name: "user.alice", UniqueID: "a"}, "no partition"},
		{Entry{Name: "user.alice", Partition: "default", Type: "eQ"}, "unknown mbtype"},
		{Entry{Name: "user..alice", Partition: "default"}, "mailbox user..alice"},
	} {
		err := l.CheckEntry(ctx, &c.e, opt)
		var de *DumpError
		switch {
		case c.msg == "" && err != nil:
			t.Errorf("%+v: %v", c.e, err)
		case c.msg != "" && (!errors.As(err, &de) || !strings.Contains(de.Msg, c.msg)):
			t.Errorf("%+v: %v, want a *DumpError with %q", c.e, err, c.msg)
		}
	}
}
