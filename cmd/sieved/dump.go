package main

import (
	"fmt"
	"slices"
	"strings"

	"gocyrus/pkg/sieve"
)

// The layout is Cyrus 3.6's bytecode dump (bc_dump.c's, version 31): each
// command at its offset in 32-bit words, forward jumps to where Cyrus's
// generator would put their targets. Sizes are Cyrus's encodings: an
// opcode or a number is one word, a string its length word and its bytes
// with a NUL rounded up to words, a nil string one word, a string list a
// count and an end offset before its strings.

// bytecodeVersion is the version Cyrus 3.6 writes and prints.
const bytecodeVersion = 31

// headerWords is where Cyrus's first command starts.
const headerWords = 5

// dumper accumulates the dump of one script.
type dumper struct {
	b strings.Builder
	// vars: the script requires variables, so Cyrus leaves flag lists
	// as written (they may hold variables) rather than canonical.
	vars bool
	// limits are what Cyrus's compiler bounds a vacation period to.
	limits vacationLimits
}

// vacationLimits are sieve_vacation_min_response and
// sieve_vacation_max_response, in seconds.
type vacationLimits struct{ min, max int64 }

// dump returns the dump of a compiled script's syntax.
func dump(cmds []*sieve.Syntax, limits vacationLimits) string {
	d := &dumper{vars: requires(cmds, "variables"), limits: limits}
	// Of the extensions, the header names only those the interpreter
	// must set up before running.
	req := ""
	if d.vars {
		req = " Variables"
	}
	fmt.Fprintf(&d.b, "\nBytecode version: %d\nRequire:%s\n\n", bytecodeVersion, req)
	end := headerWords
	if !slices.ContainsFunc(cmds, func(c *sieve.Syntax) bool { return c.Name != "require" }) {
		fmt.Fprintf(&d.b, "%04d: NULL\n", end)
		end++
	} else {
		end = d.block(cmds, end)
	}
	fmt.Fprintf(&d.b, "full len is: %d\n", end)
	return d.b.String()
}

// block writes cmds starting at pos and returns the offset after them.
func (d *dumper) block(cmds []*sieve.Syntax, pos int) int {
	for i := 0; i < len(cmds); i++ {
		if cmds[i].Name == "require" {
			// Cyrus keeps requirements in the header, not as commands.
			continue
		}
		if cmds[i].Name != "if" {
			pos = d.command(cmds[i], pos)
			continue
		}
		j := i + 1
		for j < len(cmds) && (cmds[j].Name == "elsif" || cmds[j].Name == "else") {
			j++
		}
		pos = d.chain(cmds[i:j], pos)
		i = j - 1
	}
	return pos
}

// chain writes an if with its elsif and else branches the way Cyrus
// compiles them: IF, a jump over the body taken when the test fails, the
// body, and, when another branch follows, a jump to the chain's end.
func (d *dumper) chain(branches []*sieve.Syntax, pos int) int {
	b := branches[0]
	if b.Name == "else" || len(b.Tests) == 0 {
		return d.block(b.Block, pos)
	}
	testText, testWords := test(b.Tests[0])
	afterTest := pos + 2 + testWords
	bodyPos := afterTest + 2
	// The body and the rest are written to a scratch dumper first: the
	// jumps before them need their ends.
	body := &dumper{vars: d.vars, limits: d.limits}
	bodyEnd := body.block(b.Block, bodyPos)
	rest, end, restPos := &dumper{vars: d.vars, limits: d.limits}, bodyEnd, bodyEnd
	if len(branches) > 1 {
		restPos = bodyEnd + 2
		end = rest.chain(branches[1:], restPos)
	}
	fmt.Fprintf(&d.b, "%04d: IF (ends at %d) %s\n", pos, afterTest, testText)
	fmt.Fprintf(&d.b, "%04d: JUMP %d\n", afterTest, restPos)
	d.b.WriteString(body.b.String())
	if len(branches) > 1 {
		fmt.Fprintf(&d.b, "%04d: JUMP %d\n", bodyEnd, end)
		d.b.WriteString(rest.b.String())
	}
	return end
}

// command writes one command other than if and returns the offset after it.
func (d *dumper) command(c *sieve.Syntax, pos int) int {
	text, words := d.commandText(c)
	fmt.Fprintf(&d.b, "%04d: %s", pos, text)
	return pos + words
}

