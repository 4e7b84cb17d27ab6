package lmtp

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	"gocyrus/pkg/sieve"
)

// redirectMarker is the header lmtpd adds to every message a script
// redirects, naming the user whose script did it. A message arriving for
// that user with the marker already present is kept rather than
// redirected again: the redirect has looped back.
const redirectMarker = "X-Sieve-Redirected-From"

// redirectedBy reports whether msg carries the loop marker for user.
func redirectedBy(msg *sieveMessage, user string) bool {
	for _, v := range msg.Header(redirectMarker) {
		if strings.EqualFold(strings.Trim(strings.TrimSpace(v), "<>"), user) {
			return true
		}
	}
	return false
}

// redirect forwards c to addr with the loop marker, keeping the
// original envelope sender (so bounces go to the author).
func (s *Server) redirect(ctx context.Context, d *delivery, c *content, user, addr string) error {
	marker := fmt.Sprintf("%s: %s\r\n", redirectMarker, user)
	if err := s.sendmail(ctx, d.from, addr, io.MultiReader(strings.NewReader(marker), withoutReturnPath(c))); err != nil {
		return err
	}
	s.log.Info("sieve: redirected", "user", user, "to", addr, "id", d.msgID)
	return nil
}

// withoutReturnPath is c without the Return-Path lmtpd put first: the
// MTA that takes the message on writes its own.
func withoutReturnPath(c *content) io.Reader {
	head := c.head
	if bytes.HasPrefix(bytes.ToLower(head[:min(len(head), 12)]), []byte("return-path:")) {
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			head = head[i+1:]
		}
	}
	return io.MultiReader(bytes.NewReader(head), io.NewSectionReader(c.body, 0, c.body.Size()))
}

// reject refuses the message for rc: an LMTP 550 5.7.1 with the script's
// reason for ereject, and for reject when sieve_use_lmtp_reject is on;
// otherwise a bounce to the sender through sendmail, and the recipient is
// done (250).
func (s *Server) reject(ctx context.Context, d *delivery, rc *rcpt, a sieve.Action) error {
	reason := cleanReason(a.Reason)
	s.log.Info("sieve: rejected", "user", rc.user, "id", d.msgID, "reason", reason)
	if a.Kind == sieve.EReject || s.sieve.lmtpReject {
		return &reply{code: 550, enh: "5.7.1", text: reason}
	}
	if d.from == "" {
		s.log.Info("sieve: no bounce for a rejected message from the null sender", "user", rc.user)
		return nil
	}
	if err := s.sendmail(ctx, "", d.from, s.rejectBounce(d, rc, reason)); err != nil {
		// The bounce could not be sent: refuse at protocol level after all,
		// so the MTA tells the sender.
		s.log.Error("sieve: sending a reject bounce", "user", rc.user, "err", err)
		return &reply{code: 550, enh: "5.7.1", text: reason}
	}
	return nil
}

// cleanReason makes a reject reason fit an LMTP reply: no CRs, no empty
// lines, something to say.
func cleanReason(r string) string {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(r, "\r", ""), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return "Message rejected"
	}
	return strings.Join(lines, "\n")
}

