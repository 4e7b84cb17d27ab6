package acl

import (
	"errors"
	"strings"
	"testing"

	"gocyrus/pkg/config"
)

func TestPolicyFromConfig(t *testing.T) {
	cfg, err := config.ParseImapd(strings.NewReader(""), "imapd.conf")
	if err != nil {
		t.Fatal(err)
	}
	p, err := PolicyFromConfig(cfg)
	if err != nil || p != DefaultPolicy() {
		t.Errorf("defaults: %+v, %v; want %+v", p, err, DefaultPolicy())
	}
	if DeleteRightFromConfig(cfg) != 'c' {
		t.Error("deleteright default")
	}
	if a := InitialACL("board", nil, false, cfg.Defaultacl()); a.String() != "anyone\tlrs\t" {
		t.Errorf("defaultacl default gives %q", a)
	}
	cfg, err = config.ParseImapd(strings.NewReader("implicit_owner_rights: la\nacl_admin_implies_write: yes\ndeleteright: d\n"), "imapd.conf")
	if err != nil {
		t.Fatal(err)
	}
	p, err = PolicyFromConfig(cfg)
	if err != nil || p.ImplicitOwnerRights.String() != "la" || !p.AdminImpliesWrite || DeleteRightFromConfig(cfg) != 'd' {
		t.Errorf("parsed: %+v, %v", p, err)
	}
	if err := cfg.Set("implicit_owner_rights", "lz"); err == nil {
		if _, err := PolicyFromConfig(cfg); !errors.Is(err, ErrInvalidRights) {
			t.Errorf("bad implicit_owner_rights: %v", err)
		}
	}
}
