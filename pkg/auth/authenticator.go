package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/metrics"
	"gocyrus/pkg/sasldb"
)

// SASL mechanism names.
const (
	MechPlain       = "PLAIN"
	MechLogin       = "LOGIN"
	MechScramSHA1   = "SCRAM-SHA-1"
	MechScramSHA256 = "SCRAM-SHA-256"
	MechCRAMMD5     = "CRAM-MD5"
	MechExternal    = "EXTERNAL"
	MechAnonymous   = "ANONYMOUS"
)

// defaultMechOrder is the advertising order without sasl_mech_list.
var defaultMechOrder = []string{
	MechScramSHA256, MechScramSHA1, MechCRAMMD5, MechPlain, MechLogin, MechExternal, MechAnonymous,
}

// Options are what New needs besides the configuration.
type Options struct {
	// SASLDB is the user database of the auxprop method; required when
	// sasl_pwcheck_method names it (or is empty).
	SASLDB *sasldb.Store
	// Service is the SASL service name — "imap", "pop", "sieve", "lmtp" —
	// sent to saslauthd (PAM uses it); required with saslauthd.
	Service string
	// Secrets, when set, supplies plaintext secrets and so enables CRAM-MD5
	// and APOP.
	Secrets PlainSecretSource
	// FailureDelay is the mean pause before reporting a failure: 0 means
	// DefaultFailureDelay, NoFailureDelay (or any negative) none.
	FailureDelay time.Duration
	// Logger receives failures and warnings; nil discards.
	Logger *slog.Logger
}

// Authenticator authenticates the users of one service. Safe for
// concurrent use.
type Authenticator struct {
	cfg        *config.Config
	canon      canonicalizer
	policy     policy
	checker    passwordChecker
	sasldb     *sasldb.Store // nil unless auxprop is a method: no SCRAM then
	secrets    PlainSecretSource
	mechList   []string // sasl_mech_list upper-cased, nil = all
	servername string
	delay      time.Duration
	decoyKey   [32]byte // keys decoy SCRAM credentials of unknown users
	log        *slog.Logger
}