// rejectBounce composes the RFC 5429 rejection: an MDN (RFC 8098) with
// the reason, the disposition and the original message (read from the
// stage file as it is sent).
func (s *Server) rejectBounce(d *delivery, rc *rcpt, reason string) io.Reader {
	boundary := randomToken()
	var b bytes.Buffer
	s.writeGeneratedHeader(&b, "<"+s.postmasterAddr()+">", d.from, "Automatically rejected mail", "auto-replied (rejected)")
	if d.msgID != "" {
		fmt.Fprintf(&b, "In-Reply-To: %s\r\n", d.msgID)
	}
	fmt.Fprintf(&b, "Content-Type: multipart/report; report-type=disposition-notification;\r\n\tboundary=\"%s\"\r\n\r\n", boundary)
	fmt.Fprintf(&b, "This is a MIME-encapsulated message\r\n\r\n--%s\r\n", boundary)
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	fmt.Fprintf(&b, "Your message was automatically rejected by Sieve, a mail\r\nfiltering language.\r\n\r\nThe following reason was given:\r\n%s\r\n\r\n",
		strings.ReplaceAll(reason, "\n", "\r\n"))
	fmt.Fprintf(&b, "--%s\r\nContent-Type: message/disposition-notification\r\n\r\n", boundary)
	fmt.Fprintf(&b, "Reporting-UA: %s; gocyrus lmtpd\r\nFinal-Recipient: rfc822; %s\r\n", s.servername, s.qualify(rc.addr))
	if d.msgID != "" {
		fmt.Fprintf(&b, "Original-Message-ID: %s\r\n", d.msgID)
	}
	b.WriteString("Disposition: automatic-action/MDN-sent-automatically; deleted\r\n\r\n")
	fmt.Fprintf(&b, "--%s\r\nContent-Type: message/rfc822\r\n\r\n", boundary)
	end := fmt.Sprintf("\r\n--%s--\r\n", boundary)
	return io.MultiReader(&b, withoutReturnPath(d.orig), strings.NewReader(end))
}

// sendVacation composes the RFC 5230 / RFC 3834 reply and sends it from
// the null sender, so it can never cause another auto-reply loop.
func (s *Server) sendVacation(ctx context.Context, d *delivery, rc *rcpt, v *sieve.VacationAction) error {
	from := v.From
	if from == "" {
		from = "<" + s.qualify(rc.addr) + ">"
	}
	var b bytes.Buffer
	s.writeGeneratedHeader(&b, from, v.To, v.Subject, "auto-replied (vacation)")
	if v.InReplyTo != "" {
		refs := strings.Join(d.sieveMsg.Header("References"), " ")
		fmt.Fprintf(&b, "In-Reply-To: %s\r\nReferences: %s\r\n", v.InReplyTo, strings.TrimSpace(refs+" "+v.InReplyTo))
	}
	reason := strings.ReplaceAll(strings.ReplaceAll(v.Reason, "\r\n", "\n"), "\n", "\r\n")
	if v.MIME {
		// :mime: the reason is a MIME entity, its own header first.
		b.WriteString(reason)
	} else {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		b.WriteString(reason)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	if err := s.sendmail(ctx, "", v.To, &b); err != nil {
		return err
	}
	s.log.Info("sieve: vacation reply sent", "user", rc.user, "to", v.To)
	return nil
}

// writeGeneratedHeader writes the header fields every message lmtpd
// generates carries.
func (s *Server) writeGeneratedHeader(b *bytes.Buffer, from, to, subject, autoSubmitted string) {
	fmt.Fprintf(b, "From: %s\r\nTo: <%s>\r\nSubject: %s\r\n", oneLine(from), oneLine(to), mime.QEncoding.Encode("utf-8", oneLine(subject)))
	s.writeDateAndID(b)
	fmt.Fprintf(b, "Auto-Submitted: %s\r\nMIME-Version: 1.0\r\n", autoSubmitted)
}

// writeDateAndID writes the Date and a fresh Message-ID of a generated message.
func (s *Server) writeDateAndID(b *bytes.Buffer) {
	now := time.Now()
	fmt.Fprintf(b, "Date: %s\r\nMessage-ID: <cmu-sieve-%d-%d-%d@%s>\r\n", now.Format("Mon, 02 Jan 2006 15:04:05 -0700"),
		s.pid, now.Unix(), s.seq.Add(1), s.servername)
}

// qualify adds the server's name to an address without a domain.
func (s *Server) qualify(addr string) string {
	if addr == "" || strings.Contains(addr, "@") {
		return addr
	}
	return addr + "@" + s.servername
}

func (s *Server) postmasterAddr() string { return s.qualify(s.sieve.postmaster) }

// oneLine keeps a header value on one line.
func oneLine(v string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ").Replace(v)), " ")
}

func randomToken() string {
	var r [12]byte
	rand.Read(r[:])
	return hex.EncodeToString(r[:])
}
