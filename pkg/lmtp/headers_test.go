package lmtp

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestHeaderValue(t *testing.T) {
	msg := []byte("From: a\r\nMessage-ID:\r\n  <x@y>\r\nDATE : Tue, 07 Jan 2025 09:00:01 +0000\r\n\r\nMessage-ID: <body@x>\r\n")
	block := headerBlock(msg)
	tests := []struct{ name, want string }{
		{"message-id", "<x@y>"},
		{"Date", "Tue, 07 Jan 2025 09:00:01 +0000"},
		{"From", "a"},
	}
	for _, tc := range tests {
		if got, ok := headerValue(block, tc.name); !ok || got != tc.want {
			t.Errorf("headerValue(%q) = %q, %v; want %q", tc.name, got, ok, tc.want)
		}
	}
	if _, ok := headerValue(block, "Subject"); ok {
		t.Error("Subject found in a message without one")
	}
	if _, ok := headerValue(headerBlock([]byte("\r\nMessage-ID: <b>\r\n")), "Message-ID"); ok {
		t.Error("a body header was read as a header")
	}
}

func TestStamp(t *testing.T) {
	env := envelope{from: "bob@x", servername: "mx", now: time.Unix(1700000000, 0).UTC(), seq: 7, pid: 42}
	prefix, id, date, err := stamp([]byte("Subject: hi\r\n\r\nbody\r\n"), env)
	if err != nil {
		t.Fatal(err)
	}
	p := string(prefix)
	if id != "<cmu-lmtpd-42-1700000000-7@mx>" || date != "" {
		t.Errorf("id, date = %q, %q", id, date)
	}
	for _, want := range []string{"Return-Path: <bob@x>\r\n", "Message-ID: " + id + "\r\n", "Date: Tue, 14 Nov 2023"} {
		if !strings.Contains(p, want) {
			t.Errorf("prefix lacks %q:\n%s", want, p)
		}
	}
	prefix, id, date, err = stamp([]byte("Message-ID: <a@b>\r\nResent-Message-ID: <r@b>\r\nDate: D\r\n\r\n"), env)
	if err != nil || id != "<r@b>" || date != "D" || strings.Contains(string(prefix), "Message-ID") {
		t.Errorf("stamp = %q, %q, %q, %v", prefix, id, date, err)
	}
	if _, _, _, err := stamp([]byte("Message-ID: \r\n\r\n"), env); !errors.Is(err, errEmptyMessageID) {
		t.Errorf("empty Message-ID: err = %v", err)
	}
}

func FuzzHeaderValue(f *testing.F) {
	f.Add([]byte("Message-ID: <a@b>\r\n\r\n"), "message-id")
	f.Add([]byte("X:\n y\n\tz\n\nbody"), "x")
	f.Add([]byte(""), "")
	f.Fuzz(func(t *testing.T, msg []byte, name string) {
		v, ok := headerValue(headerBlock(msg), name)
		if !ok && v != "" {
			t.Fatalf("absent header with value %q", v)
		}
		if strings.Contains(v, "\n") || strings.HasSuffix(v, "\r") {
			t.Fatalf("value %q not unfolded", v)
		}
	})
}
