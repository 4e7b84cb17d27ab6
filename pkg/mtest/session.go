package mtest

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// MaxLine bounds one line from the server.
const MaxLine = 64 << 10

// Options are the command line's choices.
type Options struct {
	Host     string
	Port     string // "" means the protocol's default
	Socket   string // -x: a UNIX socket instead of host and port
	Mech     string // "" means the best offered; "login": the plaintext login command
	AuthID   string
	AuthzID  string
	Realm    string
	Password string
	// PasswordFunc is asked when Password is empty.
	PasswordFunc func() (string, error)
	StartTLS     bool   // -t
	KeyFile      string // -t's file: client certificate and key in one PEM ("" none)
	Implicit     bool   // -s
	NoInitial    bool   // -i
	MinSSF       int    // -k
	Verbose      bool
	Script       io.Reader // -f or standard input
	Timeout      time.Duration
}

type session struct {
	p       *Protocol
	conn    net.Conn
	br      *bufio.Reader
	out     io.Writer
	echo    bool // print "S: "/"C: " lines (during authentication)
	timeout time.Duration
}

// ErrLineTooLong: the server sent a line longer than MaxLine.
var ErrLineTooLong = errors.New("server line too long")

func (s *session) deadline() {
	if s.timeout > 0 {
		s.conn.SetDeadline(time.Now().Add(s.timeout))
	}
}

func (s *session) readLine() (string, error) {
	s.deadline()
	var b []byte
	for {
		frag, isPrefix, err := s.br.ReadLine()
		if err != nil {
			return "", err
		}
		b = append(b, frag...)
		if len(b) > MaxLine {
			return "", ErrLineTooLong
		}
		if !isPrefix {
			break
		}
	}
	line := string(b)
	if s.echo {
		fmt.Fprintf(s.out, "S: %s\n", line)
	}
	return line, nil
}

func (s *session) send(line string, shown string) error {
	if s.echo {
		fmt.Fprintf(s.out, "C: %s\n", shown)
	}
	s.deadline()
	_, err := io.WriteString(s.conn, line+"\r\n")
	return err
}

// response reads lines until the protocol says the answer ended.
func (s *session) response(tag string) ([]string, bool, error) {
	var lines []string
	for {
		line, err := s.readLine()
		if err != nil {
			return lines, false, err
		}
		lines = append(lines, line)
		if end, ok := s.p.done(line, tag); end {
			return lines, ok, nil
		}
	}
}

func (s *session) command(tag, line string) ([]string, bool, error) {
	return s.commandShown(tag, line, line)
}

// commandShown is command echoed as shown (a password left out).
func (s *session) commandShown(tag, line, shown string) ([]string, bool, error) {
	if err := s.send(line, shown); err != nil {
		return nil, false, err
	}
	return s.response(tag)
}

// readDotTerminated reads a POP3 multi-line body up to its "." line.
func (s *session) readDotTerminated() ([]string, error) {
	var lines []string
	for {
		line, err := s.readLine()
		if err != nil {
			return nil, err
		}
		if line == "." {
			return lines, nil
		}
		lines = append(lines, strings.TrimPrefix(line, "."))
	}
}

// saslExchange sends cmd and answers continuations: the initial response
// when it was not sent with cmd, an empty response after that. It returns
// "" on success, else the server's final line.
func (s *session) saslExchange(tag, cmd string, ir []byte, sentIR bool, encode func([]byte) string) (string, error) {
	shown := cmd
	if sentIR {
		shown = cmd[:strings.LastIndexByte(cmd, ' ')] + " <initial response>"
	}
	if err := s.send(cmd, shown); err != nil {
		return "", err
	}
	pending := !sentIR
	for rounds := 0; rounds < 16; rounds++ {
		line, err := s.readLine()
		if err != nil {
			return "", err
		}
		if end, ok := s.p.done(line, tag); end {
			if ok {
				return "", nil
			}
			return line, nil
		}
		if _, ok := s.p.continuation(line); !ok {
			continue // an untagged line
		}
		resp := []byte{}
		if pending {
			resp, pending = ir, false
		}
		if err := s.send(encode(resp), "<response>"); err != nil {
			return "", err
		}
	}
	return "", errors.New("too many SASL rounds")
}

