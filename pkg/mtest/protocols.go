package mtest

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Protocol is what one client program knows of its protocol.
type Protocol struct {
	Program         string // imtest, pop3test, ...
	Service         string // shown in help
	Port, TLSPort   string // TLSPort "" means no implicit TLS (-s refused)
	greeting        func(s *session) (caps, error)
	capability      func(s *session) (caps, error)
	startTLS        string // the command; its answer ends like any other
	capsAfterTLS    func(s *session) (caps, error)
	auth            func(s *session, mech string, ir []byte, hasIR bool) (string, error)
	plaintextLogin  func(s *session, user, password string) (string, error)
	logout          string
	done            func(line, tag string) (end, ok bool)
	continuation    func(line string) (payload string, ok bool)
	initialResponse func(c caps) bool
}

// caps is what a capability answer says.
type caps struct {
	mechs    []string
	startTLS bool
	saslIR   bool
}

func (c caps) offers(mech string) bool {
	for _, m := range c.mechs {
		if strings.EqualFold(m, mech) {
			return true
		}
	}
	return false
}

// IMAP is imtest's protocol (RFC 9051).
var IMAP = &Protocol{
	Program: "imtest", Service: "IMAP", Port: "143", TLSPort: "993",
	greeting: func(s *session) (caps, error) {
		line, err := s.readLine()
		if err != nil {
			return caps{}, err
		}
		if !strings.HasPrefix(line, "* OK") && !strings.HasPrefix(line, "* PREAUTH") {
			return caps{}, fmt.Errorf("server refused the connection: %s", line)
		}
		return caps{}, nil
	},
	capability: func(s *session) (caps, error) {
		lines, ok, err := s.command("C01", "C01 CAPABILITY")
		if err != nil || !ok {
			return caps{}, firstErr(err, "CAPABILITY refused")
		}
		var c caps
		for _, l := range lines {
			if u := strings.ToUpper(l); strings.HasPrefix(u, "* CAPABILITY ") {
				for _, w := range strings.Fields(l)[2:] {
					switch uw := strings.ToUpper(w); {
					case strings.HasPrefix(uw, "AUTH="):
						c.mechs = append(c.mechs, uw[5:])
					case uw == "STARTTLS":
						c.startTLS = true
					case uw == "SASL-IR":
						c.saslIR = true
					}
				}
			}
		}
		return c, nil
	},
	startTLS: "S01 STARTTLS",
	auth: func(s *session, mech string, ir []byte, hasIR bool) (string, error) {
		cmd := "A01 AUTHENTICATE " + mech
		if hasIR {
			cmd += " " + encodeIR(ir)
		}
		return s.saslExchange("A01", cmd, ir, hasIR, func(b []byte) string { return base64.StdEncoding.EncodeToString(b) })
	},
	plaintextLogin: func(s *session, user, password string) (string, error) {
		_, ok, err := s.commandShown("L01", "L01 LOGIN "+imapString(user)+" "+imapString(password), "L01 LOGIN "+imapString(user)+" <password>")
		return result(ok, err)
	},
	logout: "Q01 LOGOUT",
	done: func(line, tag string) (bool, bool) {
		if tag != "" && strings.HasPrefix(line, tag+" ") {
			return true, strings.HasPrefix(strings.ToUpper(line[len(tag)+1:]), "OK")
		}
		return false, false
	},
	continuation: func(line string) (string, bool) {
		if line == "+" {
			return "", true
		}
		if p, ok := strings.CutPrefix(line, "+ "); ok {
			return p, true
		}
		return "", false
	},
	initialResponse: func(c caps) bool { return c.saslIR },
}

// POP3 is pop3test's protocol (RFC 1939, 2449, 2595, 5034).
var POP3 = &Protocol{
	Program: "pop3test", Service: "POP3", Port: "110", TLSPort: "995",
	greeting: func(s *session) (caps, error) {
		line, err := s.readLine()
		if err != nil {
			return caps{}, err
		}
		if !strings.HasPrefix(line, "+OK") {
			return caps{}, fmt.Errorf("server refused the connection: %s", line)
		}
		return caps{}, nil
	},
	capability: func(s *session) (caps, error) {
		lines, ok, err := s.command("", "CAPA")
		if err != nil || !ok {
			return caps{}, firstErr(err, "CAPA refused")
		}
		more, err := s.readDotTerminated()
		if err != nil {
			return caps{}, err
		}
		_ = lines
		var c caps
		for _, l := range more {
			f := strings.Fields(strings.ToUpper(l))
			switch {
			case len(f) > 0 && f[0] == "SASL":
				c.mechs = append(c.mechs, f[1:]...)
			case len(f) > 0 && f[0] == "STLS":
				c.startTLS = true
			}
		}
		c.saslIR = true
		return c, nil
	},
	startTLS: "STLS",
	auth: func(s *session, mech string, ir []byte, hasIR bool) (string, error) {
		cmd := "AUTH " + mech
		if hasIR {
			cmd += " " + encodeIR(ir)
		}
		return s.saslExchange("", cmd, ir, hasIR, func(b []byte) string { return base64.StdEncoding.EncodeToString(b) })
	},
	plaintextLogin: func(s *session, user, password string) (string, error) {
		if _, ok, err := s.command("", "USER "+user); err != nil || !ok {
			return result(ok, err)
		}
		_, ok, err := s.commandShown("", "PASS "+password, "PASS <password>")
		return result(ok, err)
	},
	logout: "QUIT",
	done: func(line, _ string) (bool, bool) {
		switch {
		case strings.HasPrefix(line, "+OK"):
			return true, true
		case strings.HasPrefix(line, "-ERR"):
			return true, false
		}
		return false, false
	},
	continuation: func(line string) (string, bool) {
		if line == "+" {
			return "", true
		}
		if p, ok := strings.CutPrefix(line, "+ "); ok {
			return p, true
		}
		return "", false
	},
	initialResponse: func(caps) bool { return true },
}

