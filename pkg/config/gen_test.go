package config_test

import (
	"bytes"
	"os"
	"testing"

	"gocyrus/pkg/config"
	"gocyrus/pkg/config/internal/optgen"
)

// TestGeneratedFilesCurrent fails when options.go changed without
// "go generate ./pkg/config", or when someone edited a generated file.
func TestGeneratedFilesCurrent(t *testing.T) {
	want, err := optgen.Accessors(config.Options)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("options_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("options_gen.go is stale: run go generate ./pkg/config")
	}

	const manPage = "../../man/man5/imapd.conf.5"
	page, err := os.ReadFile(manPage)
	if err != nil {
		t.Fatal(err)
	}
	wantPage, err := optgen.Splice(page, optgen.ManOptions(config.Options, config.OverflowPrefixes))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(page, wantPage) {
		t.Errorf("%s OPTIONS section is stale: run go generate ./pkg/config", manPage)
	}
}

func TestGoName(t *testing.T) {
	for in, want := range map[string]string{
		"lmtp_over_quota_perm_failure": "LmtpOverQuotaPermFailure",
		"configdirectory":              "Configdirectory",
		"sasl_saslauthd_path":          "SaslSaslauthdPath",
		"partition-select":             "PartitionSelect",
		"rfc3028_strict":               "Rfc3028Strict",
	} {
		if got := optgen.GoName(in); got != want {
			t.Errorf("GoName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSpliceNeedsMarkers(t *testing.T) {
	if _, err := optgen.Splice([]byte(".TH X 5\n"), []byte("x")); err == nil {
		t.Error("Splice without markers succeeded")
	}
}
