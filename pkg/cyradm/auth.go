package cyradm

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/xdg-go/scram"
)

// TLSMode says how a connection is protected.
type TLSMode int

const (
	TLSStartTLS TLSMode = iota // STARTTLS when the server offers it (the default)
	TLSNone                    // never (--notls)
	TLSImplicit                // TLS from the first byte (--tls, imaps)
)

// Connector holds what is needed to reach and log in to a server; the
// command line fills it and the shell's server/authenticate commands use it.
type Connector struct {
	Port      int // 0: 143, or 993 with TLSImplicit
	User      string
	Authz     string
	Mechanism string // empty: the best mechanism both sides know
	TLS       TLSMode
	TLSConfig *tls.Config // nil: system roots, ServerName from the host
	Timeout   time.Duration
	// Password returns the password of user; it is called at most once
	// per login.
	Password func(user string) (string, error)
}

// Connect dials host (a name, an address, or host:port) and upgrades
// with STARTTLS as the TLS mode asks.
func (k *Connector) Connect(ctx context.Context, host string) (*Client, error) {
	c, err := k.Dial(ctx, host)
	if err != nil {
		return nil, err
	}
	if k.TLS == TLSStartTLS && c.Has("STARTTLS") {
		if err := c.StartTLS(k.tlsConfig(host)); err != nil {
			c.Close()
			return nil, fmt.Errorf("STARTTLS: %w", err)
		}
	}
	return c, nil
}

// Dial connects to host without STARTTLS (implicit TLS still applies):
// "server -noauthenticate" leaves STARTTLS to authenticate, as Cyrus's
// cyradm does.
func (k *Connector) Dial(ctx context.Context, host string) (*Client, error) {
	addr := host
	if _, _, err := net.SplitHostPort(host); err != nil {
		port := k.Port
		if port == 0 {
			port = 143
			if k.TLS == TLSImplicit {
				port = 993
			}
		}
		addr = net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(port))
	}
	return Dial(ctx, addr, DialOptions{Timeout: k.Timeout, TLS: k.tlsConfig(addr), ImplicitTLS: k.TLS == TLSImplicit})
}

func serverName(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}

// tlsConfig is the connector's TLS configuration for the server named
// name (a host, or host:port).
func (k *Connector) tlsConfig(name string) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if k.TLSConfig != nil {
		cfg = k.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = serverName(name)
	}
	return cfg
}

// mechPreference is the order mechanisms are tried in when none is named.
// EXTERNAL comes first: when the server offers it, TLS has verified a
// client certificate and no password is needed.
var mechPreference = []string{"EXTERNAL", "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "LOGIN"}

// AuthOptions are authenticate's options (Cyrus's -mechanisms, -minssf,
// -maxssf, -service).
type AuthOptions struct {
	User       string // empty: the connector's user
	Mechanisms string // comma- or space-separated; empty: the connector's, else the best offered
	// MinSSF refuses to send credentials unless the connection's security
	// strength (TLS cipher bits; no mechanism here adds a SASL layer) is at
	// least this.
	MinSSF int
	// MaxSSF bounds the security layer SASL may negotiate; the mechanisms
	// spoken here negotiate none (SSF 0), so any value >= MinSSF is met.
	MaxSSF int
}

// Login authenticates as user (empty: the connector's user) with the
// named mechanism or the best one offered; with none offered it falls back
// to the LOGIN command. It returns the mechanism used.
func (k *Connector) Login(c *Client, user, mechanism string) (string, error) {
	return k.Authenticate(c, AuthOptions{User: user, Mechanisms: mechanism, MaxSSF: MaxSSF})
}

// MaxSSF is the default upper bound of -maxssf, as in Cyrus.
const MaxSSF = 10000

// Authenticate logs in with o's mechanisms and security bounds and
// returns the mechanism used.
func (k *Connector) Authenticate(c *Client, o AuthOptions) (string, error) {
	user := o.User
	if user == "" {
		user = k.User
	}
	mechanism := o.Mechanisms
	if mechanism == "" {
		mechanism = k.Mechanism
	}
	if o.MaxSSF < o.MinSSF {
		return "", fmt.Errorf("-maxssf %d is below -minssf %d", o.MaxSSF, o.MinSSF)
	}
	if ssf := c.SSF(); ssf < o.MinSSF {
		return "", fmt.Errorf("the connection's security strength factor is %d, below -minssf %d (use TLS; no mechanism here adds a SASL security layer)", ssf, o.MinSSF)
	}
	caps, err := c.Caps()
	if err != nil {
		return "", err
	}
	mech, err := chooseMechanism(caps, mechanism, c.certSent)
	if err != nil {
		return "", err
	}
	if mech == "EXTERNAL" {
		if _, ok := c.TLS(); !ok {
			return mech, errors.New("EXTERNAL needs TLS with a client certificate (--tlskey)")
		}
		return mech, c.Authenticate(mech, sasl.NewExternalClient(k.Authz))
	}
	if k.Password == nil {
		return mech, errors.New("no password source")
	}
	password, err := k.Password(user)
	if err != nil {
		return mech, err
	}
	if mech == "LOGIN" && !caps["AUTH=LOGIN"] {
		if caps["LOGINDISABLED"] {
			return mech, errors.New("the server refuses LOGIN without TLS")
		}
		if k.Authz != "" && k.Authz != user {
			return mech, errors.New("the LOGIN command cannot authorize as another user")
		}
		return mech, c.Login(user, password)
	}
	sc, err := saslClient(mech, user, password, k.Authz)
	if err != nil {
		return mech, err
	}
	return mech, c.Authenticate(mech, sc)
}

// chooseMechanism picks the first of the wanted mechanisms the server
// offers (LOGIN is always possible), or without a wish the best offered;
// EXTERNAL is only chosen unasked when TLS presented a certificate.
func chooseMechanism(caps map[string]bool, wanted string, certSent bool) (string, error) {
	if wanted != "" {
		for _, m := range strings.FieldsFunc(wanted, func(r rune) bool { return r == ',' || r == ' ' }) {
			m = strings.ToUpper(m)
			if caps["AUTH="+m] || m == "LOGIN" {
				return m, nil
			}
		}
		return "", fmt.Errorf("the server does not offer %s", wanted)
	}
	for _, m := range mechPreference {
		if caps["AUTH="+m] && (m != "EXTERNAL" || certSent) {
			return m, nil
		}
	}
	return "LOGIN", nil
}

func saslClient(mech, user, password, authz string) (sasl.Client, error) {
	switch mech {
	case "PLAIN":
		return sasl.NewPlainClient(authz, user, password), nil
	case "LOGIN":
		return sasl.NewLoginClient(user, password), nil
	case "SCRAM-SHA-1", "SCRAM-SHA-256":
		hash := scram.SHA256
		if mech == "SCRAM-SHA-1" {
			hash = scram.SHA1
		}
		sc, err := hash.NewClient(user, password, authz)
		if err != nil {
			return nil, err
		}
		return &scramClient{mech: mech, conv: sc.NewConversation()}, nil
	}
	return nil, fmt.Errorf("mechanism %s is not supported", mech)
}

// scramClient adapts xdg-go/scram to go-sasl's client interface.
type scramClient struct {
	mech string
	conv *scram.ClientConversation
}

func (s *scramClient) Start() (string, []byte, error) {
	first, err := s.conv.Step("")
	return s.mech, []byte(first), err
}

func (s *scramClient) Next(challenge []byte) ([]byte, error) {
	resp, err := s.conv.Step(string(challenge))
	return []byte(resp), err
}
