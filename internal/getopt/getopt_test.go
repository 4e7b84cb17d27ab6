package getopt

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v3"
)

func TestNormalize(t *testing.T) {
	// As reconstruct: -C and -p take an argument.
	takes := func(c byte) bool { return c == 'C' || c == 'p' }
	for _, tc := range []struct{ in, want string }{
		{"-rf user.x", "-r -f -- user.x"},
		{"-C /etc/x.conf -rf user.x", "-C /etc/x.conf -r -f -- user.x"},
		{"-C/etc/x.conf user.x", "-C /etc/x.conf -- user.x"},
		{"-rfC/etc/x.conf user.x", "-r -f -C /etc/x.conf -- user.x"},
		{"-rfC /etc/x.conf user.x", "-r -f -C /etc/x.conf -- user.x"},
		{"-pdefault user.x", "-p default -- user.x"},
		{"-p -r user.x", "-p -r -- user.x"}, // -r is -p's argument
		{"user.x -r user.y", "-r -- user.x user.y"},
		{"-r -- -f user.x", "-r -- -f user.x"},
		{"- -r", "-r -- -"},
		{"-r -p", "-r -p"},
		{"user.x -p", "-p"},
		{"--help -r", "--help -r"},
		{"", ""},
	} {
		got := strings.Join(Normalize(strings.Fields(tc.in), takes), " ")
		if got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := Normalize(nil, takes); len(got) != 0 {
		t.Errorf("Normalize(nil) = %q", got)
	}
	if got := Normalize([]string{"-C", ""}, takes); !slices.Equal(got, []string{"-C", ""}) {
		t.Errorf("an empty argument: %q", got)
	}
}

// Normalize's output is already normal: a second pass changes nothing.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"-rf user.x", "-C/x -pdef a -- -b", "x -C", "-C -- -- x", "- --help"} {
		f.Add(s)
	}
	takes := func(c byte) bool { return c == 'C' || c == 'p' }
	f.Fuzz(func(t *testing.T, line string) {
		once := Normalize(strings.Split(line, " "), takes)
		if twice := Normalize(once, takes); !slices.Equal(once, twice) {
			t.Fatalf("%q -> %q -> %q", line, once, twice)
		}
	})
}

// Run hands a flag mistake to usage and prints nothing ("Incorrect
// Usage", help): the program reports it in its own words.
func TestRunUsageError(t *testing.T) {
	var out, errOut strings.Builder
	ran := false
	cmd := &cli.Command{
		Name:      "prog",
		Writer:    &out,
		ErrWriter: &errOut,
		Flags:     []cli.Flag{&cli.StringFlag{Name: "C"}, &cli.BoolFlag{Name: "r"}},
		Action:    func(context.Context, *cli.Command) error { ran = true; return nil },
	}
	sentinel := errors.New("usage")
	err := Run(cmd, []string{"prog", "-rZ"}, func(err error) error {
		return fmt.Errorf("%w: %w", sentinel, err)
	})
	if !errors.Is(err, sentinel) || !strings.Contains(err.Error(), "flag provided but not defined: -Z") || ran {
		t.Errorf("Run = %v (action ran: %v), want the usage error", err, ran)
	}
	if out.Len()+errOut.Len() > 0 {
		t.Errorf("printed %q / %q", out.String(), errOut.String())
	}
	if err := Run(cmd, []string{"prog", "-rC/x", "op"}, nil); err != nil || !ran || cmd.String("C") != "/x" || cmd.Args().First() != "op" {
		t.Errorf("Run = %v, ran %v, -C %q, args %q", err, ran, cmd.String("C"), cmd.Args().Slice())
	}
}
