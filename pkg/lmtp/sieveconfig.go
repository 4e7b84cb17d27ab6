package lmtp

import (
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/duplicate"
	"gocyrus/pkg/sieve"
	"gocyrus/pkg/sievescripts"
)

// sieveConfig is what Sieve at delivery needs from imapd.conf.
type sieveConfig struct {
	cache                    *scriptCache
	memory                   *duplicate.Store // vacation and duplicate-test records, kept even without duplicatesuppression
	sendmail                 string           // redirects, vacation replies, reject bounces
	postmaster               string           // sender of reject bounces
	lmtpReject               bool             // sieve_use_lmtp_reject
	vacationMin, vacationMax time.Duration
}

func newSieveConfig(cfg *config.Config, db cyrusdb.DB) *sieveConfig {
	scripts := sievescripts.FromConfig(cfg)
	exts := cfg.SieveExtensions()
	sc := &sieveConfig{
		cache: &scriptCache{scripts: scripts, opts: func(userid string) sieve.Options {
			return sieve.Options{Extensions: exts, Include: scripts.Include(userid)}
		}},
		memory:      duplicate.New(db, duplicate.DefaultTTL),
		sendmail:    cfg.Sendmail(),
		postmaster:  cfg.Postmaster(),
		lmtpReject:  cfg.SieveUseLmtpReject(),
		vacationMin: cfg.SieveVacationMinResponse(),
		vacationMax: cfg.SieveVacationMaxResponse(),
	}
	if sc.vacationMax < sc.vacationMin {
		sc.vacationMax = sc.vacationMin
	}
	return sc
}
