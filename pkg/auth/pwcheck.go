package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"gocyrus/pkg/config"
	"gocyrus/pkg/sasldb"
)

// Names of the sasl_pwcheck_method values.
const (
	PwcheckAuxprop    = "auxprop"
	PwcheckSaslauthd  = "saslauthd"
	PwcheckAlwaysTrue = "alwaystrue"
)

// passwordChecker verifies one plaintext password. A wrong password or an
// unknown user is (false, nil); an error means the backend could not say.
type passwordChecker interface {
	checkPassword(ctx context.Context, userid, password string) (bool, error)
}

// sasldbChecker is the auxprop method. verified spares a user's repeated
// logins with an unchanged password the key derivation (verified.go).
type sasldbChecker struct {
	store    *sasldb.Store
	verified *verifiedCache
}

func (c sasldbChecker) checkPassword(ctx context.Context, userid, password string) (bool, error) {
	cred, err := c.store.Credential(ctx, userid, sasldb.ScramSHA256)
	if errors.Is(err, sasldb.ErrNoUser) {
		c.verified.forget(userid)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if c.verified.known(userid, password, cred) {
		return true, nil
	}
	if !cred.Matches(userid, password) {
		return false, nil
	}
	c.verified.remember(userid, password, cred)
	return true, nil
}

// alwaysTrue accepts every password (test rigs).
type alwaysTrue struct{}

func (alwaysTrue) checkPassword(context.Context, string, string) (bool, error) { return true, nil }

// checkerList tries each method in turn, as Cyrus SASL does.
type checkerList []passwordChecker

func (l checkerList) checkPassword(ctx context.Context, userid, password string) (bool, error) {
	c, err := l.accepting(ctx, userid, password)
	return c != nil, err
}

// accepting returns the first checker that accepts the password; nil with
// an error wrapping ErrUnavailable when none did and some could not say.
func (l checkerList) accepting(ctx context.Context, userid, password string) (passwordChecker, error) {
	var errs []error
	for _, c := range l {
		ok, err := c.checkPassword(ctx, userid, password)
		if ok && err == nil {
			return c, nil
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, errors.Join(errs...))
	}
	return nil, nil
}

// transitioning is sasl_auto_transition: a password another method (say
// saslauthd) accepted is stored in the sasldb too, as SCRAM keys (the
// sasldb keeps no plaintext), so the user can use SCRAM from then on.
type transitioning struct {
	list  checkerList
	store *sasldb.Store
	log   *slog.Logger
}

func (t transitioning) checkPassword(ctx context.Context, userid, password string) (bool, error) {
	c, err := t.list.accepting(ctx, userid, password)
	if c == nil {
		return false, err
	}
	if _, fromSasldb := c.(sasldbChecker); !fromSasldb {
		t.transition(ctx, userid, password)
	}
	return true, nil
}

// transition stores the credentials unless the sasldb already accepts
// this password; a failure only costs the user SCRAM, so it is logged.
func (t transitioning) transition(ctx context.Context, userid, password string) {
	if ok, err := t.store.Verify(ctx, userid, password); ok && err == nil {
		return
	}
	if err := t.store.SetPassword(ctx, userid, password, true); err != nil {
		t.log.Warn("auth: sasl_auto_transition: storing credentials", "user", userid, "err", err)
		return
	}
	t.log.Info("auth: sasl_auto_transition: credentials stored", "user", userid)
}

// pwcheckMethods splits sasl_pwcheck_method; empty means auxprop.
func pwcheckMethods(cfg *config.Config) []string {
	methods := strings.Fields(strings.ToLower(cfg.SaslPwcheckMethod()))
	if len(methods) == 0 {
		return []string{PwcheckAuxprop}
	}
	return methods
}

// buildCheckers makes the checkers for methods. It reports whether a sasldb
// is among them (which makes SCRAM possible).
func buildCheckers(methods []string, cfg *config.Config, opts Options) (checkerList, bool, error) {
	var list checkerList
	hasSasldb := false
	for _, m := range methods {
		switch m {
		case PwcheckAuxprop:
			if opts.SASLDB == nil {
				return nil, false, errors.New("auth: sasl_pwcheck_method auxprop needs the sasldb (Options.SASLDB)")
			}
			list = append(list, sasldbChecker{opts.SASLDB, newVerifiedCache(verifiedCacheSize)})
			hasSasldb = true
		case PwcheckSaslauthd:
			if opts.Service == "" {
				return nil, false, errors.New("auth: sasl_pwcheck_method saslauthd needs a service name (Options.Service)")
			}
			list = append(list, &saslauthd{
				path:    cfg.SaslSaslauthdPath(),
				timeout: cfg.ClientTimeout(),
				service: opts.Service,
			})
		case PwcheckAlwaysTrue:
			list = append(list, alwaysTrue{})
		default:
			return nil, false, fmt.Errorf("auth: unknown sasl_pwcheck_method %q (known: auxprop, saslauthd, alwaystrue)", m)
		}
	}
	return list, hasSasldb, nil
}
