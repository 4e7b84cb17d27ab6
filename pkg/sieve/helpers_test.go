package sieve

import (
	"io"
	"strings"
	"testing"

	"gocyrus/pkg/msgheader"
)

// testMessage is a Message over a literal RFC 5322 text, its header read
// by msgheader as the delivery side reads it.
type testMessage struct {
	raw    string
	header msgheader.Header
}

func newTestMessage(t testing.TB, raw string) *testMessage {
	t.Helper()
	raw = strings.ReplaceAll(raw, "\r\n", "\n")
	raw = strings.ReplaceAll(raw, "\n", "\r\n")
	block, _, _ := strings.Cut(raw, "\r\n\r\n")
	return &testMessage{raw: raw, header: msgheader.ParseHeader([]byte(block))}
}

func (m *testMessage) Header(name string) []string {
	var out []string
	for _, f := range m.header {
		if strings.EqualFold(f.Name, name) {
			out = append(out, f.Value()) // unfolded, as pkg/lmtp gives them
		}
	}
	return out
}
func (m *testMessage) Size() int64              { return int64(len(m.raw)) }
func (m *testMessage) Body() (io.Reader, error) { return strings.NewReader(m.raw), nil }

const basicMessage = `Return-Path: <alice@example.org>
Received: from mx.da.uu.net by mail.example.com; Tue, 1 Apr 2025 10:00:00 +0000
From: Alice Example <alice@example.org>
To: yourname@youraddress.com, "Bob" <bob+lists@example.com>
Cc: carol@example.net
Subject: [CIRCLE] weekly meeting
Date: Tue, 1 Apr 2025 09:59:00 +0200
Message-ID: <m1@example.org>
X-Spam-Score: 7
Content-Type: text/plain; charset=utf-8

Hello there, this is the body.
Second line mentions FooBar.
`

// actionsString renders actions compactly for comparisons.
func actionsString(as []Action) string {
	var parts []string
	for _, a := range as {
		s := a.Kind.String()
		switch a.Kind {
		case FileInto:
			s += " " + a.Mailbox
			if a.Copy {
				s += " :copy"
			}
			if a.Create {
				s += " :create"
			}
		case Redirect:
			s += " " + a.Address
			if a.Copy {
				s += " :copy"
			}
		case Reject, EReject:
			s += " " + a.Reason
		case Vacation:
			s += " " + a.Vacation.To
		case AddHeader, DeleteHeader:
			s += " " + a.Header + ": " + a.Value
		case Notify:
			s += " " + a.Notify.Method
		}
		if len(a.Flags) > 0 {
			s += " [" + strings.Join(a.Flags, " ") + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}
