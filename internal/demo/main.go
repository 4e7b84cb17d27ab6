// Command demo is what `make run` runs: it writes a demo configuration
// under ./var/demo on first run (users demo/demo and the admin
// cyrus/cyrus, demo's INBOX), then replaces itself with master on it.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/sasldb"
	"gocyrus/pkg/store"
)

// daemons are the services the demo runs, each started only once its
// binary exists in the build.
var daemons = []struct{ name, cmd, listen, addr string }{
	{"imap", "imapd", "127.0.0.1:1143", "IMAP        127.0.0.1:1143"},
	{"pop3", "pop3d", "127.0.0.1:1110", "POP3        127.0.0.1:1110"},
	// LMTP on loopback TCP trusts its clients (lmtpd -a, as Debian's stock
	// cyrus.conf): without -a a TCP client must AUTH before MAIL.
	{"lmtp", "lmtpd -a", "127.0.0.1:2003", "LMTP        127.0.0.1:2003"},
	{"lmtpunix", "lmtpd", "{configdirectory}/socket/lmtp", "LMTP        {configdirectory}/socket/lmtp"},
	{"sieve", "timsieved", "127.0.0.1:4190", "ManageSieve 127.0.0.1:4190"},
}

func main() {
	dir := flag.String("dir", "var/demo", "demo directory")
	bin := flag.String("bin", "bin", "directory of the built binaries")
	flag.Parse()
	if err := run(*dir, *bin); err != nil {
		fmt.Fprintln(os.Stderr, "make run:", err)
		os.Exit(1)
	}
}

func run(dir, bin string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	bin, err = filepath.Abs(bin)
	if err != nil {
		return err
	}
	configdir := filepath.Join(dir, "config")
	imapdConf := filepath.Join(dir, "imapd.conf")
	cyrusConf := filepath.Join(dir, "cyrus.conf")
	for _, d := range []string{configdir, filepath.Join(dir, "spool"), filepath.Join(dir, "sieve")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return err
		}
	}
	if _, err := os.Stat(imapdConf); errors.Is(err, os.ErrNotExist) {
		cert, key := filepath.Join(dir, "tls", "cert.pem"), filepath.Join(dir, "tls", "key.pem")
		if err := selfSigned(cert, key); err != nil {
			return err
		}
		conf := fmt.Sprintf(`# gocyrus demo configuration, written by "make run" (edit freely; delete var/demo to start afresh)
configdirectory: %s
partition-default: %s
defaultpartition: default
sievedir: %s
servername: localhost
admins: cyrus
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_mech_list: PLAIN LOGIN SCRAM-SHA-1 SCRAM-SHA-256
lmtpsocket: %s/socket/lmtp
# a self-signed certificate made for the demo: STARTTLS, STLS, imaps-style clients
tls_server_cert: %s
tls_server_key: %s
`, configdir, filepath.Join(dir, "spool"), filepath.Join(dir, "sieve"), configdir, cert, key)
		if err := os.WriteFile(imapdConf, []byte(conf), 0o644); err != nil {
			return err
		}
		if err := populate(imapdConf); err != nil {
			return err
		}
	}
	var services, started []string
	for _, d := range daemons {
		if _, err := os.Stat(filepath.Join(bin, strings.Fields(d.cmd)[0])); err != nil {
			continue
		}
		listen := strings.ReplaceAll(d.listen, "{configdirectory}", configdir)
		services = append(services, fmt.Sprintf("  %-9s cmd=%q listen=%q prefork=1", d.name, d.cmd, listen))
		started = append(started, "  "+strings.ReplaceAll(d.addr, "{configdirectory}", configdir))
	}
	if err := os.WriteFile(cyrusConf, []byte(cyrusConfText(services)), 0o644); err != nil {
		return err
	}
	fmt.Println("gocyrus demo: master with", imapdConf, "and", cyrusConf)
	if len(started) == 0 {
		fmt.Println("  (no protocol daemon is built yet: master runs the databases and events only)")
	} else {
		fmt.Println(strings.Join(started, "\n"))
	}
	fmt.Printf("  users: demo/demo (INBOX user.demo), admin cyrus/cyrus\n")
	fmt.Printf("  admin tools: %s/ctl_mboxlist -C %s -d\n", bin, imapdConf)
	fmt.Println("  stop with Ctrl-C")
	master := filepath.Join(bin, "master")
	args := []string{master, "-C", imapdConf, "-M", cyrusConf, "-p", filepath.Join(dir, "master.pid")}
	return syscall.Exec(master, args, os.Environ())
}

// events are the demo's EVENTS entries: Cyrus's stock housekeeping,
// pruning the duplicate-delivery records, delayed-deleted mailboxes and
// delayed-expunged messages at night.
var events = []string{
	`  checkpoint   cmd="ctl_cyrusdb -c" period=30`,
	`  delprune     cmd="cyr_expire -E 3" at=0400`,
	`  deleteprune  cmd="cyr_expire -E 4 -D 28" at=0430`,
	`  expungeprune cmd="cyr_expire -E 4 -X 28" at=0445`,
}

// cyrusConfText is the demo's cyrus.conf with the given SERVICES lines.
func cyrusConfText(services []string) string {
	return "# gocyrus demo services, rewritten by \"make run\" for the daemons built so far\n" +
		"START {\n  recover cmd=\"ctl_cyrusdb -r\"\n}\n" +
		"SERVICES {\n" + strings.Join(services, "\n") + "\n}\n" +
		"EVENTS {\n" + strings.Join(events, "\n") + "\n}\n"
}

// selfSigned writes a self-signed certificate for localhost/127.0.0.1.
func selfSigned(certPath, keyPath string) error {
	if err := os.MkdirAll(filepath.Dir(certPath), 0o700); err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(5, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
}

// populate creates the demo users and demo's INBOX, with the databases
// opened directly (master is not running yet).
func populate(imapdConf string) error {
	cfg, err := config.LoadImapd(imapdConf)
	if err != nil {
		return err
	}
	db, err := cyrusdb.Open(cfg.Configdirectory(), cyrusdb.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	users := sasldb.New(db)
	for _, u := range []string{"demo", "cyrus"} {
		if err := users.SetPassword(ctx, u, u, true); err != nil {
			return err
		}
	}
	st, err := store.New(cfg, db, nil)
	if err != nil {
		return err
	}
	if _, err := st.CreateMailbox(ctx, "user.demo", store.CreateOptions{}); err != nil && !errors.Is(err, mboxlist.ErrExists) {
		return err
	}
	return nil
}
