package sieveshell

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGetoptLong: the command lines Getopt::Long takes (and what it
// refuses), as Cyrus's sieveshell reads them.
func TestGetoptLong(t *testing.T) {
	for _, tc := range []struct {
		args string
		want string // values (sorted by name) and operands, or the error
	}{
		{"-u bob -a admin -p pw host", "authname=admin password=pw username=bob | host"},
		{"--user=bob --authname admin host:2000", "authname=admin username=bob | host:2000"},
		{"host -u bob", "username=bob | host"},
		{"--exec=list --execfile f h", "exec=list execfile=f | h"},
		{"-user bob h", "username=bob | h"},
		{"--pass=x h", "password=x | h"},
		{"--help", "help=1 |"},
		{"-? h", "help=1 | h"},
		{"-p -e x h", "exec=x password= | h"},
		{"-- -u h", "| -u h"},
		{"--exe x h", "Option exe is ambiguous"},
		{"-x h", "Unknown option: x"},
		{"-ubob h", "Unknown option: ubob"},
		{"--help=1", "Option help does not take an argument"},
	} {
		p, err := getoptLong(strings.Fields(tc.args), sieveshellOptions)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			var vals []string
			for _, o := range sieveshellOptions {
				if v, ok := p.values[o.names[0]]; ok {
					vals = append(vals, o.names[0]+"="+v)
				}
			}
			sortStrings(vals)
			got = strings.TrimSpace(strings.Join(vals, " ") + " | " + strings.Join(p.operands, " "))
		}
		if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.args, got, tc.want)
		}
	}
}

func sortStrings(a []string) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

func TestServerAddr(t *testing.T) {
	for in, want := range map[string]string{
		"mail":           "mail:4190",
		"mail:2000":      "mail:2000",
		"mail:":          "mail:4190",
		"127.0.0.1:4190": "127.0.0.1:4190",
		"[::1]:2000":     "[::1]:2000",
		"[::1]":          "[::1]:4190",
		"::1":            "[::1]:4190",
	} {
		if got := serverAddr(in); got != want {
			t.Errorf("serverAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriteFileReplaces: a fetched script replaces the file whole and
// leaves no temporary file; a directory that cannot hold it leaves
// nothing at all.
func TestWriteFileReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s")
	if err := os.WriteFile(path, []byte("old and longer\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(path, []byte("keep;\n")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep;\n" {
		t.Errorf("content %q", b)
	}
	if err := writeFile(filepath.Join(dir, "no", "such"), []byte("x")); err == nil {
		t.Error("wrote into a missing directory")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("debris left: %v", ents)
	}
}

// TestConnectFailure: a server that is not there is reported as Cyrus's
// library reports it, and nothing runs.
func TestConnectFailure(t *testing.T) {
	var out, errb strings.Builder
	code := Sieveshell(context.Background(), []string{"-u", "a", "-p", "x", "-e", "list", "127.0.0.1:1"},
		&Env{In: strings.NewReader(""), Out: &out, Err: &errb, User: "a"})
	if code != 255 || out.String() != "connecting to 127.0.0.1:1\n" ||
		errb.String() != "connect: Connection refused\nunable to connect to server\n" {
		t.Errorf("exit %d, %q, %q", code, out.String(), errb.String())
	}
}

func TestStrerror(t *testing.T) {
	_, err := os.ReadFile(filepath.Join(t.TempDir(), "none"))
	if got := strerror(err); got != "No such file or directory" {
		t.Errorf("%q", got)
	}
	if got := strerror(fmt.Errorf("plain")); got != "plain" {
		t.Errorf("%q", got)
	}
}
