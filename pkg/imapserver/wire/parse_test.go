package wire

import (
	"reflect"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

func seq(s ...imap.SeqRange) imap.SeqSet  { return imap.SeqSet(s) }
func uids(s ...imap.UIDRange) imap.UIDSet { return imap.UIDSet(s) }

var flagsItems = []FetchItem{{Attr: FetchFlags}, {Attr: FetchInternalDate}, {Attr: FetchRFC822Size}}

// parseTests are real client lines (mostly from the RFCs' examples) and
// what the parsers must make of them; want nil means BAD.
var parseTests = []struct {
	line string
	want any
}{
	// FETCH, RFC 3501 §6.4.5 and friends.
	{"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])", &FetchCommand{
		Set: seq(imap.SeqRange{Start: 2, Stop: 4}),
		Items: []FetchItem{{Attr: FetchFlags}, {Attr: FetchBodySection, Section: Section{
			Specifier: imap.PartSpecifierHeader, Fields: []string{"DATE", "FROM"}}}}}},
	{"a FETCH 1:* FAST", &FetchCommand{Set: seq(imap.SeqRange{Start: 1}), Items: flagsItems}},
	{"a FETCH 1 all", &FetchCommand{Set: seq(imap.SeqRange{Start: 1, Stop: 1}),
		Items: append(append([]FetchItem{}, flagsItems...), FetchItem{Attr: FetchEnvelope})}},
	{"a FETCH 1 FULL", &FetchCommand{Set: seq(imap.SeqRange{Start: 1, Stop: 1}),
		Items: append(append([]FetchItem{}, flagsItems...), FetchItem{Attr: FetchEnvelope}, FetchItem{Attr: FetchBody})}},
	{"a UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE 12345 VANISHED)", &FetchCommand{
		Set: uids(imap.UIDRange{Start: 1}), Items: []FetchItem{{Attr: FetchUID}, {Attr: FetchFlags}},
		ChangedSince: 12345, HasChangedSince: true, Vanished: true}},
	{"a FETCH 1 (BODY.PEEK[1.2.MIME] BODY[]<0.2048> BODY[3.TEXT] BODY[4] BODY[HEADER.FIELDS.NOT (X-A)] RFC822 RFC822.HEADER RFC822.TEXT BODYSTRUCTURE BODY MODSEQ)", &FetchCommand{
		Set: seq(imap.SeqRange{Start: 1, Stop: 1}), Items: []FetchItem{
			{Attr: FetchBodySection, Peek: true, Section: Section{Part: []int{1, 2}, Specifier: imap.PartSpecifierMIME}},
			{Attr: FetchBodySection, Partial: &imap.SectionPartial{Offset: 0, Size: 2048}},
			{Attr: FetchBodySection, Section: Section{Part: []int{3}, Specifier: imap.PartSpecifierText}},
			{Attr: FetchBodySection, Section: Section{Part: []int{4}}},
			{Attr: FetchBodySection, Section: Section{Specifier: imap.PartSpecifierHeader, Fields: []string{"X-A"}, NotFields: true}},
			{Attr: FetchRFC822}, {Attr: FetchRFC822Header}, {Attr: FetchRFC822Text},
			{Attr: FetchBodyStructure}, {Attr: FetchBody}, {Attr: FetchModSeq}}}},
	{"a FETCH 1 (PREVIEW (LAZY) UID PREVIEW) (CHANGEDSINCE 5)", &FetchCommand{Set: seq(imap.SeqRange{Start: 1, Stop: 1}),
		Items: []FetchItem{{Attr: FetchPreview}, {Attr: FetchUID}, {Attr: FetchPreview}}, ChangedSince: 5, HasChangedSince: true}},
	{"a FETCH 1 PREVIEW (CHANGEDSINCE 5)", &FetchCommand{Set: seq(imap.SeqRange{Start: 1, Stop: 1}),
		Items: []FetchItem{{Attr: FetchPreview}}, ChangedSince: 5, HasChangedSince: true}},
	{"a FETCH 1 (PREVIEW (LAZY BOGUS))", nil},
	{"a FETCH 1 (BINARY[1]<0.10> BINARY.PEEK[] BINARY.SIZE[2.1])", &FetchCommand{
		Set: seq(imap.SeqRange{Start: 1, Stop: 1}), Items: []FetchItem{
			{Attr: FetchBinary, Section: Section{Part: []int{1}}, Partial: &imap.SectionPartial{Size: 10}},
			{Attr: FetchBinary, Peek: true},
			{Attr: FetchBinarySize, Section: Section{Part: []int{2, 1}}}}}},
	{"a FETCH $ (FLAGS)", &FetchCommand{Set: imap.SearchRes(), Items: []FetchItem{{Attr: FetchFlags}}}},
	{"a FETCH 1 (FLAGS) (VANISHED)", nil}, // VANISHED needs UID FETCH
	{"a FETCH 1 (FAST)", nil},
	{"a FETCH 1 BODY[MIME]", nil},
	{"a FETCH 1 BODY[HEADER.FIELDS ()]", nil},
	{"a FETCH 1 BODY[1.]", nil},
	{"a FETCH 1 BODY[]<1.0>", nil},
	{"a FETCH 1 ()", nil},
	{"a FETCH 1 (FLAGS", nil},

	// STORE.
	{"A003 STORE 2:4 +FLAGS (\\Deleted)", &StoreCommand{Set: seq(imap.SeqRange{Start: 2, Stop: 4}),
		Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}},
	{"a UID STORE 1 -FLAGS.SILENT \\Seen $Junk", &StoreCommand{Set: uids(imap.UIDRange{Start: 1, Stop: 1}),
		Op: imap.StoreFlagsDel, Silent: true, Flags: []imap.Flag{imap.FlagSeen, "$Junk"}}},
	{"d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)", &StoreCommand{
		Set: seq(imap.SeqRange{Start: 5, Stop: 5}, imap.SeqRange{Start: 7, Stop: 7}, imap.SeqRange{Start: 9, Stop: 9}),
		Op:  imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted},
		UnchangedSince: 320162338, HasUnchangedSince: true}},
	{"a STORE 1 FLAGS ()", &StoreCommand{Set: seq(imap.SeqRange{Start: 1, Stop: 1}), Op: imap.StoreFlagsSet}},
	{"a STORE 1 +FLAGS (\\Recent)", nil},
	{"a STORE 1 +LABELS (x)", nil},

	// SEARCH, RFC 3501 §6.4.4, RFC 4731, RFC 7162, RFC 5032.
	{`A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"`, &SearchCommand{Key: SearchKey{Op: SearchAnd, Children: []SearchKey{
		{Op: SearchFlag, Flag: imap.FlagFlagged},
		{Op: SearchSince, Date: time.Date(1994, 2, 1, 0, 0, 0, 0, time.UTC)},
		{Op: SearchNot, Children: []SearchKey{{Op: SearchHeader, Field: "From", Value: "Smith"}}}}}}},
	{"A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX", &SearchCommand{Charset: "UTF-8", Key: SearchKey{Op: SearchText, Value: "XXXXXX"}}},
	{"a UID SEARCH RETURN (MIN COUNT) OR (UNSEEN NEW) 1:5 UID 3:* larger 100", &SearchCommand{
		Return: &SearchReturn{Min: true, Count: true}, Key: SearchKey{Op: SearchAnd, Children: []SearchKey{
			{Op: SearchOr, Children: []SearchKey{
				{Op: SearchAnd, Children: []SearchKey{{Op: SearchNoFlag, Flag: imap.FlagSeen},
					{Op: SearchAnd, Children: []SearchKey{{Op: SearchFlag, Flag: `\Recent`}, {Op: SearchNoFlag, Flag: imap.FlagSeen}}}}},
				{Op: SearchSeq, Set: seq(imap.SeqRange{Start: 1, Stop: 5})}}},
			{Op: SearchUID, Set: uids(imap.UIDRange{Start: 3})},
			{Op: SearchLarger, Number: 100}}}}},
	{"a SEARCH RETURN () OLD", &SearchCommand{Return: &SearchReturn{All: true}, Key: SearchKey{Op: SearchNoFlag, Flag: `\Recent`}}},
	{"a SEARCH RETURN (SAVE) KEYWORD $Junk", &SearchCommand{Return: &SearchReturn{Save: true}, Key: SearchKey{Op: SearchFlag, Flag: "$Junk"}}},
	{`a SEARCH MODSEQ "/flags/\\draft" all 620162338`, &SearchCommand{Key: SearchKey{Op: SearchModSeq, Entry: `/flags/\draft`, EntryType: "all", Number: 620162338}}},
	{"a SEARCH MODSEQ 5 YOUNGER 3600 SMALLER 10 HEADER X-Spam yes SENTON 5-Mar-2020 UID $", &SearchCommand{Key: SearchKey{Op: SearchAnd, Children: []SearchKey{
		{Op: SearchModSeq, Number: 5}, {Op: SearchYounger, Number: 3600}, {Op: SearchSmaller, Number: 10},
		{Op: SearchHeader, Field: "X-Spam", Value: "yes"}, {Op: SearchSentOn, Date: time.Date(2020, 3, 5, 0, 0, 0, 0, time.UTC)},
		{Op: SearchUID, Set: imap.SearchRes()}}}}},
	{"a SEARCH ALL UNKEYWORD foo BCC b CC c TO d SUBJECT e BODY f BEFORE 1-Jan-2000 ON 1-Jan-2000 SENTBEFORE 1-Jan-2000 SENTSINCE 1-Jan-2000 OLDER 5 DELETED UNDELETED DRAFT UNDRAFT ANSWERED UNANSWERED UNFLAGGED SEEN RECENT", nil /* checked for success below */},
	{"a SEARCH SAVEDATESUPPORTED SAVEDBEFORE 1-Jan-2000 SAVEDON 2-Jan-2000 SAVEDSINCE 3-Jan-2000 EMAILID M1 THREADID \"T 2\"", &SearchCommand{Key: SearchKey{Op: SearchAnd, Children: []SearchKey{
		{Op: SearchSaveDateSupported}, {Op: SearchSavedBefore, Date: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Op: SearchSavedOn, Date: time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC)}, {Op: SearchSavedSince, Date: time.Date(2000, 1, 3, 0, 0, 0, 0, time.UTC)},
		{Op: SearchEmailID, Value: "M1"}, {Op: SearchThreadID, Value: "T 2"}}}}},
	{"a SEARCH SAVEDON", nil},
	{"a SEARCH EMAILID", nil},
	{"a SEARCH", nil},
	{"a SEARCH ()", nil},
	{"a SEARCH FOO", nil},
	{"a SEARCH OR SEEN", nil},
	{"a SEARCH RETURN (BOGUS) ALL", nil},
	{"a SEARCH MODSEQ \"/flags/x\" bogus 5", nil},

	// SORT and THREAD, RFC 5256 / RFC 5957.
	{"A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL", &SortCommand{Criteria: []SortCriterion{{Key: "SUBJECT"}, {Key: "DATE", Reverse: true}},
		Charset: "UTF-8", Key: SearchKey{Op: SearchAll}}},
	{"a UID SORT RETURN (COUNT) (reverse DISPLAYFROM displayto) US-ASCII SINCE 1-Feb-1994", &SortCommand{Return: &SearchReturn{Count: true},
		Criteria: []SortCriterion{{Key: "DISPLAYFROM", Reverse: true}, {Key: "DISPLAYTO"}}, Charset: "US-ASCII",
		Key: SearchKey{Op: SearchSince, Date: time.Date(1994, 2, 1, 0, 0, 0, 0, time.UTC)}}},
	{"a SORT (REVERSE) UTF-8 ALL", nil},
	{"a SORT () UTF-8 ALL", nil},
	{"a SORT (FOO) UTF-8 ALL", nil},
	{"a SORT (DATE) ALL", nil},
	{"A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000", &ThreadCommand{Algorithm: "ORDEREDSUBJECT", Charset: "UTF-8",
		Key: SearchKey{Op: SearchSince, Date: time.Date(2000, 3, 5, 0, 0, 0, 0, time.UTC)}}},
	{"a THREAD references", nil},

	// APPEND, RFC 3501 §6.3.11 and MULTIAPPEND.
	{"A003 APPEND saved-messages (\\Seen) {5}\r\nhello", []string{"[\\Seen]|0001-01-01T00:00:00Z|hello"}},
	{"a APPEND INBOX (\\Seen) \"17-Jul-1996 02:44:25 -0700\" {3+}\r\nabc {2}\r\nxy", []string{
		"[\\Seen]|1996-07-17T02:44:25-0700|abc", "[]|0001-01-01T00:00:00Z|xy"}},
	{"a APPEND INBOX ~{3}\r\na\x00b", []string{"[]|0001-01-01T00:00:00Z|a\x00b"}},
	{"a APPEND INBOX", nil},
	{"a APPEND INBOX (\\Seen) \"bad date\" {1}\r\nx", nil},

	// LIST / LSUB / STATUS, RFC 3501, RFC 5258, RFC 5819, RFC 6154.
	{`A101 LIST "" ""`, &ListCommand{Patterns: []string{""}}},
	{`A102 LIST #news.comp.mail.misc %`, &ListCommand{Reference: "#news.comp.mail.misc", Patterns: []string{"%"}}},
	{`A02 LIST (SUBSCRIBED RECURSIVEMATCH) "" % RETURN (CHILDREN STATUS (MESSAGES UNSEEN))`, &ListCommand{
		Patterns: []string{"%"}, Extended: true, SelectSubscribed: true, SelectRecursiveMatch: true,
		ReturnChildren: true, ReturnStatus: &StatusItems{StatusOptions: imap.StatusOptions{NumMessages: true, NumUnseen: true}}}},
	{`t1 LIST "" ("inbox" "foo/*") RETURN (SUBSCRIBED SPECIAL-USE)`, &ListCommand{Patterns: []string{"inbox", "foo/*"},
		Extended: true, ReturnSubscribed: true, ReturnSpecialUse: true}},
	{`t1 LIST (SPECIAL-USE REMOTE) "" *`, &ListCommand{Patterns: []string{"*"}, Extended: true, SelectSpecialUse: true, SelectRemote: true}},
	{`a LIST (RECURSIVEMATCH) "" %`, nil},
	{`a LIST (BOGUS) "" %`, nil},
	{`a LIST "" % RETURN (BOGUS)`, nil},
	{`A002 LSUB "#news." "comp.mail.*"`, &LsubCommand{Reference: "#news.", Pattern: "comp.mail.*"}},
	{`A042 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ SIZE)`, &StatusCommand{Mailbox: "blurdybloop",
		Items: StatusItems{StatusOptions: imap.StatusOptions{UIDNext: true, NumMessages: true, HighestModSeq: true, Size: true}}}},
	{`a STATUS x ()`, nil},
	{`a STATUS x (BOGUS)`, nil},

	// SELECT / EXAMINE, RFC 7162.
	{"A142 SELECT INBOX", &SelectCommand{Mailbox: "INBOX"}},
	{"a EXAMINE x (CONDSTORE)", &SelectCommand{Mailbox: "x", CondStore: true}},
	{"A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))", &SelectCommand{Mailbox: "INBOX",
		QResync: &QResync{UIDValidity: 67890007, ModSeq: 20050715194045000, KnownUIDs: uids(
			imap.UIDRange{Start: 41, Stop: 41}, imap.UIDRange{Start: 43, Stop: 211}, imap.UIDRange{Start: 214, Stop: 541})}}},
	{"B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976:29979)))", &SelectCommand{Mailbox: "INBOX",
		QResync: &QResync{UIDValidity: 67890007, ModSeq: 90060115194045000, KnownUIDs: uids(imap.UIDRange{Start: 1, Stop: 29997}),
			SeqMatchSeqs: seq(imap.SeqRange{Start: 5000, Stop: 5000}, imap.SeqRange{Start: 7500, Stop: 7500}, imap.SeqRange{Start: 9000, Stop: 9000}, imap.SeqRange{Start: 9990, Stop: 9999}),
			SeqMatchUIDs: uids(imap.UIDRange{Start: 15000, Stop: 15000}, imap.UIDRange{Start: 22500, Stop: 22500}, imap.UIDRange{Start: 27000, Stop: 27000},
				imap.UIDRange{Start: 29970, Stop: 29970}, imap.UIDRange{Start: 29973, Stop: 29973}, imap.UIDRange{Start: 29976, Stop: 29979})}}},
	{"a SELECT x (QRESYNC (1))", nil},
	{"a SELECT x (QRESYNC (1 0))", nil},
	{"a SELECT x (FOO)", nil},

	// CREATE, ENABLE, ID.
	{`t1 CREATE "Sent" (USE (\sent \Archive))`, &CreateCommand{Mailbox: "Sent", SpecialUse: []imap.MailboxAttr{imap.MailboxAttrSent, imap.MailboxAttrArchive}}},
	{`a CREATE owatagusiam/`, &CreateCommand{Mailbox: "owatagusiam/"}},
	{`a CREATE x (FOO)`, nil},
	{"t2 ENABLE CONDSTORE qresync", []string{"CONDSTORE", "QRESYNC"}},
	{"t2 ENABLE", nil},
	{`a023 ID ("name" "sodr" "version" "19.34" "vendor" NIL)`, []IDField{
		{Name: "name", Value: "sodr", HasValue: true}, {Name: "version", Value: "19.34", HasValue: true}, {Name: "vendor"}}},
	{"a ID NIL", []IDField(nil)},
	{"a ID (\"x\")", nil},

	// ACL, RFC 4314.
	{"A001 SETACL INBOX/Drafts Chris +cda", &SetACLCommand{Mailbox: "INBOX/Drafts", Identifier: "Chris", Rights: "+cda"}},
	{"A002 DELETEACL INBOX -Fred", []string{"INBOX", "-Fred"}},
	{"a GETACL INBOX", "INBOX"},
	{"a LISTRIGHTS ~/Mail/saved smith", []string{"~/Mail/saved", "smith"}},
	{"a MYRIGHTS INBOX", "INBOX"},
	{"a SETACL INBOX Chris", nil},

	// QUOTA, RFC 9208.
	{`G0001 GETQUOTA "!partition/sda4"`, "!partition/sda4"},
	{"a GETQUOTAROOT INBOX", "INBOX"},
	{`S0000 SETQUOTA "#user/alice" (STORAGE 510 message 1000)`, &SetQuotaCommand{Root: "#user/alice",
		Limits: []QuotaLimit{{Resource: "STORAGE", Limit: 510}, {Resource: "MESSAGE", Limit: 1000}}}},
	{`a SETQUOTA "" ()`, &SetQuotaCommand{Root: "", Limits: []QuotaLimit{}}},
	{`a SETQUOTA x (STORAGE)`, nil},

	// METADATA, RFC 5464.
	{`C: a GETMETADATA (MAXSIZE 1024 DEPTH infinity) "" /shared/comment`, &GetMetadataCommand{
		Mailbox: "", Entries: []string{"/shared/comment"}, MaxSize: 1024, Depth: "infinity"}},
	{`a GETMETADATA INBOX (/shared/comment /private/comment)`, &GetMetadataCommand{
		Mailbox: "INBOX", Entries: []string{"/shared/comment", "/private/comment"}, MaxSize: -1, Depth: "0"}},
	{`a GETMETADATA (DEPTH 2) INBOX /x`, nil},
	{"a SETMETADATA INBOX (/private/comment {6}\r\nMy new /shared/x NIL /shared/b ~{2}\r\n\x00\x01)", &SetMetadataCommand{Mailbox: "INBOX",
		Entries: []MetadataEntry{{Name: "/private/comment", Value: []byte("My new")}, {Name: "/shared/x"},
			{Name: "/shared/b", Value: []byte{0, 1}}}}},
	{`a SETMETADATA INBOX ()`, nil},

	// Mailbox commands, login and friends.
	{"a UID MOVE 42:69 foo", &CopyCommand{Set: uids(imap.UIDRange{Start: 42, Stop: 69}), Mailbox: "foo"}},
	{"A003 COPY 2:4 MEETING", &CopyCommand{Set: seq(imap.SeqRange{Start: 2, Stop: 4}), Mailbox: "MEETING"}},
	{"A202 UID EXPUNGE 3000:3002", uids(imap.UIDRange{Start: 3000, Stop: 3002})},
	{"A683 RENAME blurdybloop sarasoop", []string{"blurdybloop", "sarasoop"}},
	{"a001 LOGIN SMITH SESAME", []string{"SMITH", "SESAME"}},
	{`a001 LOGIN "fred" {6+}` + "\r\npa\"ss\\", []string{"fred", `pa"ss\`}},
	{"a AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=", &AuthenticateCommand{Mechanism: "PLAIN", InitialResponse: "dGVzdAB0ZXN0AHRlc3Q=", HasInitial: true}},
	{"a authenticate gssapi", &AuthenticateCommand{Mechanism: "GSSAPI"}},
	{"a AUTHENTICATE PLAIN =", &AuthenticateCommand{Mechanism: "PLAIN", InitialResponse: "=", HasInitial: true}},
	{"a LOGIN a b c", nil},
	{"a NOOP x", nil},
}

func TestParsers(t *testing.T) {
	for _, tt := range parseTests {
		line := tt.line
		if len(line) > 3 && line[:3] == "C: " {
			line = line[3:]
		}
		_, got, err := parseLine(t, line)
		if tt.want == nil {
			ok := err == nil
			if line[:2] == "a " && len(line) > 150 { // the long SEARCH line must succeed
				if !ok {
					t.Errorf("%q: %v", line, err)
				}
				continue
			}
			if ok {
				t.Errorf("%q: accepted as %+v", line, got)
			} else if wireErr(err) == nil || wireErr(err).Fatal {
				t.Errorf("%q: want recoverable *Error, got %#v", line, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", line, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q:\n got %#v\nwant %#v", line, got, tt.want)
		}
	}
}

func TestFetchResponseNames(t *testing.T) {
	_, v, err := parseLine(t, "a FETCH 1 (BODY.PEEK[HEADER.FIELDS (From \"X Y\")]<10.20> BINARY.SIZE[1] RFC822.SIZE BODY[1.2.TEXT] BINARY[2]<0.5>)")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`BODY[HEADER.FIELDS (From "X Y")]<10>`, "BINARY.SIZE[1]", "RFC822.SIZE", "BODY[1.2.TEXT]", "BINARY[2]<0>"}
	for i, it := range v.(*FetchCommand).Items {
		if it.ResponseName() != want[i] {
			t.Errorf("item %d: %q, want %q", i, it.ResponseName(), want[i])
		}
	}
	if v.(*FetchCommand).Items[0].SetsSeen() || !v.(*FetchCommand).Items[3].SetsSeen() {
		t.Error("SetsSeen wrong")
	}
}
