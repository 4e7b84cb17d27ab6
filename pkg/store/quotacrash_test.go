package store

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
)

// The crash child: the test binary re-executed with these set opens the
// site online (the parent serves the databases), makes one change and
// exits with crashExit at the named point of its commit, as a kill -9
// would leave it.
const (
	envCrashRole  = "STORE_TEST_CRASH_OP"
	envCrashPoint = "STORE_TEST_CRASH_POINT"
	envCrashDir   = "STORE_TEST_CRASH_DIR"
	envCrashMode  = "STORE_TEST_CRASH_EXPUNGE_MODE"
	crashExit     = 3
)

func TestMain(m *testing.M) {
	if op := os.Getenv(envCrashRole); op != "" {
		if err := crashChild(op, os.Getenv(envCrashPoint), os.Getenv(envCrashDir), os.Getenv(envCrashMode)); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0) // never reached the crash point: the parent fails
	}
	os.Exit(m.Run())
}

func crashConfig(dir, expungeMode string) (*config.Config, error) {
	cfg := config.New()
	for _, kv := range [][2]string{
		{"configdirectory", filepath.Join(dir, "config")},
		{"partition-default", filepath.Join(dir, "spool")},
		{"expunge_mode", expungeMode},
	} {
		if err := cfg.Set(kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

func crashChild(op, point, dir, expungeMode string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg, err := crashConfig(dir, expungeMode)
	if err != nil {
		return err
	}
	db, err := cyrusdb.Open(filepath.Join(dir, "config"), cyrusdb.Options{})
	if err != nil {
		return err
	}
	st, err := New(cfg, db, nil)
	if err != nil {
		return err
	}
	open := func(name string) (*mailbox.Mailbox, error) {
		e, err := st.list.Lookup(ctx, name)
		if err != nil {
			return nil, err
		}
		d, err := st.Dir(e)
		if err != nil {
			return nil, err
		}
		opts := st.mailboxOptions(e, quota.Strict)
		opts.CrashAt = func(p string) {
			if p == point {
				os.Exit(crashExit)
			}
		}
		return mailbox.Open(d, opts)
	}
	src, err := open("user.c")
	if err != nil {
		return err
	}
	switch op {
	case "append":
		_, err = src.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader(crashMsg(9))}})
	case "expunge":
		_, err = src.Expunge(ctx, []uint32{1})
	case "move": // COPY into user.c.dst, then EXPUNGE the source
		dst, err2 := open("user.c.dst")
		if err2 != nil {
			return err2
		}
		if _, _, err = dst.CopyFrom(ctx, src, []uint32{1}); err == nil {
			_, err = src.Expunge(ctx, []uint32{1})
		}
	default:
		return fmt.Errorf("unknown op %q", op)
	}
	return err
}

func crashMsg(i int) string {
	return fmt.Sprintf("From: a@b\r\nSubject: crash %d\r\n\r\n%s\r\n", i, strings.Repeat("x", 100*i))
}

// TestQuotaExactAfterCrash: a process that dies at any point of a change
// of usage (after charging quota and before its index commit, or after the
// commit) leaves the charge what the next writer, or ResolvePending (what
// master runs when a child dies), makes exactly what the spool holds.
// Append, expunge (delayed and immediate) and MOVE, crashed at either
// point, then repaired by either.
func TestQuotaExactAfterCrash(t *testing.T) {
	for _, op := range []string{"append", "expunge", "move"} {
		for _, mode := range []string{"delayed", "immediate"} {
			for _, point := range []string{"charged", "committed"} {
				for _, repair := range []string{"next-writer", "resolve-pending"} {
					t.Run(op+"/"+mode+"/"+point+"/"+repair, func(t *testing.T) { quotaCrash(t, op, mode, point, repair) })
				}
			}
		}
	}
}

func quotaCrash(t *testing.T, op, mode, point, repair string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	cfg, err := crashConfig(dir, mode)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := cyrusdb.OpenServer(filepath.Join(dir, "config"), cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(func() { srv.Close() })
	st, err := New(cfg, srv.DB(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"user.c", "user.c.dst"} {
		if _, err := st.CreateMailbox(ctx, n, CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetQuota(ctx, "user.c", quota.NoLimits()); err != nil {
		t.Fatal(err)
	}
	err = withBox(ctx, st, "user.c", func(mb *mailbox.Mailbox) error {
		_, err := mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader(crashMsg(1))}, {Body: strings.NewReader(crashMsg(2))}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	mailbox.SettlePending() // the setup's marks cleared before the child runs

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envCrashRole+"="+op, envCrashPoint+"="+point, envCrashDir+"="+dir, envCrashMode+"="+mode)
	cmd.Stderr = os.Stderr
	err = cmd.Run()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != crashExit {
		t.Fatalf("child did not die at %q: %v", point, err)
	}
	// Marks of completed commits are cleared; the crashed one's is left.
	if ids, err := st.quota.Pending(ctx); err != nil || len(ids) == 0 {
		t.Fatalf("a crash at %q left no pending mark: %v %v", point, ids, err)
	}

	switch repair {
	case "next-writer": // a change to each mailbox the child touched
		for _, n := range []string{"user.c", "user.c.dst"} {
			err := withBox(ctx, st, n, func(mb *mailbox.Mailbox) error {
				_, err := mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader(crashMsg(3))}})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		mailbox.SettlePending() // the run of appends settles its mark
	case "resolve-pending":
		if _, err := st.ResolvePending(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if ids, err := st.quota.Pending(ctx); err != nil || len(ids) != 0 {
		t.Errorf("still pending after the %s repair: %v %v", repair, ids, err)
	}
	assertUsageMatchesSpool(t, st)
}
