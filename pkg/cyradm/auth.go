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
	cfg := k.tlsConfig(addr)
	c, err := Dial(ctx, addr, DialOptions{Timeout: k.Timeout, TLS: cfg, ImplicitTLS: k.TLS == TLSImplicit})
	if err != nil {
		return nil, err
	}
	if k.TLS == TLSStartTLS && c.Has("STARTTLS") {
		if err := c.StartTLS(cfg); err != nil {
			c.Close()
			return nil, fmt.Errorf("STARTTLS: %w", err)
		}
	}
	return c, nil
}

func (k *Connector) tlsConfig(addr string) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if k.TLSConfig != nil {
		cfg = k.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		host, _, _ := net.SplitHostPort(addr)
		cfg.ServerName = host
	}
	return cfg
}

// mechPreference is the order mechanisms are tried in when none is named.
var mechPreference = []string{"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "LOGIN"}

// Login authenticates as user (empty: the connector's user) with the
// named mechanism or the best one offered; with none offered it falls back
// to the LOGIN command. It returns the mechanism used.
func (k *Connector) Login(c *Client, user, mechanism string) (string, error) {
	if user == "" {
		user = k.User
	}
	if mechanism == "" {
		mechanism = k.Mechanism
	}
	caps, err := c.Caps()
	if err != nil {
		return "", err
	}
	mech := ""
	if mechanism != "" {
		for _, m := range strings.FieldsFunc(mechanism, func(r rune) bool { return r == ',' || r == ' ' }) {
			m = strings.ToUpper(m)
			if caps["AUTH="+m] || m == "LOGIN" {
				mech = m
				break
			}
		}
		if mech == "" {
			return "", fmt.Errorf("the server does not offer %s", mechanism)
		}
	} else {
		for _, m := range mechPreference {
			if caps["AUTH="+m] {
				mech = m
				break
			}
		}
		if mech == "" {
			mech = "LOGIN"
		}
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