// commandText is a command's dump (ending in a newline) and its size.
func (d *dumper) commandText(c *sieve.Syntax) (string, int) {
	a := args(c.Args)
	switch c.Name {
	case "keep":
		l, n := strList("FLAGS", d.flags(a.strings("flags")))
		return "KEEP " + l + "\n", 1 + n
	case "discard", "stop":
		return strings.ToUpper(c.Name) + "\n", 1
	case "fileinto":
		l, n := strList("FLAGS", d.flags(a.strings("flags")))
		su, sun := optStr(a.str("specialuse"))
		mb, mbn := optStr(a.str("mailboxid"))
		f, fn := str(a.positional(0))
		return fmt.Sprintf("FILEINTO COPY(%d) %s\n\tCREATE(%d) SPECIALUSE%s MAILBOXID%s FOLDER%s\n",
			a.flag("copy"), l, a.flag("create"), su, mb, f), 1 + 1 + n + 1 + sun + mbn + fn
	case "redirect":
		addr, n := str(a.positional(0))
		return fmt.Sprintf("REDIRECT COPY(%d)LIST(%d) BYTIME({-1}[nil]) BYMODE({-1}[nil]) BYTRACE(0)\n"+
			"\tDSN-NOTIFY({-1}[nil]) DSN-RET({-1}[nil]) ADDRESS%s\n", a.flag("copy"), a.flag("list"), addr), 8 + n
	case "reject", "ereject":
		s, n := str(a.positional(0))
		return strings.ToUpper(c.Name) + " " + s + "\n", 1 + n
	case "addflag", "setflag", "removeflag":
		// With a variable name first, the flags are the second string list.
		variable, fl := "", a.positionalList(0)
		if len(a.pos) > 1 {
			variable, fl = a.positional(0), a.positionalList(1)
		}
		v, vn := str(variable)
		l, ln := strList("FLAGS", d.flags(fl))
		return fmt.Sprintf("%s VARIABLE%s %s\n", strings.ToUpper(c.Name), v, l), 1 + vn + ln
	case "vacation":
		l, ln := strList("ADDR", a.strings("addresses"))
		subj, sn := optStr(a.str("subject"))
		mesg, mn := str(a.positional(0))
		from, fn := optStr(a.str("from"))
		handle, hn := optStr(a.str("handle"))
		fcc, cn := optStr(a.str("fcc"))
		seconds := int64(7 * 24 * 3600)
		if n, ok := a.num("days"); ok {
			seconds = n * 24 * 3600
		} else if n, ok := a.num("seconds"); ok {
			seconds = n
		}
		seconds = min(max(seconds, d.limits.min), d.limits.max)
		return fmt.Sprintf("VACATION %s\n\tSUBJ%s\n\tMESG%s\n\tSECONDS(%d) MIME(%d) FROM%s HANDLE%s\n\tFCC%s\n",
			l, subj, mesg, seconds, a.flag("mime"), from, handle, fcc), 1 + ln + sn + mn + 1 + 1 + fn + hn + cn
	case "return":
		return "RETURN\n", 1
	case "set":
		// The modifiers are one word of bits, printed as their values.
		v, vn := str(a.positional(0))
		val, valn := str(a.positional(1))
		return fmt.Sprintf("SET LOWER(%d) UPPER(%d) LOWERFIRST(%d) UPPERFIRST(%d)\n"+
			"\tQUOTEWILDCARD(%d) QUOTEREGEX(%d) ENCODEURL(%d) LENGTH(%d)\n\tVARIABLE%s VALUE%s\n",
			a.bit("lower", 1), a.bit("upper", 2), a.bit("lowerfirst", 4), a.bit("upperfirst", 8),
			a.bit("quotewildcard", 16), a.bit("quoteregex", 128), a.bit("encodeurl", 32), a.bit("length", 64), v, val), 2 + vn + valn
	case "include":
		// Location, :once and :optional are one word.
		loc := "Personal"
		if a.flag("global") == 1 {
			loc = "Global"
		}
		sc, n := str(a.positional(0))
		return fmt.Sprintf("INCLUDE LOCATION(%s) ONCE(%d) OPTIONAL(%d)\n\tSCRIPT%s\n", loc, a.flag("once"), a.flag("optional"), sc), 2 + n
	case "addheader":
		if a.flag("last") == 0 {
			name, nn := str(a.positional(0))
			val, vn := str(a.positional(1))
			return fmt.Sprintf("ADDHEADER INDEX(1) NAME%s VALUE%s\n", name, val), 2 + nn + vn
		}
	case "deleteheader":
		if _, ok := a.tags[":index"]; !ok {
			name, nn := str(a.positional(0))
			l, ln := strList("VALUES", a.positionalList(1))
			return fmt.Sprintf("DELETEHEADER INDEX(0) %s\n\tNAME%s %s\n", a.comparator(), name, l), 5 + nn + ln
		}
	}
	return generic(c.Name, c.Args), 1 + argWords(c.Args)
}

