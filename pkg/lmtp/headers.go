package lmtp

import (
	"bytes"
	"fmt"
	"time"

	"gocyrus/pkg/msgheader"
)

// maxHeaderScan bounds how far the header block is searched.
const maxHeaderScan = 1 << 20

// headerBlock returns the header section of a message (up to and
// excluding the empty line), bounded by maxHeaderScan.
func headerBlock(msg []byte) []byte {
	h := msg
	if len(h) > maxHeaderScan {
		h = h[:maxHeaderScan]
	}
	if bytes.HasPrefix(h, []byte("\r\n")) || bytes.HasPrefix(h, []byte("\n")) {
		return nil
	}
	if i := bytes.Index(h, []byte("\n\r\n")); i >= 0 {
		return h[:i+1]
	}
	if i := bytes.Index(h, []byte("\n\n")); i >= 0 {
		return h[:i+1]
	}
	return h
}

// headerValue returns the unfolded, trimmed value of the first header
// field called name (case-insensitive) and whether it is present.
func headerValue(block []byte, name string) (string, bool) { return msgheader.Get(block, name) }

// envelope is what the session knows about a message it received.
type envelope struct {
	from       string // MAIL FROM address ("" = null sender)
	sessionID  string
	servername string
	viaUnix    bool
	auth       bool
	now        time.Time
	seq        uint64 // per-process counter for generated Message-IDs
	pid        int
}

// stamp returns the trace headers lmtpd prepends to msg (Return-Path,
// Received, and Message-ID / Date when the message lacks them), plus the
// Message-ID and Date used for duplicate suppression. A present but empty
// Message-ID is refused, as Cyrus does.
func stamp(msg []byte, env envelope) (prefix []byte, msgID, date string, err error) {
	block := headerBlock(msg)
	msgID, hasID := headerValue(block, "Message-ID")
	if hasID && msgID == "" {
		return nil, "", "", errEmptyMessageID
	}
	if rid, ok := headerValue(block, "Resent-Message-ID"); ok && rid != "" {
		msgID = rid
	}
	date, hasDate := headerValue(block, "Date")
	var b bytes.Buffer
	fmt.Fprintf(&b, "Return-Path: <%s>\r\n", env.from)
	from, with := "[127.0.0.1]", "LMTP"
	if env.viaUnix {
		from = "[127.0.0.1] ([unix socket])"
	}
	if env.auth {
		with = "LMTPA"
	}
	fmt.Fprintf(&b, "Received: from %s\r\n\t by %s (gocyrus) with %s;\r\n\t %s\r\n",
		from, env.servername, with, env.now.Format(time.RFC1123Z))
	if env.sessionID != "" {
		fmt.Fprintf(&b, "X-Cyrus-Session-Id: %s\r\n", env.sessionID)
	}
	if !hasID {
		msgID = fmt.Sprintf("<cmu-lmtpd-%d-%d-%d@%s>", env.pid, env.now.Unix(), env.seq, env.servername)
		fmt.Fprintf(&b, "Message-ID: %s\r\n", msgID)
	}
	if !hasDate {
		fmt.Fprintf(&b, "Date: %s\r\n", env.now.Format(time.RFC1123Z))
	}
	return b.Bytes(), msgID, date, nil
}
