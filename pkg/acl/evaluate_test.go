package acl

import "testing"

func TestMatches(t *testing.T) {
	alice := Identity{User: "alice", Groups: []string{"group:staff", "devs"}}
	anon := Identity{User: "anonymous", Anonymous: true}
	tests := []struct {
		who  Identity
		id   string
		want bool
	}{
		{alice, "anyone", true},
		{anon, "anyone", true}, // anyone includes anonymous sessions
		{alice, "anonymous", false},
		{anon, "anonymous", true},
		{alice, "alice", true},
		{alice, "bob", false},
		{alice, "group:staff", true},
		{alice, "group:devs", true}, // bare group names accepted in Identity
		{alice, "group:other", false},
		{alice, "staff", false},
		{anon, "group:staff", false},
		{Identity{}, "", false},
	}
	for _, tt := range tests {
		if got := tt.who.Matches(tt.id); got != tt.want {
			t.Errorf("%+v.Matches(%q) = %v", tt.who, tt.id, got)
		}
	}
}

// docs/CYRUS-BEHAVIOUR.md §3.4 and the observed MYRIGHTS / implicit rights.
func TestPolicyRights(t *testing.T) {
	p := DefaultPolicy()
	write := p
	write.AdminImpliesWrite = true
	acl := func(s string) ACL {
		a, err := ParseDefaultACL(s)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	alice := Identity{User: "alice"}
	bob := Identity{User: "bob", Groups: []string{"group:staff"}}
	cyrus := Identity{User: "cyrus", Admin: true}
	anon := Identity{User: "anonymous", Anonymous: true}
	full := "alice lrswipkxtecdan"
	tests := []struct {
		name    string
		p       Policy
		acl     string
		who     Identity
		mailbox string
		want    string
	}{
		{"owner full", p, full, alice, "user.alice", "lrswipkxtecdan"},
		{"admin gets la only (observed MYRIGHTS user/alice la)", p, full, cyrus, "user.alice", "la"},
		{"admin no r or x on shared", p, "anyone lrs", cyrus, "board", "lrsa"},
		{"admin with ACL entry", p, "cyrus lrswipkxtecdan", cyrus, "board", "lrswipkxtecdan"},
		{"no implicit p in MYRIGHTS", p, full, bob, "user.alice", ""},
		{"no p on user subfolder", p, full, bob, "user.alice.Work", ""},
		{"anonymous on INBOX", p, full, anon, "user.alice", ""},
		{"owner implicit on subfolder with empty ACL", p, "", alice, "user.alice.Work", "lkxcan"},
		{"owner implicit survives negative", p, "-alice lrswipkxtecdan", alice, "user.alice", "lkxcan"},
		{"implicit owner rights configurable", Policy{ImplicitOwnerRights: Lookup | Administer}, "", alice, "user.alice.x", "la"},
		{"union anyone+user+group", p, "anyone l bob r group:staff s", bob, "board", "lrs"},
		{"negative user", p, "anyone lrs -bob s", bob, "board", "lr"},
		{"negative group", p, "anyone lrsw -group:staff w", bob, "board", "lrs"},
		{"negative anyone", p, "bob lrswi -anyone i", bob, "board", "lrsw"},
		{"order irrelevant", p, "-bob s anyone lrs", bob, "board", "lr"},
		{"negative beats positive for same id", p, "bob lrs -bob lrs", bob, "board", ""},
		{"anyone matches anonymous", p, "anyone lr", anon, "board", "lr"},
		{"anonymous only anonymous", p, "anonymous lr", bob, "board", ""},
		{"anonymous entry", p, "anonymous lr", anon, "board", "lr"},
		{"anonymous is not user anonymous", p, "anonymous lr", Identity{User: "anonymous"}, "board", ""},
		{"user entry does not match anonymous session", p, "anonymous l", Identity{User: "anonymous", Anonymous: true}, "user.anonymous", "l"},
		{"non-member group", p, "group:other lrs", bob, "board", ""},
		{"admin implies write off", p, "bob la", bob, "board", "la"},
		{"admin implies write on", write, "bob la", bob, "board", "lswitedan"},
		{"admin implies write before negatives", write, "bob la -bob t", bob, "board", "lswiedan"},
		{"admin implies write not from implicit a", write, "", alice, "user.alice.x", "lkxcan"},
		{"domain owner", p, "", Identity{User: "alice@example.org"}, "example.org!user.alice.x", "lkxcan"},
		{"domain owner mismatch", p, "", Identity{User: "alice"}, "example.org!user.alice.x", ""},
		{"other domain same local", p, "", Identity{User: "alice@other.org"}, "example.org!user.alice", ""},
		{"dotted user owner", p, "", Identity{User: "john.doe"}, "user.john^doe.x", "lkxcan"},
		{"user-defined rights", p, "bob 0 anyone 9", bob, "board", "09"},
	}
	for _, tt := range tests {
		got := tt.p.Rights(acl(tt.acl), tt.who, tt.mailbox)
		if got.String() != tt.want {
			t.Errorf("%s: Rights = %q; want %q", tt.name, got, tt.want)
		}
	}
}

func TestCanDeliver(t *testing.T) {
	p := DefaultPolicy()
	full, _ := Parse("alice\tlrswipkxtecdan\t")
	posters, _ := Parse("anyone\tp\t-bob\tp\t")
	bob := Identity{User: "bob"}
	tests := []struct {
		acl     ACL
		who     Identity
		mailbox string
		want    bool
	}{
		{full, bob, "user.alice", true},                               // INBOX ignores the ACL
		{full, Identity{Anonymous: true}, "example.org!user.a", true}, // in any domain
		{full, bob, "user.alice.Work", false},
		{posters, Identity{User: "carol"}, "user.alice.Work", true},
		{posters, bob, "user.alice.Work", false},
		{posters, bob, "user.alice", true},
		{posters, Identity{User: "carol"}, "board", true},
	}
	for _, tt := range tests {
		if got := p.CanDeliver(tt.acl, tt.who, tt.mailbox); got != tt.want {
			t.Errorf("CanDeliver(%q, %+v, %q) = %v", tt.acl, tt.who, tt.mailbox, got)
		}
	}
}

func TestCommandRightSets(t *testing.T) {
	// SELECT is [READ-WRITE] with any of s w i t e n; EXAMINE masks them off.
	if mustRights(t, "lr").Any(ReadWrite) || !mustRights(t, "lrn").Any(ReadWrite) {
		t.Error("ReadWrite")
	}
	// MYRIGHTS answers with any of l r i k x a, else NONEXISTENT.
	for s, want := range map[string]bool{"l": true, "r": true, "i": true, "k": true, "x": true, "a": true, "p": false, "swten": false, "": false} {
		if got := mustRights(t, s).Any(MyRightsVisible); got != want {
			t.Errorf("MyRightsVisible(%q) = %v", s, got)
		}
	}
}

func TestListRights(t *testing.T) {
	p := DefaultPolicy()
	tests := []struct {
		mailbox, id, want string
	}{
		// Observed: * LISTRIGHTS INBOX bob p l r s w i k x t e c d a n 0 1 2 3 4 5 6 7 8 9
		{"user.alice", "bob", "p l r s w i k x t e c d a n 0 1 2 3 4 5 6 7 8 9"},
		// Observed: * LISTRIGHTS user/alice alice lkxcan r s w i p t e d 0 ...
		{"user.alice", "alice", "lkxcan r s w i p t e d 0 1 2 3 4 5 6 7 8 9"},
		{"user.alice.Work", "alice", "lkxcan r s w i p t e d 0 1 2 3 4 5 6 7 8 9"},
		{"user.alice.Work", "bob", " l r s w i p k x t e c d a n 0 1 2 3 4 5 6 7 8 9"},
		{"board", "anyone", " l r s w i p k x t e c d a n 0 1 2 3 4 5 6 7 8 9"},
		{"example.org!user.alice", "alice@example.org", "lkxcan r s w i p t e d 0 1 2 3 4 5 6 7 8 9"},
	}
	for _, tt := range tests {
		fields := p.ListRights(tt.mailbox, tt.id).Fields()
		got := ""
		for i, f := range fields {
			if i > 0 {
				got += " "
			}
			got += f
		}
		if got != tt.want {
			t.Errorf("ListRights(%q, %q) = %q; want %q", tt.mailbox, tt.id, got, tt.want)
		}
	}
}

// docs/CYRUS-BEHAVIOUR.md §3.5.
func TestInitialACL(t *testing.T) {
	parent, _ := Parse("alice\tlrswipkxtecdan\tgroup:staff\tlrs\t-bob\tr\t")
	tests := []struct {
		name       string
		parent     ACL
		hasParent  bool
		defaultACL string
		want       string
	}{
		{"user.alice.Work", parent, true, DefaultACL, parent.String()},
		{"board.sub", parent, true, DefaultACL, parent.String()},
		{"user.alice", nil, false, DefaultACL, "alice\tlrswipkxtecdan\t"},
		{"user.john^doe", nil, false, DefaultACL, "john.doe\tlrswipkxtecdan\t"},
		{"example.org!user.alice", nil, false, DefaultACL, "alice@example.org\tlrswipkxtecdan\t"},
		{"board", nil, false, DefaultACL, "anyone\tlrs\t"},
		{"board", nil, false, "anyone lrs group:staff lrswi", "anyone\tlrs\tgroup:staff\tlrswi\t"},
		{"board", nil, false, "", ""},
		{"board", nil, false, "anyone lrz bob lr dangling", "bob\tlr\t"},
		{"user.alice.x", nil, true, DefaultACL, ""},
	}
	for _, tt := range tests {
		got := InitialACL(tt.name, tt.parent, tt.hasParent, tt.defaultACL)
		if got.String() != tt.want {
			t.Errorf("InitialACL(%q) = %q; want %q", tt.name, got, tt.want)
		}
	}
	child := InitialACL("board.sub", parent, true, "")
	child[0].Rights = 0
	if parent[0].Rights == 0 {
		t.Error("InitialACL shares storage with the parent ACL")
	}
}
