package sieve

import (
	"errors"
	"strings"

	"gocyrus/pkg/msgheader"
)

// notifyCmd is RFC 5435 "notify" with the mailto method of RFC 5436.
type notifyCmd struct {
	at
	method     str
	from       str
	hasFrom    bool
	importance str
	hasImp     bool
	options    []str
	message    str
	hasMessage bool
}

var notifyTags = map[string]tagSpec{
	":from":       {param: strParam},
	":importance": {param: strParam},
	":options":    {param: listParam},
	":message":    {param: strParam},
}

func compileNotify(c *compiler, n *commandNode) (cmd, *Error) {
	a, err := c.readArgs("notify", n.args, notifyTags)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("notify", n.pos, a, argString); err != nil {
		return nil, err
	}
	nc := &notifyCmd{at: at{n.pos}}
	lit := a.pos[0].strs[0]
	if nc.method, err = c.str(lit); err != nil {
		return nil, err
	}
	if !nc.method.vars {
		if _, perr := ParseMailto(nc.method.s); perr != nil {
			return nil, errAt(lit.pos, "%s", methodError(nc.method.s, perr))
		}
	}
	if t, ok := a.tags[":from"]; ok {
		if nc.from, err = c.str(t.strs[0]); err != nil {
			return nil, err
		}
		if !nc.from.vars && !validNotifyFrom(nc.from.s) {
			return nil, errAt(t.strs[0].pos, "invalid :from address %q", nc.from.s)
		}
		nc.hasFrom = true
	}
	if t, ok := a.tags[":importance"]; ok {
		if nc.importance, err = c.str(t.strs[0]); err != nil {
			return nil, err
		}
		if !nc.importance.vars && importanceLevel(nc.importance.s) == 0 {
			return nil, errAt(t.strs[0].pos, ":importance must be \"1\", \"2\" or \"3\", not %q", nc.importance.s)
		}
		nc.hasImp = true
	}
	if t, ok := a.tags[":options"]; ok {
		if nc.options, err = c.strList(t.strs); err != nil {
			return nil, err
		}
	}
	if t, ok := a.tags[":message"]; ok {
		if nc.message, err = c.str(t.strs[0]); err != nil {
			return nil, err
		}
		nc.hasMessage = true
	}
	return nc, nil
}

// methodError words a method URI problem: unsupported scheme or invalid URI.
func methodError(uri string, err error) string {
	if errors.Is(err, errUnsupportedMethod) {
		return err.Error()
	}
	return "invalid notification method \"" + uri + "\": " + err.Error()
}

// importanceLevel maps :importance to 1 (high), 2 (normal), 3 (low); 0
// when the value is not one of those.
func importanceLevel(s string) int {
	switch s {
	case "1":
		return 1
	case "2":
		return 2
	case "3":
		return 3
	}
	return 0
}

// validNotifyFrom accepts a single mailbox, possibly with a display name.
func validNotifyFrom(s string) bool {
	_, err := msgheader.ParseMailbox(s)
	return err == nil && !strings.ContainsAny(s, "\r\n")
}

// NotifyAction is a notification the delivery agent should send by mail
// (RFC 5436). The agent applies the mailto method's own rules: no
// notification about an Auto-Submitted message, none to the recipient's
// own address.
type NotifyAction struct {
	Method     string  // the method URI, variables expanded
	Mailto     *Mailto // Method parsed
	From       string  // :from when given and valid; "" = the recipient
	Importance int     // 1 high, 2 normal (default), 3 low
	Options    []string
	// Message is :message, or when absent Cyrus's default
	// "$from$: $subject$" filled in from the triggering message.
	Message    string
	HasMessage bool
	// MessageFrom and MessageSubject are the triggering message's From
	// and Subject, decoded, for the notification's body.
	MessageFrom, MessageSubject string
}

func (c *notifyCmd) exec(st *state) error {
	method := st.expand(c.method)
	m, err := ParseMailto(method)
	if err != nil {
		// RFC 5435: an invalid or unsupported method found at run time
		// is a run-time error, so the implicit keep is done.
		return st.fail(c.pos, "notify: %s", methodError(method, err))
	}
	na := &NotifyAction{
		Method:         method,
		Mailto:         m,
		Importance:     2,
		Options:        st.expandList(c.options),
		HasMessage:     c.hasMessage,
		MessageFrom:    firstDecoded(st.hdr.values("From")),
		MessageSubject: firstDecoded(st.hdr.values("Subject")),
	}
	if c.hasFrom {
		if from := st.expand(c.from); validNotifyFrom(from) {
			na.From = from
		} else {
			st.note("notify: ignoring invalid :from %q", from)
		}
	}
	if c.hasImp {
		if lvl := importanceLevel(st.expand(c.importance)); lvl != 0 {
			na.Importance = lvl
		} else {
			st.note("notify: ignoring invalid :importance")
		}
	}
	if c.hasMessage {
		na.Message = st.expand(c.message)
	} else {
		na.Message = na.MessageFrom + ": " + na.MessageSubject
	}
	return st.addAction(c.pos, Action{Kind: Notify, Notify: na})
}

// validNotifyMethodTest is RFC 5435 valid_notify_method: true when every
// URI is a valid method this implementation supports.
type validNotifyMethodTest struct {
	at
	uris []str
}

func compileValidNotifyMethod(c *compiler, n *testNode) (test, *Error) {
	a, err := c.readArgs("valid_notify_method", n.args)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("valid_notify_method", n.pos, a, argStrings); err != nil {
		return nil, err
	}
	t := &validNotifyMethodTest{at: at{n.pos}}
	if t.uris, err = c.strList(a.pos[0].strs); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *validNotifyMethodTest) eval(st *state) (bool, error) {
	for _, u := range st.expandList(t.uris) {
		if _, err := ParseMailto(u); err != nil {
			return false, nil
		}
	}
	return true, nil
}

// notifyCapabilityTest is RFC 5435 notify_method_capability. For mailto
// the only capability is "online", whose answer is "maybe" (RFC 5436
// §2.2: whether the recipient is online cannot be known).
type notifyCapabilityTest struct {
	at
	uri, capability str
	m               *matcher
}

func compileNotifyCapability(c *compiler, n *testNode) (test, *Error) {
	const name = "notify_method_capability"
	a, err := c.readArgs(name, n.args, comparatorTags, matchTypeTags)
	if err != nil {
		return nil, err
	}
	if err := wantPositional(name, n.pos, a, argString, argString, argStrings); err != nil {
		return nil, err
	}
	t := &notifyCapabilityTest{at: at{n.pos}}
	if t.uri, err = c.str(a.pos[0].strs[0]); err != nil {
		return nil, err
	}
	if t.capability, err = c.str(a.pos[1].strs[0]); err != nil {
		return nil, err
	}
	if t.m, err = c.compileMatcher(a, a.pos[2].strs); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *notifyCapabilityTest) eval(st *state) (bool, error) {
	if _, err := ParseMailto(st.expand(t.uri)); err != nil {
		return false, nil
	}
	if !strings.EqualFold(st.expand(t.capability), "online") {
		return false, nil
	}
	return st.match(t.m, []string{"maybe"})
}

// encodeURL is the :encodeurl modifier (RFC 5435 §6): percent-encode
// every octet that is not an RFC 3986 unreserved character.
func encodeURL(v string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if isAlpha(c) || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
