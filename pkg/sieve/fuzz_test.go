package sieve

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func fuzzOptions() Options {
	return Options{MaxSize: 64 << 10, Include: func(name string, global bool) ([]byte, error) {
		if name == "self" {
			return []byte(`require "include"; include "self"; keep;`), nil
		}
		return nil, fs.ErrNotExist
	}}
}

func addCorpusSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/compile/*.sieve")
	for _, name := range files {
		if src, err := os.ReadFile(name); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte(classicScript))
	f.Add([]byte("text:\r\n..x\r\n.\r\n"))
	f.Add([]byte(`require ["variables","encoded-character"]; set "a" "${hex:4}${unicode:110000}${";`))
}

// FuzzCompile checks the lexer, parser and compiler never panic and
// always report positioned errors.
func FuzzCompile(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		_, err := Compile(src, fuzzOptions())
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.Line < 1 || se.Column < 1 {
				t.Fatalf("error without position: %v", err)
			}
		}
	})
}

// FuzzRun runs fuzzed scripts on a fuzzed message: no panic, bounded.
func FuzzRun(f *testing.F) {
	files, _ := filepath.Glob("testdata/compile/*ok*.sieve")
	for _, name := range files {
		if src, err := os.ReadFile(name); err == nil {
			f.Add(src, []byte(basicMessage))
		}
	}
	f.Add([]byte(classicScript), []byte("Subject: [CIRCLE]\r\n\r\n"))
	f.Add([]byte(`require ["variables","regex"]; if header :regex "Subject" "(a*)*b" { set "x" "${1}${1}${1}"; }`), []byte("Subject: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac\r\n\r\n"))
	f.Fuzz(func(t *testing.T, src, msg []byte) {
		s, err := Compile(src, fuzzOptions())
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		res, err := s.Run(ctx, newTestMessage(t, string(msg)), Env{Duplicate: func(string, int64) bool { return false }})
		if time.Since(start) > 2*time.Second {
			t.Fatalf("run took %v", time.Since(start))
		}
		if err == nil && len(res.Actions) > defaultMaxActions+2 {
			t.Fatalf("%d actions", len(res.Actions))
		}
	})
}