// test is a test's dump (ending in a newline) and its size.
func test(t *sieve.Syntax) (string, int) {
	a := args(t.Args)
	switch t.Name {
	case "true", "false":
		return strings.ToUpper(t.Name) + "\n", 1
	case "not":
		if len(t.Tests) == 1 {
			s, n := test(t.Tests[0])
			return "NOT " + s, 1 + n
		}
	case "allof", "anyof":
		var b strings.Builder
		fmt.Fprintf(&b, "%s({%d}\n", strings.ToUpper(t.Name), len(t.Tests))
		words := 3
		for _, sub := range t.Tests {
			s, n := test(sub)
			b.WriteString("\t" + s)
			words += n
		}
		b.WriteString("\t)\n")
		return b.String(), words
	case "exists":
		l, n := strList("EXISTS", a.positionalList(0))
		return l + "\n", 1 + n
	case "size":
		for _, rel := range []string{"over", "under"} {
			if n, ok := a.num(rel); ok {
				return fmt.Sprintf("SIZE %s %d\n", rel, n), 3
			}
		}
	case "header", "address", "envelope":
		h, hn := strList("HEADERS", a.positionalList(0))
		p, pn := strList("PATTERNS", a.positionalList(1))
		head, words := "HEADER", 5
		switch t.Name {
		case "address":
			head, words = "ADDRESS ADDRPART("+a.addrPart()+")", 6
		case "envelope":
			head = "ENVELOPE ADDRPART(" + a.addrPart() + ")"
		}
		return fmt.Sprintf("%s %s\n\t%s %s\n", head, a.comparator(), h, p), words + hn + pn
	case "body":
		// Transform and offset are a word each, then the content types.
		types := []string{"text"}
		if _, ok := a.tags[":raw"]; ok {
			break
		}
		if _, ok := a.tags[":content"]; ok {
			types = a.strings("content")
		}
		transform := "text"
		if a.tags[":content"] != nil {
			transform = "content"
		}
		ct, cn := strList("CONTENT-TYPES", types)
		p, pn := strList("PATTERNS", a.positionalList(0))
		return fmt.Sprintf("BODY %s\n\tTRANSFORM(%s) OFFSET(0) %s %s\n", a.comparator(), transform, ct, p), 6 + cn + pn
	case "duplicate":
		_, uid := a.tags[":uniqueid"]
		secs, ok := a.num("seconds")
		if uid || !ok {
			break
		}
		hdr, hn := str("Message-ID")
		if h, ok := a.str("header"); ok {
			hdr, hn = str(h)
		}
		handle, han := str("")
		if h, ok := a.str("handle"); ok {
			handle, han = str(h)
		}
		// An id kind word, the name, the handle, seconds and :last.
		return fmt.Sprintf("DUPLICATE HDRNAME%s HANDLE%s\n\tSECONDS(%d) LAST(%d)\n", hdr, handle, secs, a.flag("last")), 4 + hn + han
	}
	return generic(t.Name, t.Args), 1 + argWords(t.Args)
}

// generic writes a command or test this dump has no Cyrus layout for:
// its name and arguments as written.
func generic(name string, as []sieve.SyntaxArg) string {
	var b strings.Builder
	b.WriteString(strings.ToUpper(name))
	for _, a := range as {
		switch {
		case a.Tag != "":
			b.WriteString(" " + strings.ToUpper(a.Tag[1:]))
		case a.IsNum:
			fmt.Fprintf(&b, " %d", a.Number)
		default:
			l, _ := strList("", a.Strings)
			b.WriteString(" " + l)
		}
	}
	return b.String() + "\n"
}

// argWords is the size of arguments in the generic layout.
func argWords(as []sieve.SyntaxArg) int {
	n := 0
	for _, a := range as {
		if a.Tag != "" || a.IsNum {
			n++
			continue
		}
		_, w := strList("", a.Strings)
		n += w
	}
	return n
}

// strWords is the size of a string of n bytes: its length word and its
// bytes with a NUL, in 4-byte words.
func strWords(n int) int { return 1 + (n+1+3)/4 }

// str is a string as Cyrus prints it, and its size.
func str(s string) (string, int) {
	return fmt.Sprintf("({%d}%s)", len(s), s), strWords(len(s))
}

// optStr is an optional string: nil when absent.
func optStr(s string, ok bool) (string, int) {
	if !ok {
		return "({-1}[nil])", 1
	}
	return str(s)
}

