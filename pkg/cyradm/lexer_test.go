package cyradm

import (
	"reflect"
	"testing"
)

func TestParseLine(t *testing.T) {
	env := map[string]string{"USER": "alice", "X": "a b"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		line string
		want []Command
		err  bool
	}{
		{line: "", want: nil},
		{line: "lm", want: []Command{{Args: []string{"lm"}, Text: "lm"}}},
		{line: "  lm  user/% ", want: []Command{{Args: []string{"lm", "user/%"}, Text: "lm  user/%"}}},
		{line: "cm a; cm b", want: []Command{{Args: []string{"cm", "a"}, Text: "cm a"}, {Args: []string{"cm", "b"}, Text: "cm b"}}},
		{line: "cm a;;", want: []Command{{Args: []string{"cm", "a"}, Text: "cm a"}}},
		{line: `setinfo motd 'hello; world'`, want: []Command{{Args: []string{"setinfo", "motd", "hello; world"}, Text: `setinfo motd 'hello; world'`}}},
		{line: `sam "user/a b" $USER all`, want: []Command{{Args: []string{"sam", "user/a b", "alice", "all"}, Text: `sam "user/a b" $USER all`}}},
		{line: `x "${X}" '$X' \$X a\ b`, want: []Command{{Args: []string{"x", "a b", "$X", "$X", "a b"}, Text: `x "${X}" '$X' \$X a\ b`}}},
		{line: `x "say \"hi\" \n"`, want: []Command{{Args: []string{"x", `say "hi" \n`}, Text: `x "say \"hi\" \n"`}}},
		{line: "sam user/x -bob w", want: []Command{{Args: []string{"sam", "user/x", "-bob", "w"}, Text: "sam user/x -bob w"}}},
		{line: "lm >out", want: []Command{{Args: []string{"lm"}, Redirs: []Redirect{{FD: 1, Op: ">", Target: "out"}}, Text: "lm >out"}}},
		{line: "lm >> out 2>err", want: []Command{{Args: []string{"lm"}, Redirs: []Redirect{{FD: 1, Op: ">>", Target: "out"}, {FD: 2, Op: ">", Target: "err"}}, Text: "lm >> out 2>err"}}},
		{line: "lm 2>&1", want: []Command{{Args: []string{"lm"}, Redirs: []Redirect{{FD: 2, Op: ">&", Target: "1"}}, Text: "lm 2>&1"}}},
		{line: "lm 2 >x", want: []Command{{Args: []string{"lm", "2"}, Redirs: []Redirect{{FD: 1, Op: ">", Target: "x"}}, Text: "lm 2 >x"}}},
		{line: "lm '2'>x", want: []Command{{Args: []string{"lm", "2"}, Redirs: []Redirect{{FD: 1, Op: ">", Target: "x"}}, Text: "lm '2'>x"}}},
		{line: "cat <in", want: []Command{{Args: []string{"cat"}, Redirs: []Redirect{{FD: 0, Op: "<", Target: "in"}}, Text: "cat <in"}}},
		{line: "lm >", err: true},
		{line: "lm > ; x", err: true},
		{line: "lm & x", err: true},
		{line: "lm >&x", err: true},
		{line: "lm 'open", err: true},
		{line: `lm "open`, err: true},
		{line: "lm > > x", err: true},
		{line: "lm 7>x", err: true},
	}
	for _, tt := range tests {
		got, err := ParseLine(tt.line, getenv)
		if (err != nil) != tt.err {
			t.Errorf("ParseLine(%q) error %v, want error %v", tt.line, err, tt.err)
			continue
		}
		if !tt.err && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseLine(%q)\n got %#v\nwant %#v", tt.line, got, tt.want)
		}
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{"lm", "cm a; cm b", `sam "a b" $USER all`, "lm 2>&1 >>x", `x '\'' "\"" ${Y}`, "a;b;&>", "$", "${", "\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cmds, err := ParseLine(line, func(string) string { return "v" })
		if err != nil {
			return
		}
		for _, c := range cmds {
			if len(c.Args) == 0 && len(c.Redirs) == 0 {
				t.Fatalf("empty command from %q", line)
			}
			for _, r := range c.Redirs {
				if r.FD < 0 || r.FD > 2 {
					t.Fatalf("bad descriptor %d from %q", r.FD, line)
				}
			}
		}
	})
}

func TestGetopts(t *testing.T) {
	defs := []optDef{{"partition", true}, {"specialuse", true}, {"private", false}}
	tests := []struct {
		args []string
		opts map[string]string
		pos  []string
		err  bool
	}{
		{args: []string{"a"}, opts: map[string]string{}, pos: []string{"a"}},
		{args: []string{"--partition", "p", "a", "b"}, opts: map[string]string{"partition": "p"}, pos: []string{"a", "b"}},
		{args: []string{"-part", "p", "a"}, opts: map[string]string{"partition": "p"}, pos: []string{"a"}},
		{args: []string{"-s", `\Sent`, "a"}, opts: map[string]string{"specialuse": `\Sent`}, pos: []string{"a"}},
		{args: []string{"-pr", "a"}, opts: map[string]string{"private": "1"}, pos: []string{"a"}},
		{args: []string{"--", "-a", "b"}, opts: map[string]string{}, pos: []string{"-a", "b"}},
		{args: []string{"a", "--partition", "p"}, opts: map[string]string{}, pos: []string{"a", "--partition", "p"}},
		{args: []string{"--part", "p"}, err: true},
		{args: []string{"-x", "a"}, err: true},
		{args: []string{"--partition"}, err: true},
	}
	for _, tt := range tests {
		opts, pos, err := getopts("createmailbox", tt.args, defs...)
		if (err != nil) != tt.err {
			t.Errorf("getopts(%q) error %v", tt.args, err)
			continue
		}
		if tt.err {
			continue
		}
		if !reflect.DeepEqual(opts, tt.opts) || !reflect.DeepEqual(pos, tt.pos) && len(pos)+len(tt.pos) > 0 {
			t.Errorf("getopts(%q) = %v %q, want %v %q", tt.args, opts, pos, tt.opts, tt.pos)
		}
	}
}