// Run is one client session: connect, TLS, authenticate, then the
// interactive part, writing to stdout and reporting to stderr.
func Run(ctx context.Context, p *Protocol, o Options, stdout io.Writer) error {
	if o.Implicit && p.TLSPort == "" {
		return fmt.Errorf("-s: %s has no TLS-from-the-start port; use -t for STARTTLS", p.Service)
	}
	conn, err := dial(ctx, p, o)
	if err != nil {
		return err
	}
	return runOn(ctx, p, o, conn, stdout)
}

// runOn is Run on an established connection, which it closes.
func runOn(ctx context.Context, p *Protocol, o Options, conn net.Conn, stdout io.Writer) error {
	defer conn.Close()
	s := &session{p: p, conn: conn, br: bufio.NewReaderSize(conn, 4096), out: stdout, echo: true, timeout: o.Timeout}
	tlsCfg, err := clientTLS(o)
	if err != nil {
		return err
	}
	if o.Implicit {
		if err := s.handshake(ctx, tlsCfg, o.Verbose); err != nil {
			return err
		}
	}
	c, err := p.greeting(s)
	if err != nil {
		return err
	}
	if p.capability != nil {
		if c, err = p.capability(s); err != nil {
			return err
		}
	}
	if o.StartTLS && !o.Implicit {
		if !c.startTLS {
			return fmt.Errorf("the server does not offer STARTTLS")
		}
		if _, ok, err := s.command(startTLSTag(p), p.startTLS); err != nil || !ok {
			return firstErr(err, "STARTTLS refused")
		}
		if err := s.handshake(ctx, tlsCfg, o.Verbose); err != nil {
			return err
		}
		again := p.capability
		if p.capsAfterTLS != nil {
			again = p.capsAfterTLS
		}
		if c, err = again(s); err != nil {
			return err
		}
	}
	if err := s.authenticate(c, o); err != nil {
		return err
	}
	s.echo = false
	return s.interact(o)
}

func startTLSTag(p *Protocol) string {
	if p == IMAP {
		return "S01"
	}
	return ""
}

func dial(ctx context.Context, p *Protocol, o Options) (net.Conn, error) {
	d := net.Dialer{Timeout: o.Timeout}
	if o.Socket != "" {
		return d.DialContext(ctx, "unix", o.Socket)
	}
	port := o.Port
	if port == "" {
		port = p.Port
		if o.Implicit {
			port = p.TLSPort
		}
	}
	return d.DialContext(ctx, "tcp", net.JoinHostPort(o.Host, port))
}

