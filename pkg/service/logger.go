package service

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"log/syslog"
	"os"
	"sync"
)

// NewLogger returns the logger a daemon (or master) uses: syslog, with the ident
// "<syslogPrefix>/<name>", when syslogPrefix is set and a syslog daemon answers; otherwise text
// lines on w. Every line carries service=<name> and pid=<our pid>.
func NewLogger(syslogPrefix, name string, level slog.Level, w io.Writer) *slog.Logger {
	return slog.New(NewHandler(syslogPrefix, name, level, w)).With("service", name, "pid", os.Getpid())
}

// NewHandler is NewLogger's handler without the service and pid attributes (master adds its
// children's own).
func NewHandler(syslogPrefix, name string, level slog.Level, w io.Writer) slog.Handler {
	opts := &slog.HandlerOptions{Level: level}
	if syslogPrefix != "" {
		if sw, err := syslog.New(syslog.LOG_MAIL|syslog.LOG_INFO, syslogPrefix+"/"+name); err == nil {
			return NewSyslogHandler(sw, opts)
		}
	}
	return slog.NewTextHandler(w, opts)
}

// SyslogHandler formats records like slog's TextHandler (without the time, which syslog adds)
// and sends each as one message at the matching syslog priority.
type SyslogHandler struct {
	w    *syslog.Writer
	mu   *sync.Mutex
	buf  *bytes.Buffer
	text slog.Handler
}

// NewSyslogHandler wraps w.
func NewSyslogHandler(w *syslog.Writer, opts *slog.HandlerOptions) *SyslogHandler {
	o := slog.HandlerOptions{}
	if opts != nil {
		o = *opts
	}
	next := o.ReplaceAttr
	o.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey) {
			return slog.Attr{}
		}
		if next != nil {
			return next(groups, a)
		}
		return a
	}
	buf := new(bytes.Buffer)
	return &SyslogHandler{w: w, mu: new(sync.Mutex), buf: buf, text: slog.NewTextHandler(buf, &o)}
}

func (h *SyslogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.text.Enabled(ctx, l)
}

func (h *SyslogHandler) Handle(ctx context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.buf.Reset()
	if err := h.text.Handle(ctx, r); err != nil {
		return err
	}
	msg := string(bytes.TrimRight(h.buf.Bytes(), "\n"))
	switch {
	case r.Level >= slog.LevelError:
		return h.w.Err(msg)
	case r.Level >= slog.LevelWarn:
		return h.w.Warning(msg)
	case r.Level >= slog.LevelInfo:
		return h.w.Info(msg)
	default:
		return h.w.Debug(msg)
	}
}

func (h *SyslogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &SyslogHandler{w: h.w, mu: h.mu, buf: h.buf, text: h.text.WithAttrs(as)}
}

func (h *SyslogHandler) WithGroup(name string) slog.Handler {
	return &SyslogHandler{w: h.w, mu: h.mu, buf: h.buf, text: h.text.WithGroup(name)}
}
