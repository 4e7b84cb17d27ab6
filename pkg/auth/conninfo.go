package auth

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"strings"
)

// ConnInfo describes the client connection an authentication happens on.
type ConnInfo struct {
	// TLS is the state of the connection's TLS layer, nil before TLS is
	// active. EXTERNAL needs VerifiedChains, i.e. a client certificate
	// checked against tls_client_ca_file / tls_client_ca_dir.
	TLS *tls.ConnectionState
	// Remote is the client's address, for logs; may be nil.
	Remote net.Addr
	// Domain is, with virtdomains on, the domain the protocol layer found
	// for the server address the client reached; it qualifies unqualified
	// login names. Empty otherwise.
	Domain string
}

func (c ConnInfo) tlsActive() bool { return c.TLS != nil }

// SSF is the connection's security strength factor as Cyrus counts it:
// the key bits of its TLS cipher, 0 without TLS. No SASL mechanism here
// negotiates a security layer of its own, so TLS is the only source.
func (c ConnInfo) SSF() int {
	if c.TLS == nil {
		return 0
	}
	name := tls.CipherSuiteName(c.TLS.CipherSuite)
	switch {
	case strings.Contains(name, "AES_256"), strings.Contains(name, "CHACHA20"):
		return 256
	case strings.Contains(name, "AES_128"):
		return 128
	case strings.Contains(name, "3DES"):
		return 112
	}
	return 0
}

func (c ConnInfo) remote() string {
	if c.Remote == nil {
		return ""
	}
	return c.Remote.String()
}

// ExternalIdentity returns the login name EXTERNAL would use on this
// connection: the verified client certificate's subject Common Name, else
// its first email SAN. ok is false without a verified certificate or with
// neither name.
func (c ConnInfo) ExternalIdentity() (name string, ok bool) {
	if c.TLS == nil || len(c.TLS.VerifiedChains) == 0 || len(c.TLS.VerifiedChains[0]) == 0 {
		return "", false
	}
	return certIdentity(c.TLS.VerifiedChains[0][0])
}

func certIdentity(cert *x509.Certificate) (string, bool) {
	if cert.Subject.CommonName != "" {
		return cert.Subject.CommonName, true
	}
	if len(cert.EmailAddresses) > 0 && cert.EmailAddresses[0] != "" {
		return cert.EmailAddresses[0], true
	}
	return "", false
}