// clientTLS: the server's certificate is not verified (see the package
// comment); -t's file is presented as the client certificate.
func clientTLS(o Options) (*tls.Config, error) {
	cfg := &tls.Config{InsecureSkipVerify: true, ServerName: o.Host, MinVersion: tls.VersionTLS12}
	if o.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(o.KeyFile, o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("-t %s: a PEM file with a certificate and its private key is needed: %w", o.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

func (s *session) handshake(ctx context.Context, cfg *tls.Config, verbose bool) error {
	tc := tls.Client(s.conn, cfg)
	s.deadline()
	if err := tc.HandshakeContext(ctx); err != nil {
		return fmt.Errorf("TLS negotiation failed: %w", err)
	}
	st := tc.ConnectionState()
	bits := cipherBits(st.CipherSuite)
	fmt.Fprintf(s.out, "TLS connection established: %s with cipher %s (%d/%d bits)\n",
		tlsVersion(st.Version), tls.CipherSuiteName(st.CipherSuite), bits, bits)
	if verbose && len(st.PeerCertificates) > 0 {
		fmt.Fprintf(s.out, "Server certificate: %s (not verified)\n", st.PeerCertificates[0].Subject)
	}
	s.conn = tc
	s.br = bufio.NewReaderSize(tc, 4096)
	return nil
}

func tlsVersion(v uint16) string {
	return strings.Replace(tls.VersionName(v), "TLS ", "TLSv", 1)
}

func cipherBits(suite uint16) int {
	name := tls.CipherSuiteName(suite)
	switch {
	case strings.Contains(name, "AES_256"), strings.Contains(name, "CHACHA20"):
		return 256
	case strings.Contains(name, "AES_128"):
		return 128
	}
	return 0
}

func (s *session) ssf() int {
	if tc, ok := s.conn.(*tls.Conn); ok {
		return cipherBits(tc.ConnectionState().CipherSuite)
	}
	return 0
}

// authenticate logs in as o says and prints Cyrus's result lines; a
// refused login is reported and the session goes on, as Cyrus's does.
func (s *session) authenticate(c caps, o Options) error {
	if s.ssf() < o.MinSSF {
		return fmt.Errorf("security strength factor %d is below -k %d (use -t or -s)", s.ssf(), o.MinSSF)
	}
	mech := strings.ToUpper(o.Mech)
	if mech == "" && !c.offers("PLAIN") && s.p.plaintextLogin == nil {
		return nil // nothing we can authenticate with (LMTP on a trusted socket)
	}
	if mech == "" {
		mech = "LOGIN"
		if c.offers("PLAIN") {
			mech = "PLAIN"
		}
	}
	if mech != "PLAIN" && mech != "LOGIN" {
		return fmt.Errorf("-m %s: this client knows PLAIN and login (the protocol's plaintext login)", o.Mech)
	}
	if mech == "LOGIN" && s.p.plaintextLogin == nil {
		return fmt.Errorf("-m login: %s has no plaintext login command; use -m plain", s.p.Service)
	}
	user := o.AuthID
	if o.Realm != "" && !strings.Contains(user, "@") {
		user += "@" + o.Realm
	}
	pw := o.Password
	if pw == "" && o.PasswordFunc != nil {
		var err error
		if pw, err = o.PasswordFunc(); err != nil {
			return err
		}
	}
	var failure string
	var err error
	if mech == "LOGIN" {
		failure, err = s.p.plaintextLogin(s, user, pw)
	} else {
		ir := []byte(o.AuthzID + "\x00" + user + "\x00" + pw)
		withIR := !o.NoInitial && s.p.initialResponse(c)
		failure, err = s.p.auth(s, "PLAIN", ir, withIR)
	}
	if err != nil {
		return err
	}
	if failure != "" {
		fmt.Fprintf(s.out, "Authentication failed. %s\n", failure)
		return nil
	}
	fmt.Fprintln(s.out, "Authenticated.")
	fmt.Fprintf(s.out, "Security strength factor: %d\n", s.ssf())
	return nil
}

// interact copies the script (standard input) to the server and the
// server's lines to standard output. At the end of the script it sends
// the logout command and reads until the server closes; when the server
// closes first, it returns without waiting for more input.
func (s *session) interact(o Options) error {
	s.conn.SetDeadline(time.Time{})
	s.out = &lockedWriter{w: s.out}
	readErr := make(chan error, 1)
	go func() {
		for {
			line, err := s.readLineNoDeadline()
			if err != nil {
				readErr <- err
				return
			}
			fmt.Fprintf(s.out, "%s\n", line)
		}
	}()
	scriptDone := make(chan struct{})
	go func() {
		defer close(scriptDone)
		if o.Script == nil {
			return
		}
		sc := bufio.NewScanner(o.Script)
		sc.Buffer(make([]byte, 4096), MaxLine)
		for sc.Scan() {
			if o.Verbose {
				fmt.Fprintf(s.out, "C: %s\n", sc.Text())
			}
			if _, err := io.WriteString(s.conn, strings.TrimSuffix(sc.Text(), "\r")+"\r\n"); err != nil {
				return
			}
		}
	}()
	var err error
	select {
	case err = <-readErr:
	case <-scriptDone:
		io.WriteString(s.conn, s.p.logout+"\r\n")
		if s.timeout > 0 {
			s.conn.SetReadDeadline(time.Now().Add(s.timeout))
		}
		err = <-readErr
	}
	fmt.Fprintln(s.out, "Connection closed.")
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

func (s *session) readLineNoDeadline() (string, error) {
	var b []byte
	for {
		frag, isPrefix, err := s.br.ReadLine()
		if err != nil {
			return "", err
		}
		b = append(b, frag...)
		if len(b) > MaxLine {
			return "", ErrLineTooLong
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}

// lockedWriter lets the reader and the script echo share standard output.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
