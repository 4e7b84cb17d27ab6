package getopt

import (
	"slices"
	"strings"
	"testing"
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
