package test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportArrows keeps ARCHITECTURE.md §7's dependency rules true:
// imports point down, only pkg/cyrusdb imports badger, no protocol package
// imports another, nothing in pkg imports cmd.
func TestImportArrows(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "gocyrus/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	protocols := []string{"gocyrus/pkg/imapserver", "gocyrus/pkg/pop3server", "gocyrus/pkg/lmtp", "gocyrus/pkg/managesieve"}
	family := func(pkg string) string {
		for _, p := range protocols {
			if pkg == p || strings.HasPrefix(pkg, p+"/") {
				return p
			}
		}
		return ""
	}
	// Packages below the protocols, and what each may import from gocyrus.
	lower := map[string][]string{
		"gocyrus/pkg/config":   {"gocyrus/pkg/config/"},
		"gocyrus/pkg/cyrusdb":  {"gocyrus/pkg/panics"},
		"gocyrus/pkg/mboxname": {"gocyrus/pkg/config"},
		"gocyrus/pkg/acl":      {"gocyrus/pkg/config", "gocyrus/pkg/mboxname"},
		"gocyrus/pkg/quota":    {"gocyrus/pkg/cyrusdb", "gocyrus/pkg/panics"},
		"gocyrus/pkg/mboxlist": {"gocyrus/pkg/cyrusdb", "gocyrus/pkg/acl", "gocyrus/pkg/mboxname"},
		"gocyrus/pkg/mailbox":  {"gocyrus/pkg/mboxname", "gocyrus/pkg/panics"},
		"gocyrus/pkg/sasldb":   {"gocyrus/pkg/cyrusdb"},
		"gocyrus/pkg/logins":   {},
		"gocyrus/pkg/panics":   {},
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg, imports := f[0], f[1:]
		for _, imp := range imports {
			if strings.HasPrefix(imp, "github.com/dgraph-io/badger") && pkg != "gocyrus/pkg/cyrusdb" {
				t.Errorf("%s imports badger: only pkg/cyrusdb may", pkg)
			}
			if strings.HasPrefix(pkg, "gocyrus/pkg/") && strings.HasPrefix(imp, "gocyrus/cmd/") {
				t.Errorf("%s imports %s: nothing in pkg imports cmd", pkg, imp)
			}
			if a, b := family(pkg), family(imp); a != "" && b != "" && a != b {
				t.Errorf("protocol package %s imports protocol package %s", pkg, imp)
			}
			if allowed, ok := lower[pkg]; ok && strings.HasPrefix(imp, "gocyrus/") {
				okImp := false
				for _, a := range allowed {
					if imp == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(imp, a)) {
						okImp = true
					}
				}
				if !okImp {
					t.Errorf("%s imports %s: imports must point down (ARCHITECTURE.md §7)", pkg, imp)
				}
			}
		}
	}
}
