// Command quota reports quota roots and, with -f, recomputes their usage
// from the spool.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

func main() {
	cmd := &cli.Command{
		Name:      "quota",
		Usage:     "report quota roots; -f recomputes usage from the spool",
		UsageText: "quota [-C file] [-d domain] [-f [-n]] [-q] [-J] [-u] [root...]",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "f", Usage: "recompute usage from every mailbox's index and fix the stored figures"},
			&cli.BoolFlag{Name: "n", Usage: "with -f: report what would change, change nothing"},
			&cli.BoolFlag{Name: "q", Usage: "no report (with -f: only the fixes)"},
			&cli.BoolFlag{Name: "J", Usage: "report in JSON"},
			&cli.BoolFlag{Name: "u", Usage: "the arguments are userids"},
			&cli.StringFlag{Name: "d", Usage: "only roots in `DOMAIN`"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

func run(ctx context.Context, cmd *cli.Command) error {
	if cmd.Bool("n") && !cmd.Bool("f") {
		return tool.Fail(tool.ExitUsage, "-n goes with -f")
	}
	env, st, err := tool.SetupStore(cmd, "quota")
	if err != nil {
		return err
	}
	defer st.DB().Close()
	var prefixes []string
	for _, arg := range cmd.Args().Slice() {
		name, err := env.Internal(arg, cmd.Bool("u"))
		if err != nil {
			return tool.Fail(tool.ExitDataErr, "%s: %v", arg, err)
		}
		prefixes = append(prefixes, name)
	}
	roots, err := selectRoots(ctx, st, prefixes, cmd.String("d"))
	if err != nil {
		return err
	}
	if cmd.Bool("f") {
		if err := fix(ctx, env, st, roots, len(prefixes) == 0 && cmd.String("d") == "", cmd.Bool("n")); err != nil {
			return err
		}
		if roots, err = selectRoots(ctx, st, prefixes, cmd.String("d")); err != nil {
			return err
		}
	}
	switch {
	case cmd.Bool("q"):
		return nil
	case cmd.Bool("J"):
		return reportJSON(env, roots)
	default:
		report(env, roots)
		return nil
	}
}

// selectRoots returns the roots that are one of prefixes or below one
// (all roots without prefixes), limited to a domain when asked.
func selectRoots(ctx context.Context, st *store.Store, prefixes []string, domain string) ([]quota.Root, error) {
	all, err := st.QuotaRoots(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []quota.Root
	for _, r := range all {
		if domain != "" {
			if d, _ := mboxname.SplitDomain(r.Name); d != domain {
				continue
			}
		}
		if len(prefixes) > 0 && !matchesAny(r.Name, prefixes) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func matchesAny(name string, prefixes []string) bool {
	for _, p := range prefixes {
		if name == p || mboxname.IsDescendant(name, p) {
			return true
		}
	}
	return false
}

// fix recomputes each root's usage from the spool (store.FixUsage) and
// reports what changed. Without a selection the usage of the mailboxes no
// root governs is fixed too: a root created later takes it over.
func fix(ctx context.Context, env *tool.Env, st *store.Store, roots []quota.Root, all, dryRun bool) error {
	unreadable := func(e *store.UnreadableError) {
		fmt.Fprintf(env.Stderr, "quota: %s: %v (run reconstruct)\n", env.External(e.Mailbox), e.Err)
	}
	// Charges a crashed process left pending are synced with the indexes
	// first (what master does after a crash). What is reported is every
	// change from the usage recorded when quota started, that repair's
	// included, so -f and -n report the same drift.
	if !dryRun {
		if _, err := st.ResolvePending(ctx); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(roots)+1)
	for _, r := range roots {
		names = append(names, r.Name)
	}
	if all {
		names = append(names, "")
	}
	recorded := make(map[string]quota.Usage, len(roots))
	for _, r := range roots {
		recorded[r.Name] = r.Usage
	}
	for _, name := range names {
		before, after, err := st.FixUsage(ctx, name, dryRun, unreadable)
		if err != nil {
			return err
		}
		if name == "" {
			continue // not a root: nothing to report
		}
		if u, ok := recorded[name]; ok {
			before = u
		}
		for i := 0; i < quota.NumResources; i++ {
			if after[i] != before[i] {
				fmt.Fprintf(env.Stderr, "%s: %s usage was %d, now %d\n", name, quota.Resource(i), before[i], after[i])
			}
		}
	}
	return nil
}

// report prints Cyrus's table: limit, percent used, used (KiB for storage), resource, root.
func report(env *tool.Env, roots []quota.Root) {
	fmt.Fprintf(env.Stdout, "%8s %8s %8s %20s %s\n", "Quota", "% Used", "Used", "Resource", "Root")
	for _, r := range roots {
		name := env.External(r.Name)
		for i := 0; i < quota.NumResources; i++ {
			res := quota.Resource(i)
			used := r.Usage.Display(res)
			if lim := r.Limits[i]; lim >= 0 {
				pct := int64(0)
				if lim > 0 {
					pct = used * 100 / lim
				}
				fmt.Fprintf(env.Stdout, "%8d %8d %8d %20s %s\n", lim, pct, used, res, name)
			} else {
				fmt.Fprintf(env.Stdout, "%8s %8s %8d %20s %s\n", "", "", used, res, name)
			}
		}
	}
}

// reportJSON prints {"root": {"RESOURCE": {"used": n, "limit": n}}} with
// usage in bytes and limits in bytes for storage, as Cyrus's -J does.
func reportJSON(env *tool.Env, roots []quota.Root) error {
	var b strings.Builder
	b.WriteString("{")
	for n, r := range roots {
		if n > 0 {
			b.WriteString(",")
		}
		key, _ := json.Marshal(env.External(r.Name))
		fmt.Fprintf(&b, "\n  %s: {", key)
		for i := 0; i < quota.NumResources; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "\n    %q: {\n      \"used\": %d", quota.Resource(i).String(), r.Usage[i])
			if lim := r.Limits[i]; lim >= 0 {
				if i == int(quota.Storage) || i == int(quota.AnnotationStorage) {
					lim *= 1024
				}
				fmt.Fprintf(&b, ",\n      \"limit\": %d", lim)
			}
			b.WriteString("\n    }")
		}
		b.WriteString("\n  }")
	}
	b.WriteString("\n}\n")
	_, err := fmt.Fprint(env.Stdout, b.String())
	return err
}
