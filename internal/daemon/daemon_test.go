package daemon

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v3"

	"gocyrus/pkg/service"
)

// The service flags read by Cyrus's getopt rules, each into its field.
func TestParseFlags(t *testing.T) {
	var f service.Flags
	var preauth bool
	own := &cli.BoolFlag{Name: "a", Destination: &preauth}
	args := strings.Fields("-aC/x.conf -sU30 -T 60 -l /run/a,b.sock -l 127.0.0.1:0 -D")
	if err := parseFlags(Spec{Program: "lmtpd"}, &f, []cli.Flag{own}, args); err != nil {
		t.Fatal(err)
	}
	want := service.Flags{Config: "/x.conf", Listen: []string{"/run/a,b.sock", "127.0.0.1:0"}, TLS: true,
		MaxUses: 30, IdleTimeout: 60, Debug: true}
	if !preauth || f.Config != want.Config || !slices.Equal(f.Listen, want.Listen) || f.TLS != want.TLS ||
		f.MaxUses != want.MaxUses || f.IdleTimeout != want.IdleTimeout || f.Debug != want.Debug {
		t.Errorf("got %+v (-a %v), want %+v (-a true)", f, preauth, want)
	}

	var d service.Flags
	if err := parseFlags(Spec{Program: "imapd"}, &d, nil, nil); err != nil || d.Config != service.DefaultConfigPath {
		t.Errorf("no flags: %+v, %v", d, err)
	}
}

// Mistakes are UsageErrors carrying the parser's reason; -h is ErrHelp
// unless the daemon answers it as a mistake (lmtpd).
func TestParseFlagsErrors(t *testing.T) {
	for _, tc := range []struct {
		args   string
		noHelp bool
		want   string // "" = ErrHelp
	}{
		{"-Z", false, "flag provided but not defined: -Z"},
		{"-C", false, "flag needs an argument: -C"},
		{"-U many", false, "invalid value"},
		{"-s stray", false, `unexpected argument "stray"`},
		{"-h", true, "flag provided but not defined: -h"},
		{"-h", false, ""},
	} {
		var f service.Flags
		err := parseFlags(Spec{Program: "imapd", NoHelp: tc.noHelp}, &f, nil, strings.Fields(tc.args))
		var ue *UsageError
		switch {
		case tc.want == "":
			if !errors.Is(err, ErrHelp) {
				t.Errorf("%q: %v, want ErrHelp", tc.args, err)
			}
		case !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want):
			t.Errorf("%q: %v, want a UsageError containing %q", tc.args, err, tc.want)
		}
	}
}
