package service

import "testing"

// FuzzParseEnv: whatever master (or anyone) puts in the CYRUS_*
// variables, parsing them never panics.
func FuzzParseEnv(f *testing.F) {
	f.Add("imap", "3", "1", "100", "-5", "99999999999999999999", "x")
	f.Add("", "", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, svc, id, daemon, maxchild, maxfds, idle, other string) {
		env := map[string]string{EnvService: svc, EnvID: id, EnvIsDaemon: daemon, EnvMaxChild: maxchild,
			EnvMaxFDs: maxfds, EnvIdleTimeout: idle, EnvVerbose: other, EnvLifelineFD: other, EnvReadyFD: other, EnvListenFDs: other}
		_, _ = parseEnv(func(k string) string { return env[k] })
	})
}
