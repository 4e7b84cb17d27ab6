package mboxname

import (
	"strings"
	"testing"

	"gocyrus/pkg/config"
)

func TestNamespaceFromConfig(t *testing.T) {
	cfg, err := config.ParseImapd(strings.NewReader(""), "imapd.conf")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := NamespaceFromConfig(cfg), DefaultNamespace(); got != want {
		t.Errorf("defaults: %+v; want %+v", got, want)
	}
	cfg, err = config.ParseImapd(strings.NewReader("altnamespace: no\nunixhierarchysep: 0\nvirtdomains: userid\ndefaultdomain: example.com\n"), "imapd.conf")
	if err != nil {
		t.Fatal(err)
	}
	ns := NamespaceFromConfig(cfg)
	if ns.AltNamespace || ns.UnixHierarchySep || ns.VirtDomains != "userid" || ns.DefaultDomain != "example.com" {
		t.Errorf("parsed: %+v", ns)
	}
	if got := ns.Namespaces("alice", false).String(); got != `(("INBOX." ".")) (("user." ".")) (("" "."))` {
		t.Errorf("2.1 NAMESPACE = %s", got)
	}
}