// New builds the Authenticator of a service from its configuration view.
// An unknown sasl_pwcheck_method, or a method whose backend is missing
// from opts, is an error naming it.
func New(cfg *config.Config, opts Options) (*Authenticator, error) {
	if cfg == nil {
		return nil, errors.New("auth: nil configuration")
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	methods := pwcheckMethods(cfg)
	checkers, hasSasldb, err := buildCheckers(methods, cfg, opts)
	if err != nil {
		return nil, err
	}
	if slices.Contains(methods, PwcheckAlwaysTrue) {
		log.Warn("auth: sasl_pwcheck_method alwaystrue accepts every password; use it only in test rigs")
	}
	if path, ok := cfg.Lookup("sasl_sasldb_path"); ok && path != "" {
		log.Warn("auth: sasl_sasldb_path is not read at login: gocyrus keeps its users in its own sasldb; bring that file's users across once with saslpasswd -i", "path", path)
	}
	canon := newCanonicalizer(cfg)
	a := &Authenticator{
		cfg:        cfg,
		canon:      canon,
		policy:     newPolicy(cfg, canon, log),
		checker:    checkers,
		secrets:    opts.Secrets,
		servername: cfg.Servername(),
		delay:      opts.FailureDelay,
		log:        log,
	}
	if hasSasldb {
		a.sasldb = opts.SASLDB
	}
	if cfg.SaslAutoTransition() && opts.SASLDB != nil {
		a.checker = transitioning{list: checkers, store: opts.SASLDB, log: log}
	}
	if a.delay == 0 {
		a.delay = DefaultFailureDelay
	}
	if a.servername == "" {
		a.servername = "localhost"
	}
	for _, m := range cfg.SaslMechList() {
		m = strings.ToUpper(m)
		if !slices.Contains(defaultMechOrder, m) {
			log.Warn("auth: sasl_mech_list names a mechanism gocyrus does not have", "mechanism", m)
			continue
		}
		a.mechList = append(a.mechList, m)
	}
	if len(cfg.SaslMechList()) > 0 && len(a.mechList) == 0 {
		return nil, fmt.Errorf("auth: sasl_mech_list %q names no known mechanism", strings.Join(cfg.SaslMechList(), " "))
	}
	if _, err := rand.Read(a.decoyKey[:]); err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	return a, nil
}

// PlaintextAllowed reports whether a password may be sent in the clear
// (IMAP LOGIN, POP3 USER/PASS, PLAIN, LOGIN): under TLS, or everywhere with
// allowplaintext. When false imapd advertises LOGINDISABLED.
func (a *Authenticator) PlaintextAllowed(tlsActive bool) bool {
	if (a.cfg.TlsRequired() || a.cfg.SaslMinimumLayer() > 0) && !tlsActive {
		return false
	}
	return tlsActive || a.cfg.Allowplaintext()
}

// strongEnough reports whether conn meets sasl_minimum_layer: below it no
// authentication may succeed, since no mechanism here can add a layer.
func (a *Authenticator) strongEnough(conn ConnInfo) bool {
	return conn.SSF() >= a.cfg.SaslMinimumLayer()
}

// MechanismsFor returns the SASL mechanisms to advertise on conn, in
// sasl_mech_list order when it is set.
func (a *Authenticator) MechanismsFor(conn ConnInfo) []string {
	order := defaultMechOrder
	if a.mechList != nil {
		order = a.mechList
	}
	var out []string
	for _, m := range order {
		if a.offers(m, conn) {
			out = append(out, m)
		}
	}
	return out
}

// offers reports whether mech can succeed on conn under the configuration.
func (a *Authenticator) offers(mech string, conn ConnInfo) bool {
	if a.cfg.TlsRequired() && !conn.tlsActive() || !a.strongEnough(conn) {
		return false
	}
	if a.mechList != nil && !slices.Contains(a.mechList, mech) {
		return false
	}
	switch mech {
	case MechPlain, MechLogin:
		return a.PlaintextAllowed(conn.tlsActive())
	case MechScramSHA1, MechScramSHA256:
		return a.sasldb != nil
	case MechCRAMMD5:
		return a.secrets != nil
	case MechExternal:
		_, ok := conn.ExternalIdentity()
		return ok
	case MechAnonymous:
		return a.cfg.Allowanonymouslogin()
	}
	return false
}

// APOPAvailable reports whether pop3d should offer APOP (and put the
// challenge in its greeting): allowapop, a plaintext secret source, and
// TLS when tls_required.
func (a *Authenticator) APOPAvailable(conn ConnInfo) bool {
	if a.cfg.TlsRequired() && !conn.tlsActive() {
		return false
	}
	return a.secrets != nil && a.cfg.Allowapop()
}

// CheckPassword authenticates a plaintext login (IMAP LOGIN, POP3
// USER/PASS). "anonymous" with any password is the anonymous identity when
// allowanonymouslogin is set. Errors wrap ErrTLSRequired, ErrAuthFailed,
// ErrAnonymousRefused or ErrUnavailable; failures are delayed.
func (a *Authenticator) CheckPassword(ctx context.Context, conn ConnInfo, user, password string) (Result, error) {
	res, err := a.checkPassword(ctx, conn, user, password)
	return a.finish(ctx, conn, MechPassword, user, res, err)
}

func (a *Authenticator) checkPassword(ctx context.Context, conn ConnInfo, user, password string) (Result, error) {
	if !a.PlaintextAllowed(conn.tlsActive()) || !a.strongEnough(conn) {
		return Result{}, ErrTLSRequired
	}
	userid, err := a.canon.userid(user, conn.Domain)
	if err != nil {
		return Result{}, err
	}
	if userid == AnonymousUser {
		if !a.cfg.Allowanonymouslogin() {
			return Result{}, ErrAnonymousRefused
		}
		return anonymousResult(MechPassword), nil
	}
	return a.verifyPassword(ctx, MechPassword, userid, password)
}

// verifyPassword checks the password of a canonical, non-anonymous userid.
func (a *Authenticator) verifyPassword(ctx context.Context, mech, userid, password string) (Result, error) {
	ok, err := a.checker.checkPassword(ctx, userid, password)
	if err != nil {
		return Result{}, err // wraps ErrUnavailable
	}
	if !ok {
		return Result{}, fmt.Errorf("%w: %s", ErrAuthFailed, userid)
	}
	return a.resultFor(mech, userid, userid), nil
}

// authorizeLogin canonicalises an authorization identity requested by
// authcid and applies the proxy policy. An empty authzid means authcid.
func (a *Authenticator) authorizeLogin(conn ConnInfo, authcid, authzid string) (string, error) {
	if authzid == "" {
		return authcid, nil
	}
	z, err := a.canon.userid(authzid, conn.Domain)
	if err != nil {
		return "", fmt.Errorf("%w: authorization identity: %w", ErrNotAuthorized, err)
	}
	if err := a.policy.authorize(authcid, z); err != nil {
		return "", err
	}
	return z, nil
}

func (a *Authenticator) resultFor(mech, user, authUser string) Result {
	return Result{User: user, AuthUser: authUser, Mechanism: mech, Admin: a.policy.isAdmin(user)}
}

func anonymousResult(mech string) Result {
	return Result{User: AnonymousUser, AuthUser: AnonymousUser, Mechanism: mech, Anonymous: true}
}

// finish logs the outcome and delays failures. login is the name as the
// client sent it (never a password).
func (a *Authenticator) finish(ctx context.Context, conn ConnInfo, mech, login string, res Result, err error) (Result, error) {
	metrics.Login(err == nil)
	if err == nil {
		a.log.Info("auth: login", "user", res.User, "authuser", res.AuthUser, "mechanism", mech,
			"remote", conn.remote(), "admin", res.Admin)
		return res, nil
	}
	a.log.Info("auth: failed", "login", login, "mechanism", mech, "remote", conn.remote(), "error", err)
	if !errors.Is(err, ErrTLSRequired) && !errors.Is(err, ErrMechanismUnavailable) {
		failurePause(ctx, a.delay)
	}
	return Result{}, err
}
