package sieve

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"gocyrus/pkg/msgheader"
)

// vacationCmd is RFC 5230 vacation with RFC 6131 :seconds.
type vacationCmd struct {
	at
	days, seconds       int64
	hasDays, hasSeconds bool
	subject, from       str
	hasSubject          bool
	addresses           []str
	mime                bool
	handle              str
	hasHandle           bool
	reason              str
}

const defaultVacationDays = 7

var vacationTags = map[string]tagSpec{
	":days":      {group: "period", param: numParam},
	":seconds":   {group: "period", param: numParam, ext: "vacation-seconds"},
	":subject":   {param: strParam},
	":from":      {param: strParam},
	":addresses": {param: listParam},
	":mime":      {},
	":handle":    {param: strParam},
}

func compileVacation(c *compiler, n *commandNode) (cmd, *Error) {
	a, err := c.readArgs("vacation", n.args, vacationTags)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("vacation", n.pos, a, argString); err != nil {
		return nil, err
	}
	v := &vacationCmd{at: at{n.pos}, mime: a.has(":mime")}
	if t, ok := a.tags[":days"]; ok {
		v.days, v.hasDays = t.num, true
	}
	if t, ok := a.tags[":seconds"]; ok {
		v.seconds, v.hasSeconds = t.num, true
	}
	one := func(tag string, dst *str) (bool, *Error) {
		t, ok := a.tags[tag]
		if !ok {
			return false, nil
		}
		s, err := c.str(t.strs[0])
		*dst = s
		return true, err
	}
	if v.hasSubject, err = one(":subject", &v.subject); err != nil {
		return nil, err
	}
	if _, err = one(":from", &v.from); err != nil {
		return nil, err
	}
	if v.hasHandle, err = one(":handle", &v.handle); err != nil {
		return nil, err
	}
	if t, ok := a.tags[":addresses"]; ok {
		if v.addresses, err = c.strList(t.strs); err != nil {
			return nil, err
		}
	}
	if v.reason, err = c.str(a.pos[0].strs[0]); err != nil {
		return nil, err
	}
	return v, nil
}

// vacationHandle derives the handle RFC 5230 §4.2 asks for when :handle
// is absent: equal for equal :subject, :from, :mime and reason.
func vacationHandle(subject, from string, mime bool, reason string) string {
	h := sha256.New()
	for _, s := range []string{subject, from, reason} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	if mime {
		h.Write([]byte{1})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// VacationID is the key Run passes to Env.Duplicate for a vacation
// response: one per (handle, sender) pair, as RFC 5230 §4.2 requires.
func VacationID(handle, sender string) string {
	return "vacation:" + handle + ":" + strings.ToLower(sender)
}

func (c *vacationCmd) exec(st *state) error {
	subject := st.expand(c.subject)
	from := st.expand(c.from)
	reason := st.expand(c.reason)
	handle := st.expand(c.handle)
	if !c.hasHandle {
		handle = vacationHandle(subject, from, c.mime, reason)
	}
	va := &VacationAction{
		To:        strings.Trim(st.env.Envelope.From, "<>"),
		Addresses: st.expandList(c.addresses),
		Subject:   subject,
		From:      from,
		Handle:    handle,
		MIME:      c.mime,
		Reason:    reason,
	}
	switch {
	case c.hasSeconds:
		va.Seconds = c.seconds
	case c.hasDays:
		va.Days = int(max(c.days, 1))
		va.Seconds = int64(va.Days) * 86400
	default:
		va.Days = defaultVacationDays
		va.Seconds = defaultVacationDays * 86400
	}
	if ids := st.hdr.values("Message-ID"); len(ids) > 0 {
		va.InReplyTo = msgheader.Unfold(ids[0])
	}
	if !c.hasSubject {
		va.Subject = "Auto: " + firstDecoded(st.hdr.values("Subject"))
	}
	if why := CanAutoReply(st.hdr.values, st.env.Envelope, va.Addresses); why != "" {
		st.note("vacation not sent: %s", why)
		return nil
	}
	if st.env.Duplicate != nil && st.env.Duplicate(VacationID(handle, va.To), va.Seconds) {
		st.note("vacation not sent: %s already answered within %ds", va.To, va.Seconds)
		return nil
	}
	return st.addAction(c.pos, Action{Kind: Vacation, Vacation: va})
}

func firstDecoded(vals []string) string {
	if len(vals) == 0 {
		return ""
	}
	return decodeHeader(vals[0])
}

// AutoSubmitted returns the Auto-Submitted keyword of a message that was
// submitted automatically (any value but "no", parameters aside: RFC 3834
// §5), or "" for one that was not. Neither vacation replies nor enotify
// notifications answer such messages.
func AutoSubmitted(header func(string) []string) string {
	for _, v := range header("Auto-Submitted") {
		keyword, _, _ := strings.Cut(msgheader.Unfold(v), ";")
		if keyword = strings.TrimSpace(keyword); !strings.EqualFold(keyword, "no") {
			return keyword
		}
	}
	return ""
}

// CanAutoReply applies RFC 5230 §4.5–4.6 (and RFC 3834) to decide whether
// an automatic reply may be sent; it returns "" when it may, else why
// not. header returns raw field values; addresses are the user's
// addresses besides env.To.
func CanAutoReply(header func(string) []string, env Envelope, addresses []string) string {
	sender := strings.ToLower(strings.Trim(env.From, "<>"))
	if sender == "" {
		return "null envelope sender"
	}
	local, _, _ := strings.Cut(sender, "@")
	switch {
	case local == "mailer-daemon" || local == "postmaster" || local == "listserv" || local == "majordomo",
		strings.HasPrefix(local, "owner-"), strings.HasSuffix(local, "-request"):
		return "sender " + sender + " is an automated address"
	}
	if AutoSubmitted(header) != "" {
		return "message is Auto-Submitted"
	}
	for _, v := range header("Precedence") {
		switch strings.ToLower(msgheader.Unfold(v)) {
		case "bulk", "list", "junk":
			return "message has Precedence: " + strings.TrimSpace(v)
		}
	}
	for _, h := range []string{"List-Id", "List-Post", "List-Unsubscribe", "List-Help", "List-Subscribe", "List-Owner", "List-Archive"} {
		if len(header(h)) > 0 {
			return "message is from a mailing list (" + h + ")"
		}
	}
	mine := map[string]bool{}
	for _, a := range append([]string{env.To}, addresses...) {
		if a = strings.ToLower(strings.Trim(strings.TrimSpace(a), "<>")); a != "" {
			mine[a] = true
		}
	}
	if mine[sender] {
		return "message is from the user"
	}
	for _, h := range []string{"To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc"} {
		for _, v := range header(h) {
			for _, a := range parseAddresses(v) {
				if mine[strings.ToLower(a)] {
					return ""
				}
			}
		}
	}
	return "user's address not in To, Cc or Bcc"
}
