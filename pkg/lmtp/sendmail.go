package lmtp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// sendmailTimeout bounds one run of the sendmail command.
const sendmailTimeout = time.Minute

// sendmail hands msg to the MTA through the configured sendmail command:
// "sendmail -i -f <sender> -- <rcpt>", as Cyrus calls it. An empty sender
// is the null sender, passed as "<>".
func (s *Server) sendmail(ctx context.Context, sender, rcpt string, msg io.Reader) error {
	if s.sieve.sendmail == "" {
		return fmt.Errorf("no sendmail command configured")
	}
	if strings.HasPrefix(rcpt, "-") || strings.ContainsAny(rcpt, "\r\n\x00") {
		return fmt.Errorf("refusing to send to %q", rcpt)
	}
	if sender == "" {
		sender = "<>"
	}
	ctx, cancel := context.WithTimeout(ctx, sendmailTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.sieve.sendmail, "-i", "-f", sender, "--", rcpt)
	cmd.Stdin = msg
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", s.sieve.sendmail, err, strings.TrimSpace(out.String()))
	}
	return nil
}
