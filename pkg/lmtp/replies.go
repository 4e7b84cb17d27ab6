package lmtp

import (
	"errors"

	"github.com/emersion/go-smtp"
)

// errEmptyMessageID: a Message-ID header with no value (Cyrus: 554 5.6.0).
var errEmptyMessageID = errors.New("empty Message-ID header")

// Cyrus's replies (reference §5.1), multi-line texts included: MTAs log
// them and users read them in bounces.
var (
	replyUnknownUser = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: "Mailbox unknown.  Either there is no mailbox associated with this\n" +
			"name or you do not have authorization to see it.\nUser unknown"}
	replyPermission = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1},
		Message: "You do not have permission to post a message to this mailbox.\n" +
			"Please contact the owner of this mailbox in order to submit\n" +
			"your message, or postmaster if you believe you\n" +
			"received this message in error.\nPermission denied"}
	replyOverQuotaTemp = &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "Over quota"}
	replyOverQuotaPerm = &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 2, 2}, Message: "Over quota"}
	replyTempFail      = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "System I/O error"}
	replyBadMessage    = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message contains invalid header"}
	replyBadAddress    = &smtp.SMTPError{Code: 501, EnhancedCode: smtp.EnhancedCode{5, 5, 4}, Message: "Syntax error in parameters"}
)

func (s *Server) overQuotaReply() *smtp.SMTPError {
	if s.overQuotaPerm {
		return replyOverQuotaPerm
	}
	return replyOverQuotaTemp
}