// smtpLike: LMTP's replies (RFC 5321 §4.2): "250-..." lines, then "250 ...".
func smtpDone(line, _ string) (bool, bool) {
	if len(line) < 3 || (len(line) > 3 && line[3] == '-') {
		return false, false
	}
	code, err := strconv.Atoi(line[:3])
	if err != nil {
		return true, false
	}
	return true, code >= 200 && code < 400
}

func lhloCaps(s *session) (caps, error) {
	lines, ok, err := s.command("", "LHLO lmtptest")
	if err != nil || !ok {
		return caps{}, firstErr(err, "LHLO refused")
	}
	c := caps{saslIR: true}
	for _, l := range lines {
		if len(l) < 4 {
			continue
		}
		f := strings.Fields(strings.ToUpper(l[4:]))
		switch {
		case len(f) > 0 && f[0] == "AUTH":
			c.mechs = append(c.mechs, f[1:]...)
		case len(f) > 0 && f[0] == "STARTTLS":
			c.startTLS = true
		}
	}
	return c, nil
}

// LMTP is lmtptest's protocol (RFC 2033, 3207, 4954).
var LMTP = &Protocol{
	Program: "lmtptest", Service: "LMTP", Port: "24",
	greeting: func(s *session) (caps, error) {
		lines, ok, err := s.response("")
		if err == nil && !ok {
			err = fmt.Errorf("server refused the connection: %s", strings.Join(lines, " "))
		}
		return caps{}, err
	},
	capability: lhloCaps,
	startTLS:   "STARTTLS",
	auth: func(s *session, mech string, ir []byte, hasIR bool) (string, error) {
		cmd := "AUTH " + mech
		if hasIR {
			cmd += " " + encodeIR(ir)
		}
		return s.saslExchange("", cmd, ir, hasIR, func(b []byte) string { return base64.StdEncoding.EncodeToString(b) })
	},
	logout: "QUIT",
	done:   smtpDone,
	continuation: func(line string) (string, bool) {
		if p, ok := strings.CutPrefix(line, "334 "); ok {
			return p, true
		}
		return "", line == "334"
	},
	initialResponse: func(caps) bool { return true },
}

// sieveCaps reads a ManageSieve capability list, ending in OK.
func sieveCaps(s *session) (caps, error) {
	lines, ok, err := s.response("")
	if err != nil || !ok {
		return caps{}, firstErr(err, "no capabilities")
	}
	c := caps{saslIR: true}
	for _, l := range lines {
		name, val, _ := strings.Cut(l, " ")
		switch strings.ToUpper(strings.Trim(name, `"`)) {
		case "SASL":
			c.mechs = strings.Fields(strings.ToUpper(strings.Trim(val, `"`)))
		case "STARTTLS":
			c.startTLS = true
		}
	}
	return c, nil
}

// Sieve is sivtest's protocol (ManageSieve, RFC 5804).
var Sieve = &Protocol{
	Program: "sivtest", Service: "ManageSieve", Port: "4190",
	greeting:     sieveCaps,
	capability:   nil, // the greeting carries them
	startTLS:     "STARTTLS",
	capsAfterTLS: sieveCaps,
	auth: func(s *session, mech string, ir []byte, hasIR bool) (string, error) {
		cmd := `AUTHENTICATE "` + mech + `"`
		if hasIR {
			cmd += ` "` + encodeIR(ir) + `"`
		}
		return s.saslExchange("", cmd, ir, hasIR, func(b []byte) string { return `"` + base64.StdEncoding.EncodeToString(b) + `"` })
	},
	logout: "LOGOUT",
	done: func(line, _ string) (bool, bool) {
		u := strings.ToUpper(line)
		for _, w := range []string{"OK", "NO", "BYE"} {
			if u == w || strings.HasPrefix(u, w+" ") || strings.HasPrefix(u, w+"(") {
				return true, w == "OK"
			}
		}
		return false, false
	},
	continuation: func(line string) (string, bool) {
		if len(line) >= 2 && line[0] == '"' && line[len(line)-1] == '"' {
			return line[1 : len(line)-1], true
		}
		return "", false
	},
	initialResponse: func(caps) bool { return true },
}

// Protocols are the four, by program name.
var Protocols = []*Protocol{IMAP, POP3, LMTP, Sieve}

func encodeIR(b []byte) string {
	if len(b) == 0 {
		return "="
	}
	return base64.StdEncoding.EncodeToString(b)
}

func imapString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func firstErr(err error, msg string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%s", msg)
}

func result(ok bool, err error) (string, error) {
	if err != nil {
		return "", err
	}
	if !ok {
		return "refused", nil
	}
	return "", nil
}
