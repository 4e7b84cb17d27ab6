package auth

import (
	"context"
	"errors"
	"fmt"
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

// sasldbChecker is the auxprop method.
type sasldbChecker struct{ store *sasldb.Store }

func (c sasldbChecker) checkPassword(ctx context.Context, userid, password string) (bool, error) {
	return c.store.Verify(ctx, userid, password)
}

// alwaysTrue accepts every password (test rigs).
type alwaysTrue struct{}

func (alwaysTrue) checkPassword(context.Context, string, string) (bool, error) { return true, nil }

// checkerList tries each method in turn, as Cyrus SASL does.
type checkerList []passwordChecker

func (l checkerList) checkPassword(ctx context.Context, userid, password string) (bool, error) {
	var errs []error
	for _, c := range l {
		ok, err := c.checkPassword(ctx, userid, password)
		if ok && err == nil {
			return true, nil
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return false, fmt.Errorf("%w: %w", ErrUnavailable, errors.Join(errs...))
	}
	return false, nil
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
			list = append(list, sasldbChecker{opts.SASLDB})
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
