package cyradm

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// formatResources writes " RES used/limit (pct%)" for each resource; the
// percentage is printed as Perl prints a number (%.15g), and left out when
// the limit is 0.
func formatResources(w io.Writer, res []QuotaResource) {
	for _, q := range res {
		fmt.Fprintf(w, " %s %d/%d", q.Name, q.Used, q.Limit)
		if q.Limit != 0 {
			fmt.Fprintf(w, " (%s%%)", perlNumber(float64(q.Used)*100/float64(q.Limit)))
		}
	}
}

// perlNumber formats f as Perl stringifies a number.
func perlNumber(f float64) string {
	return strconv.FormatFloat(f, 'g', 15, 64)
}

func cmdListQuota(s *Shell, st stdio, args []string) error {
	_, pos, err := getopts("listquota", args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{usage: usageOf("listquota")}
	}
	c, err := s.needClient("listquota")
	if err != nil {
		return err
	}
	res, err := c.GetQuota(pos[0])
	if err != nil {
		// Cyrus's cyradm prints only the empty line; the reason goes to
		// stderr here so that scripts can tell "no quota" from "no limit".
		fmt.Fprintln(st.out)
		return err
	}
	formatResources(st.out, res)
	fmt.Fprintln(st.out)
	return nil
}

// cmdListQuotaRoot prints the first quota root of a mailbox and its
// resources on one line (an empty line when the mailbox has no root).
func cmdListQuotaRoot(s *Shell, st stdio, args []string) error {
	_, pos, err := getopts("listquotaroot", args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{usage: usageOf("listquotaroot")}
	}
	c, err := s.needClient("listquotaroot")
	if err != nil {
		return err
	}
	roots, err := c.GetQuotaRoot(pos[0])
	if err != nil {
		fmt.Fprintln(st.out) // as listquota
		return err
	}
	if len(roots) > 0 {
		io.WriteString(st.out, roots[0].Root)
		formatResources(st.out, roots[0].Resources)
	}
	fmt.Fprintln(st.out)
	return nil
}

// cmdSetQuota: "root value" sets STORAGE (printing "quota:value"), "root
// none" removes the quota (printing "remove quota"), otherwise resource
// and value pairs; a pair with value none is left out.
func cmdSetQuota(s *Shell, st stdio, args []string) error {
	_, pos, err := getopts("setquota", args)
	if err != nil {
		return err
	}
	usage := &usageError{usage: "setquota mailbox limit num [limit num ...]\n       setquota mailbox num"}
	if len(pos) < 2 {
		return usage
	}
	root, rest := pos[0], pos[1:]
	if len(rest) == 1 {
		if strings.EqualFold(rest[0], "none") {
			rest = nil
			fmt.Fprintln(st.out, "remove quota")
		} else {
			rest = []string{"STORAGE", rest[0]}
			fmt.Fprintf(st.out, "quota:%s\n", pos[1])
		}
	}
	if len(rest)%2 != 0 {
		return usage
	}
	var limits []QuotaResource
	for i := 0; i < len(rest); i += 2 {
		if strings.EqualFold(rest[i+1], "none") {
			continue
		}
		n, err := strconv.ParseInt(rest[i+1], 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("setquota: %q is not a number", rest[i+1])
		}
		limits = append(limits, QuotaResource{Name: strings.ToUpper(rest[i]), Limit: n})
	}
	c, err := s.needClient("setquota")
	if err != nil {
		return err
	}
	if err := c.SetQuota(root, limits); err != nil {
		return fmt.Errorf("setquota: %w", err)
	}
	return nil
}
