package lmtp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"strings"

	"gocyrus/pkg/sieve"
)

// notifyImportance renders :importance as the X-Priority and Importance
// fields mail clients show.
var notifyImportance = map[int][2]string{
	1: {"1 (Highest)", "high"},
	2: {"3 (Normal)", "normal"},
	3: {"5 (Lowest)", "low"},
}

// sendNotify sends a Sieve enotify mailto notification (RFC 5436) about
// the message being delivered to rc. It sends nothing about a message
// that is itself Auto-Submitted, and nothing to the recipient's own
// addresses (the notification would come back to the mailbox it is
// about). The notification goes out from the null sender, like a
// vacation reply, so it cannot bounce back into a loop.
func (s *Server) sendNotify(ctx context.Context, d *delivery, rc *rcpt, o sieveOwner, n *sieve.NotifyAction) error {
	if kw := sieve.AutoSubmitted(d.sieveMsg.Header); kw != "" {
		s.log.Info("sieve: notification not sent", "owner", o.id, "method", n.Method, "why", "the message is Auto-Submitted: "+kw)
		return nil
	}
	mine := s.ownAddresses(rc, o)
	to, cc, bcc := s.notSelf(n.Mailto.To, mine), s.notSelf(n.Mailto.Cc, mine), s.notSelf(n.Mailto.Bcc, mine)
	rcpts := append(append(append([]string(nil), to...), cc...), bcc...)
	if len(rcpts) < len(n.Mailto.Recipients()) {
		s.log.Info("sieve: no notification to the recipient's own address", "owner", o.id, "method", n.Method)
	}
	if len(rcpts) == 0 {
		return nil
	}
	if len(n.Mailto.Ignored) > 0 {
		s.log.Info("sieve: unsafe header fields of a mailto method ignored", "owner", o.id, "fields", strings.Join(n.Mailto.Ignored, ","))
	}
	msg := s.notification(d, rc, n, to, cc)
	var errs []error
	for _, r := range rcpts {
		if err := s.sendmail(ctx, "", r, bytes.NewReader(msg)); err != nil {
			errs = append(errs, fmt.Errorf("to %s: %w", r, err))
			continue
		}
		s.log.Info("sieve: notification sent", "owner", o.id, "to", r, "id", d.msgID)
	}
	return errors.Join(errs...)
}

// ownAddresses are the recipient's addresses in lower case: the envelope
// recipient with and without its +detail, and the script owner's userid,
// all qualified with the server name when they have no domain.
func (s *Server) ownAddresses(rc *rcpt, o sieveOwner) map[string]bool {
	mine := map[string]bool{}
	for _, a := range []string{rc.addr, o.id} {
		a = strings.ToLower(strings.Trim(strings.TrimSpace(a), "<>"))
		if a == "" {
			continue
		}
		mine[s.qualify(a)] = true
		local, domain, hasDomain := strings.Cut(a, "@")
		if base, _, detailed := strings.Cut(local, "+"); detailed {
			if hasDomain {
				mine[base+"@"+domain] = true
			} else {
				mine[s.qualify(base)] = true
			}
		}
	}
	return mine
}

// notSelf drops the recipient's own addresses from addrs.
func (s *Server) notSelf(addrs []string, mine map[string]bool) []string {
	var out []string
	for _, a := range addrs {
		if !mine[strings.ToLower(s.qualify(a))] {
			out = append(out, a)
		}
	}
	return out
}

// notificationSubject is :message when given, else the URI's subject,
// else the default text "<From>: <Subject>" (Cyrus's "$from$: $subject$").
func notificationSubject(n *sieve.NotifyAction) string {
	if !n.HasMessage && n.Mailto.HasSubject {
		return n.Mailto.Subject
	}
	return n.Message
}

// notification composes the notification message.
func (s *Server) notification(d *delivery, rc *rcpt, n *sieve.NotifyAction, to, cc []string) []byte {
	owner := s.qualify(rc.addr)
	from := n.From
	if from == "" {
		from = "<" + owner + ">"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", oneLine(from))
	if len(to) > 0 {
		fmt.Fprintf(&b, "To: %s\r\n", strings.Join(to, ", "))
	}
	if len(cc) > 0 {
		fmt.Fprintf(&b, "Cc: %s\r\n", strings.Join(cc, ", "))
	}
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", oneLine(notificationSubject(n))))
	s.writeDateAndID(&b)
	fmt.Fprintf(&b, "Auto-Submitted: auto-notified; owner-email=\"%s\"\r\n", strings.ReplaceAll(oneLine(owner), `"`, ""))
	if imp, ok := notifyImportance[n.Importance]; ok {
		fmt.Fprintf(&b, "X-Priority: %s\r\nImportance: %s\r\n", imp[0], imp[1])
	}
	for _, h := range n.Mailto.Headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h.Name, mime.QEncoding.Encode("utf-8", oneLine(h.Value)))
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(crlf(notificationBody(d, rc, n)))
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// notificationBody is the URI's body when it has one, else a short text
// naming the new message's sender and subject.
func notificationBody(d *delivery, rc *rcpt, n *sieve.NotifyAction) string {
	if n.Mailto.HasBody {
		return n.Mailto.Body
	}
	var b strings.Builder
	fmt.Fprintf(&b, "A new message has arrived for %s.\n\n", rc.addr)
	fmt.Fprintf(&b, "From: %s\nSubject: %s\n", oneLine(n.MessageFrom), oneLine(n.MessageSubject))
	if d.msgID != "" {
		fmt.Fprintf(&b, "Message-ID: %s\n", d.msgID)
	}
	if n.HasMessage {
		fmt.Fprintf(&b, "\n%s\n", n.Message)
	}
	return b.String()
}

// crlf gives text CRLF line ends.
func crlf(text string) string {
	return strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")
}