// strList is a named string list as Cyrus prints it, and its size.
func strList(name string, items []string) (string, int) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s{%d} [\n", name, len(items))
	words := 2
	if len(items) > 0 {
		b.WriteString("\t\t")
		for _, s := range items {
			t, n := str(s)
			b.WriteString(" " + t)
			words += n
		}
		b.WriteString("\n")
	}
	b.WriteString("\t]")
	return b.String(), words
}

// flags is a flag list as Cyrus compiles it: as written when variables
// may be in it, else split into flags, system flags in lower case.
func (d *dumper) flags(list []string) []string {
	if d.vars {
		return list
	}
	var out []string
	for _, s := range list {
		for _, f := range strings.Fields(s) {
			if strings.HasPrefix(f, `\`) {
				f = strings.ToLower(f)
			}
			out = append(out, f)
		}
	}
	return out
}

// argSet is a command's arguments sorted out: tags with the argument
// that follows them, and the positional ones.
type argSet struct {
	tags map[string]*sieve.SyntaxArg // tag -> its value (nil when none)
	pos  []sieve.SyntaxArg
}

// taggedValue lists the tags that take a value.
var taggedValue = map[string]bool{
	":comparator": true, ":days": true, ":seconds": true, ":subject": true, ":from": true,
	":addresses": true, ":handle": true, ":flags": true, ":specialuse": true, ":mailboxid": true,
	":fcc": true, ":content": true, ":header": true, ":uniqueid": true, ":over": true, ":under": true, ":count": true, ":value": true, ":index": true,
}

func args(as []sieve.SyntaxArg) argSet {
	s := argSet{tags: map[string]*sieve.SyntaxArg{}}
	for i := 0; i < len(as); i++ {
		a := as[i]
		if a.Tag == "" {
			s.pos = append(s.pos, a)
			continue
		}
		if taggedValue[a.Tag] && i+1 < len(as) && as[i+1].Tag == "" {
			s.tags[a.Tag] = &as[i+1]
			i++
			continue
		}
		s.tags[a.Tag] = nil
	}
	return s
}

func (s argSet) flag(name string) int {
	if _, ok := s.tags[":"+name]; ok {
		return 1
	}
	return 0
}

// bit is value when the tag is given, else 0.
func (s argSet) bit(name string, value int) int { return s.flag(name) * value }

func (s argSet) num(name string) (int64, bool) {
	if v := s.tags[":"+name]; v != nil && v.IsNum {
		return v.Number, true
	}
	return 0, false
}

func (s argSet) str(name string) (string, bool) {
	if v := s.tags[":"+name]; v != nil && len(v.Strings) > 0 {
		return v.Strings[0], true
	}
	return "", false
}

func (s argSet) strings(name string) []string {
	if v := s.tags[":"+name]; v != nil {
		return v.Strings
	}
	return nil
}

func (s argSet) positional(i int) string {
	if l := s.positionalList(i); len(l) > 0 {
		return l[0]
	}
	return ""
}

func (s argSet) positionalList(i int) []string {
	if i < len(s.pos) {
		return s.pos[i].Strings
	}
	return nil
}

// addrPart is the address part a test compares (:all by default).
func (s argSet) addrPart() string {
	for _, p := range []string{"localpart", "domain", "user", "detail"} {
		if _, ok := s.tags[":"+p]; ok {
			return p
		}
	}
	return "all"
}

// comparator is the match type and comparator as Cyrus prints them.
func (s argSet) comparator() string {
	match := "Is"
	for _, m := range []string{"contains", "matches", "regex", "count", "value"} {
		if _, ok := s.tags[":"+m]; ok {
			match = strings.ToUpper(m[:1]) + m[1:]
			if m == "count" || m == "value" {
				rel, _ := s.str(m)
				match += " " + relations[rel]
			}
		}
	}
	cmp := "ascii-casemap"
	if c, ok := s.str("comparator"); ok {
		cmp = strings.TrimPrefix(c, "i;")
	}
	return fmt.Sprintf("COMPARATOR [ %s (%s) ]", match, cmp)
}

// relations are the relational match operators as Cyrus prints them.
var relations = map[string]string{"gt": ">", "ge": ">=", "lt": "<", "le": "<=", "eq": "==", "ne": "!="}

// requires reports whether the script's require commands name ext.
func requires(cmds []*sieve.Syntax, ext string) bool {
	for _, c := range cmds {
		if c.Name != "require" {
			continue
		}
		for _, a := range c.Args {
			if slices.Contains(a.Strings, ext) {
				return true
			}
		}
	}
	return false
}
