package lmtp

import (
	"errors"
	"fmt"
	"strings"

	"gocyrus/pkg/mailbox"
)

// errEmptyMessageID: a Message-ID header with no value (Cyrus: 554 5.6.0).
var errEmptyMessageID = errors.New("empty Message-ID header")

// reply is an LMTP reply. Text may hold several lines; the enhanced code
// goes on the last one only, as Cyrus writes it.
type reply struct {
	code int
	enh  string // "" = none
	text string
}

func (r *reply) Error() string { return fmt.Sprintf("%d %s %s", r.code, r.enh, r.text) }

// lines renders the reply for the wire, without the final CRLF.
func (r *reply) lines() []string {
	parts := strings.Split(r.text, "\n")
	out := make([]string, len(parts))
	for i, p := range parts {
		switch {
		case i < len(parts)-1:
			out[i] = fmt.Sprintf("%d-%s", r.code, p)
		case r.enh != "":
			out[i] = fmt.Sprintf("%d %s %s", r.code, r.enh, p)
		default:
			out[i] = fmt.Sprintf("%d %s", r.code, p)
		}
	}
	return out
}

// Cyrus's replies (docs/CYRUS-BEHAVIOUR.md §5.1 and the 3.6.1 transcript), multi-line
// texts included: MTAs log them and users read them in bounces.
var (
	replyUnknownUser = &reply{550, "5.1.1", "Mailbox unknown.  Either there is no mailbox associated with this\n" +
		"name or you do not have authorization to see it.\nUser unknown"}
	replyPermission = &reply{550, "5.7.1", "You do not have permission to post a message to this mailbox.\n" +
		"Please contact the owner of this mailbox in order to submit\n" +
		"your message, or postmaster if you believe you\n" +
		"received this message in error.\nPermission denied"}
	replyOverQuotaTemp = &reply{452, "4.2.2", "Over quota"}
	replyOverQuotaPerm = &reply{552, "5.2.2", "Over quota"}
	replyTempFail      = &reply{451, "4.3.0", "System I/O error"}
	replyDisabled      = &reply{451, "4.2.1", "Delivery to mailbox is disabled"} // a user denied lmtp (cyr_deny)
	replyBadMessage    = &reply{554, "5.6.0", "Message contains invalid header"}
	replyNUL           = &reply{554, "5.6.0", "Message contains NUL characters"}
	replyBadAddress    = &reply{501, "5.5.4", "Syntax error in parameters"}
	replySyntax        = &reply{500, "5.5.2", "Syntax error"}
	replyNested        = &reply{503, "5.5.1", "Nested MAIL command"}
	replyNeedMail      = &reply{503, "5.5.1", "Need MAIL command"}
	replyNoRcpts       = &reply{503, "5.5.1", "No recipients"}
	replyMailOK        = &reply{250, "2.1.0", "ok"}
	replyRcptOK        = &reply{250, "2.1.5", "ok"}
	replyNoop          = &reply{250, "2.0.0", "ok"}
	replyVrfy          = &reply{252, "2.3.3", "try RCPT to attempt delivery"}
	replyBye           = &reply{221, "2.0.0", "bye"}
	replyGoAhead       = &reply{354, "", "go ahead"}
	replyAuthOK        = &reply{235, "", "Authenticated!"}
	replyAuthFailed    = &reply{535, "5.7.8", "Authentication failed"}
	replyAuthCanceled  = &reply{501, "5.5.4", "client canceled authentication"}
	replyAlreadyAuthed = &reply{503, "5.5.0", "already authenticated"}
	replyNoMechanism   = &reply{504, "5.5.4", "Unrecognized authentication type"}
	replyLineTooLong   = &reply{500, "5.5.2", "Line too long"}
)

// tooBigReply is Cyrus's refusal of a DATA of size bytes over max.
func tooBigReply(size, max int64) *reply {
	return &reply{552, "5.2.3", fmt.Sprintf("Message size (%d) exceeds fixed maximum message size (%d)", size, max)}
}

// authRequiredReply is Cyrus's answer to MAIL from a client that is
// neither trusted nor authenticated: 430 (try again later) with
// soft_noauth, 530 without; no enhanced code, as Cyrus writes it.
func authRequiredReply(soft bool) *reply {
	if soft {
		return &reply{430, "", "Authentication required"}
	}
	return &reply{530, "", "Authentication required"}
}

// sizeParamTooBig is Cyrus's refusal of MAIL FROM's SIZE= over max.
func sizeParamTooBig(max int64) *reply {
	return &reply{552, "5.2.3", fmt.Sprintf("Message SIZE exceeds fixed maximum message size (%d)", max)}
}

// spoolReply maps a refusal by the mailbox package's spool to Cyrus's
// reply, and anything else to a temporary failure. (mailbox.ErrEmpty
// cannot happen: the trace headers precede every message delivered, so
// an empty DATA is delivered as them alone, as Cyrus does.)
func spoolReply(err error) *reply {
	switch {
	case errors.Is(err, mailbox.ErrNUL):
		return replyNUL
	case errors.Is(err, mailbox.ErrTooLarge):
		return &reply{552, "5.2.3", "Message size exceeds fixed maximum message size"}
	}
	return diskReply(err)
}

func (s *Server) overQuotaReply() *reply {
	if s.overQuotaPerm {
		return replyOverQuotaPerm
	}
	return replyOverQuotaTemp
}
