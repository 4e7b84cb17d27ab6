package test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportArrows keeps ARCHITECTURE.md §7's dependency rules true:
// imports point down, only pkg/cyrusdb imports badger, no protocol package
// imports another, nothing in pkg imports cmd. Every package under pkg/ and
// internal/ has a row saying which of our packages it may import, so the
// layering cannot drift: a new package fails the test until it has a row.
func TestImportArrows(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "gocyrus/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	protocols := []string{"gocyrus/pkg/imapserver", "gocyrus/pkg/pop3server", "gocyrus/pkg/lmtp", "gocyrus/pkg/managesieve", "gocyrus/pkg/fud", "gocyrus/pkg/smmap"}
	family := func(pkg string) string {
		for _, p := range protocols {
			if pkg == p || strings.HasPrefix(pkg, p+"/") {
				return p
			}
		}
		return ""
	}
	// What each package may import from gocyrus, by layer, lowest first
	// (ARCHITECTURE.md §7). An entry ending in "/" allows the packages
	// under it. The lists are what the layering allows, not a copy of
	// today's imports: an arrow that is not here is a design change, made
	// here and in §7 together.
	const (
		config   = "gocyrus/pkg/config"
		mboxname = "gocyrus/pkg/mboxname"
		cyrusdb  = "gocyrus/pkg/cyrusdb"
		panics   = "gocyrus/pkg/panics"
		acl      = "gocyrus/pkg/acl"
		quota    = "gocyrus/pkg/quota"
		mailbox  = "gocyrus/pkg/mailbox"
		mboxlist = "gocyrus/pkg/mboxlist"
		sasldb   = "gocyrus/pkg/sasldb"
		store    = "gocyrus/pkg/store"
		sieve    = "gocyrus/pkg/sieve"
		scripts  = "gocyrus/pkg/sievescripts"
		dup      = "gocyrus/pkg/duplicate"
		auth     = "gocyrus/pkg/auth"
		logins   = "gocyrus/pkg/logins"
		tlsconf  = "gocyrus/pkg/tlsconf"
		service  = "gocyrus/pkg/service"
		privs    = "gocyrus/pkg/privs"
		wire     = "gocyrus/pkg/imapserver/wire"
		header   = "gocyrus/pkg/msgheader"
		bdbhash  = "gocyrus/pkg/bdbhash"
		space    = "gocyrus/pkg/diskspace"
		metrics  = "gocyrus/pkg/metrics"
		deny     = "gocyrus/pkg/userdeny"
		procinfo = "gocyrus/pkg/procinfo"
	)
	allowed := map[string][]string{
		// Leaves: nothing of ours.
		"gocyrus/internal/duration":  {},
		"gocyrus/internal/getopt":    {},
		"gocyrus/internal/hugemsg":   {},
		"gocyrus/internal/testseed":  {},
		"gocyrus/internal/faulttest": {},
		"gocyrus/internal/corpus":    {},
		// Test support: Cyrus files no Cyrus at hand writes.
		"gocyrus/internal/cyrusfixture": {"gocyrus/pkg/cyrusindex"},
		// The corpus capture tool (scripts/capture-dovecot-corpus).
		"gocyrus/internal/corpus/capture": {"gocyrus/internal/corpus"},
		panics:                            {},
		logins:                            {},
		privs:                             {},
		wire:                              {},
		header:                            {},
		bdbhash:                           {},
		space:                             {},
		// The statistics every service counts into (a leaf: counting is an atomic add).
		metrics:  {},
		sieve:    {header},
		procinfo: {},
		// Readers of other servers' files (cyr_import).
		"gocyrus/pkg/mbox":    {header, mailbox},
		"gocyrus/pkg/maildir": {mailbox},
		// config and its generator.
		config:                               {"gocyrus/pkg/config/"},
		"gocyrus/pkg/config/internal/optgen": {config},
		"gocyrus/pkg/config/internal/gen":    {config, "gocyrus/pkg/config/internal/optgen"},
		mboxname:                             {config},
		// Over cyrusdb.
		acl:      {config, mboxname},
		quota:    {cyrusdb, panics},
		mailbox:  {mboxname, panics, header},
		mboxlist: {cyrusdb, acl, mboxname},
		sasldb:   {cyrusdb, bdbhash},
		cyrusdb:  {panics},
		dup:      {cyrusdb, panics},
		deny:     {cyrusdb},
		tlsconf:  {config},
		service:  {tlsconf},
		scripts:  {config, mboxname},
		auth:     {config, mboxname, sasldb, metrics},
		store:    {config, mboxname, cyrusdb, panics, acl, quota, mailbox, mboxlist, scripts, space},
		// The address rule lmtpd and smmapd share.
		"gocyrus/pkg/recipient": {config},
		// The protocols and what they serve with.
		"gocyrus/pkg/imapurl":            {},
		"gocyrus/pkg/twoskip":            {},
		"gocyrus/pkg/skiplist":           {},
		"gocyrus/pkg/flatdb":             {},
		"gocyrus/pkg/cyrusdbfile":        {"gocyrus/pkg/twoskip", "gocyrus/pkg/skiplist", "gocyrus/pkg/flatdb"},
		"gocyrus/pkg/cyrusindex":         {},
		"gocyrus/pkg/imapserver/fetch":   {wire, mailbox, header, "gocyrus/pkg/imapserver/preview"},
		"gocyrus/pkg/imapserver/search":  {wire, mailbox, header},
		"gocyrus/pkg/imapserver/preview": {header},
		"gocyrus/pkg/squat":              {mailbox},
		"gocyrus/pkg/imapserver": {config, mboxname, cyrusdb, panics, acl, quota, mailbox, mboxlist, store, auth, logins, tlsconf, service, metrics, deny, procinfo, "gocyrus/pkg/imapurl",
			"gocyrus/pkg/imapserver/", "gocyrus/pkg/squat"},
		"gocyrus/pkg/pop3server": {config, mboxname, cyrusdb, panics, acl, quota, mailbox, mboxlist, store, auth, logins, tlsconf, service, metrics, deny, procinfo},
		"gocyrus/pkg/lmtp": {config, header, mboxname, cyrusdb, panics, acl, quota, mailbox, mboxlist, store, auth, tlsconf, service,
			sieve, scripts, dup, metrics, deny, procinfo, "gocyrus/pkg/recipient"},
		"gocyrus/pkg/smmap":       {config, acl, mboxname, store, service, "gocyrus/pkg/recipient"},
		"gocyrus/pkg/managesieve": {config, mboxname, panics, auth, tlsconf, service, sieve, scripts, metrics, deny, procinfo},
		"gocyrus/pkg/cyradm":      {acl, mboxname, tlsconf},
		"gocyrus/pkg/mtest":       {},
		"gocyrus/pkg/sieveclient": {},
		"gocyrus/pkg/sieveshell":  {"gocyrus/pkg/sieveclient"},
		"gocyrus/pkg/fud":         {acl, mboxname, store},
		"gocyrus/pkg/master":      {config, privs, service},
		// Helpers of cmd.
		"gocyrus/internal/daemon": {"gocyrus/internal/getopt", config, mboxname, cyrusdb, sasldb, store, auth, tlsconf, service, privs, metrics, deny, procinfo},
		"gocyrus/internal/tool":   {"gocyrus/internal/getopt", config, mboxname, cyrusdb, sasldb, store, privs, header},
		"gocyrus/internal/demo":   {config, mboxname, cyrusdb, mboxlist, sasldb, store},
		// The offline Sieve tools' compile options and include resolver.
		"gocyrus/internal/sievecompile": {config, sieve, scripts},
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg, imports := f[0], f[1:]
		seen[pkg] = true
		rules, pinned := allowed[pkg]
		if !pinned && (strings.HasPrefix(pkg, "gocyrus/pkg/") || strings.HasPrefix(pkg, "gocyrus/internal/")) {
			t.Errorf("package %s is not in TestImportArrows' table (test/deps_test.go): add a row with the gocyrus packages it may import, keeping imports pointing down (ARCHITECTURE.md §7)", pkg)
		}
		for _, imp := range imports {
			if strings.HasPrefix(imp, "github.com/dgraph-io/badger") && pkg != cyrusdb {
				t.Errorf("%s imports badger: only pkg/cyrusdb may", pkg)
			}
			if strings.HasPrefix(imp, "gocyrus/cmd/") {
				t.Errorf("%s imports %s: nothing imports a command", pkg, imp)
			}
			if a, b := family(pkg), family(imp); a != "" && b != "" && a != b {
				t.Errorf("protocol package %s imports protocol package %s", pkg, imp)
			}
			if !pinned || !strings.HasPrefix(imp, "gocyrus/") {
				continue
			}
			okImp := false
			for _, a := range rules {
				if imp == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(imp, a)) {
					okImp = true
				}
			}
			if !okImp {
				t.Errorf("%s imports %s: not in its row of TestImportArrows' table; imports must point down (ARCHITECTURE.md §7)", pkg, imp)
			}
		}
	}
	for pkg := range allowed {
		if !seen[pkg] {
			t.Errorf("TestImportArrows' table has a row for %s, which no longer exists: remove it", pkg)
		}
	}
}

// TestProtocolsGoThroughStore: the protocol packages reach the mailbox
// list and quota only through pkg/store (issue 14), which names the types
// and errors they need (store.Entry, store.QuotaRoot, store.ErrNotFound…).
// pkg/mailbox stays importable: a selected mailbox is a *mailbox.Mailbox
// whose snapshot, fetch and store operations the sessions use directly.
func TestProtocolsGoThroughStore(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}",
		"gocyrus/pkg/imapserver/...", "gocyrus/pkg/pop3server/...", "gocyrus/pkg/lmtp/...", "gocyrus/pkg/managesieve/...", "gocyrus/pkg/smmap/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	below := []string{"gocyrus/pkg/mboxlist", "gocyrus/pkg/quota"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		for _, imp := range f[1:] {
			for _, b := range below {
				if imp == b {
					t.Errorf("protocol package %s imports %s: go through pkg/store", f[0], imp)
				}
			}
		}
	}
}
