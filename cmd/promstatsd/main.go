// Command promstatsd collates the Prometheus statistics every service
// process counts (prometheus_enabled, pkg/metrics) and serves the total at
// /metrics over HTTP. Cyrus's promstatsd writes a report that its httpd
// serves; gocyrus has no httpd, so promstatsd serves it itself, as a
// SERVICE of cyrus.conf (prometheus cmd="promstatsd" listen="127.0.0.1:9090")
// or alone with -l ADDR. Run from DAEMON (no listen=) it only folds the
// counts of exited processes every prometheus_update_freq. -c removes the
// statistics files (at START). See promstatsd(8).
package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/daemon"
	"gocyrus/pkg/auth"
	"gocyrus/pkg/metrics"
	"gocyrus/pkg/service"
)

// usage is Cyrus 3.6's, what -h prints.
const usage = "Usage:\n    promstatsd [-C alt_config] [-v] [-f frequency] [-d]\n    promstatsd [-C alt_config] [-v] -c\n"

func main() { os.Exit(daemon.ExitCode("promstatsd", run)) }

func run(args []string) error {
	var verbose, debug, cleanup bool
	var freq int
	env, err := daemon.Start(daemon.Spec{Program: "promstatsd", Service: "prometheus", SASLService: "prometheus",
		Summary: "the Prometheus statistics daemon", Usage: usage}, args,
		&cli.BoolFlag{Name: "v", Destination: &verbose, Usage: "verbose"},
		&cli.IntFlag{Name: "f", Destination: &freq, Usage: "fold exited processes' counts every `seconds`"},
		&cli.BoolFlag{Name: "d", Destination: &debug, Usage: "debug mode (accepted: promstatsd never detaches)"},
		&cli.BoolFlag{Name: "c", Destination: &cleanup, Usage: "remove the statistics files and exit"})
	if err != nil {
		return err
	}
	defer env.Close()
	dir := env.Cfg.PrometheusStatsDir()
	if cleanup {
		return metrics.Cleanup(dir)
	}
	if !env.Cfg.PrometheusEnabled() {
		env.Log.Warn("Prometheus metrics are not being tracked.  Set prometheus_enabled in imapd.conf")
	}
	every := daemon.StatsUpdateFreq(env.Cfg)
	if freq > 0 {
		every = time.Duration(freq) * time.Second
	}
	if every <= 0 {
		every = 10 * time.Second
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go fold(ctx, dir, every, env.Log)
	if senv, err := service.ReadEnv(); err == nil && senv.IsDaemon && len(env.Flags.Listen) == 0 {
		env.Log.Info("no listen address (a DAEMON entry): folding statistics only; give promstatsd a SERVICE entry with listen= to serve /metrics")
		<-ctx.Done()
		return nil
	}
	h := &handler{dir: dir, need: env.Cfg.PrometheusNeedAuth(), auth: env.Auth, log: env.Log}
	return env.Serve(serveHTTP(ctx, h, env.Log), service.Options{})
}

// fold collates every period so the files of exited processes are folded
// into the totals even when nobody scrapes.
func fold(ctx context.Context, dir string, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := metrics.Collate(dir, log); err != nil {
				log.Error("collating statistics", "err", err)
			}
		}
	}
}

// handler answers GET /metrics with the collated report.
type handler struct {
	dir  string
	need string // prometheus_need_auth: none, user, admin
	auth *auth.Authenticator
	log  *slog.Logger
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/metrics" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	if h.need != "none" && !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="Cyrus Prometheus"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	s, err := metrics.Collate(h.dir, h.log)
	if err != nil {
		h.log.Error("collating statistics", "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", metrics.ContentType)
	metrics.WriteText(w, s)
}

// authorized checks HTTP basic credentials: any valid user for "user",
// an administrator for "admin".
func (h *handler) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	ci := auth.ConnInfo{TLS: r.TLS}
	if a, err := net.ResolveTCPAddr("tcp", r.RemoteAddr); err == nil {
		ci.Remote = a
	}
	res, err := h.auth.CheckPassword(r.Context(), ci, user, pass)
	if err != nil || res.Anonymous {
		return false
	}
	return h.need != "admin" || res.IsGlobalAdmin()
}

// serveHTTP adapts net/http to the service skeleton: each connection
// master hands over is served by one http.Server, and the handler returns
// when the connection is closed, so maxchild counts HTTP connections.
func serveHTTP(ctx context.Context, h http.Handler, log *slog.Logger) service.Handler {
	l := &connListener{conns: make(chan net.Conn), done: make(chan struct{})}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second, IdleTimeout: 5 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
	go srv.Serve(l)
	context.AfterFunc(ctx, func() { srv.Close() })
	return func(hctx context.Context, conn net.Conn) {
		c := &trackedConn{Conn: conn, closed: make(chan struct{})}
		select {
		case l.conns <- c:
		case <-hctx.Done():
			conn.Close()
			return
		}
		select {
		case <-c.closed:
		case <-hctx.Done():
			c.Close()
		}
	}
}

// connListener is a net.Listener fed by the service's handler.
type connListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *connListener) Addr() net.Addr { return &net.TCPAddr{} }

// trackedConn tells the handler when http.Server is done with it.
type trackedConn struct {
	net.Conn
	once   sync.Once
	closed chan struct{}
}

func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { close(c.closed) })
	return err
}
