package search

import "strings"

// BaseSubject extracts the base subject of an already RFC 2047-decoded
// Subject (RFC 5256 §2.1): whitespace collapsed, "Re:", "Fwd:", "Fw:" and
// [blob] leaders, "(fwd)" trailers and "[fwd: ...]" wrappers removed. Case
// is kept; compare base subjects with i;ascii-casemap.
func BaseSubject(subject string) string {
	base, _ := baseSubject(subject)
	return base
}

// baseSubject also reports whether the extraction removed a reply or
// forward marker (subj-refwd, subj-trailer "(fwd)" or a [fwd: ] wrapper),
// which THREAD=REFERENCES needs when merging threads by subject.
func baseSubject(subject string) (base string, replyOrForward bool) {
	s := collapseSpace(subject)
	for {
		// (2) trailers.
		for {
			if strings.HasSuffix(s, " ") {
				s = s[:len(s)-1]
			} else if hasSuffixFold(s, "(fwd)") {
				s, replyOrForward = s[:len(s)-5], true
			} else {
				break
			}
		}
		// (3)-(5) leaders and blobs.
		for {
			for {
				if strings.HasPrefix(s, " ") {
					s = s[1:]
				} else if n := refwdLeader(s); n > 0 {
					s, replyOrForward = s[n:], true
				} else {
					break
				}
			}
			n := blob(s)
			if n == 0 || strings.TrimSpace(s[n:]) == "" {
				break
			}
			s = s[n:]
		}
		// (6) [fwd: ...] wrapper.
		if len(s) >= 6 && hasPrefixFold(s, "[fwd:") && s[len(s)-1] == ']' {
			s, replyOrForward = s[5:len(s)-1], true
			continue
		}
		return s, replyOrForward
	}
}

// collapseSpace turns tabs and line breaks into spaces and runs of spaces
// into one (RFC 5256 §2.1 step 1).
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(c)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

// blob matches subj-blob = "[" *BLOBCHAR "]" *WSP at the start of s and
// returns its length, or 0.
func blob(s string) int {
	if !strings.HasPrefix(s, "[") {
		return 0
	}
	end := strings.IndexAny(s[1:], "[]")
	if end < 0 || s[1+end] != ']' {
		return 0
	}
	n := end + 2
	for n < len(s) && s[n] == ' ' {
		n++
	}
	return n
}

// refwdLeader matches *subj-blob subj-refwd at the start of s, where
// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":", and returns its
// length, or 0.
func refwdLeader(s string) int {
	i := 0
	for n := blob(s); n > 0; n = blob(s[i:]) {
		i += n
	}
	switch {
	case hasPrefixFold(s[i:], "re"):
		i += 2
	case hasPrefixFold(s[i:], "fwd"):
		i += 3
	case hasPrefixFold(s[i:], "fw"):
		i += 2
	default:
		return 0
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	i += blob(s[i:])
	if i < len(s) && s[i] == ':' {
		return i + 1
	}
	return 0
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}
