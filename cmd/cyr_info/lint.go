package main

import (
	"fmt"
	"strings"

	"gocyrus/pkg/config"
)

// problem is a configured key no program reads, and why.
type problem struct {
	config.Setting
	why string
}

// lint returns the keys of cfg that are neither an option, an overflow key
// (partition-NAME, sasl_*...) nor "<service>_<option>" for a service cc
// names: Cyrus's rule, so "imapd_timeout" is reported where only "imap"
// is a service. Each comes with the nearest known name when one is close.
func lint(cfg *config.Config, cc *config.CyrusConf) []problem {
	services := make(map[string]bool)
	for _, e := range cc.Services {
		services[strings.ToLower(e.Name)] = true
	}
	var out []problem
	for _, s := range cfg.Settings() {
		if s.Line == 0 {
			continue
		}
		if _, known := config.Option(s.Key); known || config.IsOverflowKey(s.Key) {
			continue
		}
		svc, opt, ok := strings.Cut(s.Key, "_")
		optKnown := ok && (isOption(opt) || config.IsOverflowKey(opt))
		if optKnown && services[svc] {
			continue
		}
		why := fmt.Sprintf("unknown option %q", s.Key)
		switch {
		case optKnown:
			why += fmt.Sprintf(": no service %q in cyrus.conf", svc)
			if near := nearest(svc, keys(services)); near != "" {
				why += fmt.Sprintf(" (did you mean %q?)", near+"_"+opt)
			}
		default:
			if near := nearest(s.Key, optionNames()); near != "" {
				why += fmt.Sprintf(" (did you mean %q?)", near)
			}
		}
		out = append(out, problem{Setting: s, why: why})
	}
	return out
}

func isOption(name string) bool {
	_, ok := config.Option(name)
	return ok
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func optionNames() []string {
	out := make([]string, len(config.Options))
	for i := range config.Options {
		out[i] = config.Options[i].Name
	}
	return out
}

// nearest returns the candidate closest to s by edit distance when it is
// close enough to be a misspelling (at most a third of s's length, and 3),
// "" otherwise; ties go to the first in sorted order.
func nearest(s string, candidates []string) string {
	best, bestD := "", min(3, len(s)/3)+1
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD || (d == bestD && best != "" && c < best) {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is Levenshtein's distance on bytes (names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
