package sieve

import (
	"reflect"
	"testing"
)

func TestParseSyntax(t *testing.T) {
	src := "require [\"fileinto\"];\nif header :Contains \"subject\" [\"a\", \"b\"] {\n  fileinto \"x\";\n} else { keep; }\nif size :over 1K { stop; }\n"
	got, err := ParseSyntax([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []*Syntax{
		{Line: 1, Name: "require", Args: []SyntaxArg{{Strings: []string{"fileinto"}, IsList: true}}, Tests: []*Syntax{}, Block: []*Syntax{}},
		{Line: 2, Name: "if", Args: []SyntaxArg{}, HasBlock: true,
			Tests: []*Syntax{{Line: 2, Name: "header", Tests: []*Syntax{}, Args: []SyntaxArg{
				{Tag: ":contains"}, {Strings: []string{"subject"}}, {Strings: []string{"a", "b"}, IsList: true}}}},
			Block: []*Syntax{{Line: 3, Name: "fileinto", Args: []SyntaxArg{{Strings: []string{"x"}}}, Tests: []*Syntax{}, Block: []*Syntax{}}}},
		{Line: 4, Name: "else", Args: []SyntaxArg{}, Tests: []*Syntax{}, HasBlock: true,
			Block: []*Syntax{{Line: 4, Name: "keep", Args: []SyntaxArg{}, Tests: []*Syntax{}, Block: []*Syntax{}}}},
		{Line: 5, Name: "if", Args: []SyntaxArg{}, HasBlock: true,
			Tests: []*Syntax{{Line: 5, Name: "size", Tests: []*Syntax{}, Args: []SyntaxArg{{Tag: ":over"}, {Number: 1024, IsNum: true}}}},
			Block: []*Syntax{{Line: 5, Name: "stop", Args: []SyntaxArg{}, Tests: []*Syntax{}, Block: []*Syntax{}}}},
	}
	if !reflect.DeepEqual(got, want) {
		for i := range got {
			t.Logf("%d: %+v", i, *got[i])
		}
		t.Fatal("syntax tree differs")
	}
	if _, err := ParseSyntax([]byte("if {")); err == nil {
		t.Fatal("a broken script parsed")
	}
}

// FuzzParseSyntax: ParseSyntax never panics, and accepts every script
// Compile accepts.
func FuzzParseSyntax(f *testing.F) {
	for _, s := range []string{"keep;", "if true { stop; } elsif false { discard; } else { keep; }",
		"require \"fileinto\"; fileinto :copy \"a\";", "if allof(not exists \"x\", size :under 1M) {}", "\x00", "if {"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		_, perr := ParseSyntax(src)
		if _, err := Compile(src, Options{}); err == nil && perr != nil {
			t.Fatalf("compiles but ParseSyntax: %v", perr)
		}
	})
}
