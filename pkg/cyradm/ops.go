package cyradm

import (
	"errors"
	"strconv"
	"strings"
)

// Mailbox is one LIST/LSUB answer.
type Mailbox struct {
	Name  string
	Flags []string
}

// HasFlag reports whether the mailbox carries flag (case-insensitive).
func (m Mailbox) HasFlag(flag string) bool {
	for _, f := range m.Flags {
		if strings.EqualFold(f, flag) {
			return true
		}
	}
	return false
}

// Selectable is false for \Noselect, \NonExistent and \Placeholder entries,
// which Cyrus's cyradm skips when a command takes a pattern.
func (m Mailbox) Selectable() bool {
	return !m.HasFlag(`\Noselect`) && !m.HasFlag(`\NonExistent`) && !m.HasFlag(`\Placeholder`)
}

// ListOptions select what listmailbox lists.
type ListOptions struct {
	Subscribed bool // only subscribed mailboxes
	SpecialUse bool // only mailboxes with a special use
}

// List lists mailboxes as Cyrus's cyradm does: LSUB for subscribed ones
// alone; otherwise, when the server has LIST-EXTENDED, LIST with the
// selection options and RETURN (SUBSCRIBED [SPECIAL-USE]) (so
// placeholders read \NonExistent and subscribed mailboxes carry
// \Subscribed); plain LIST else. Mailboxes come in server order.
func (c *Client) List(ref, pattern string, o ListOptions) ([]Mailbox, error) {
	if o.Subscribed && !o.SpecialUse {
		return c.list("LSUB", []any{"LSUB", Quoted(ref), Quoted(pattern)})
	}
	extended := c.Has("LIST-EXTENDED")
	if o.SpecialUse && !c.Has("SPECIAL-USE") {
		return nil, errors.New("Remote does not support SPECIAL-USE.")
	}
	if (o.Subscribed || o.SpecialUse) && !extended {
		return nil, errors.New("Remote does not support LIST-EXTENDED.")
	}
	args := []any{"LIST"}
	if extended {
		var sel, ret List
		if o.Subscribed {
			sel = append(sel, Atom("SUBSCRIBED"))
		}
		ret = append(ret, Atom("SUBSCRIBED"))
		if c.Has("SPECIAL-USE") {
			ret = append(ret, Atom("SPECIAL-USE"))
			if o.SpecialUse {
				sel = append(sel, Atom("SPECIAL-USE"))
			}
		}
		if len(sel) > 0 {
			args = append(args, sel)
		}
		args = append(args, Quoted(ref), Quoted(pattern), Atom("RETURN"), ret)
	} else {
		args = append(args, Quoted(ref), Quoted(pattern))
	}
	return c.list("LIST", args)
}

func (c *Client) list(want string, args []any) ([]Mailbox, error) {
	res, err := c.Execute(args...)
	if err != nil {
		return nil, err
	}
	var out []Mailbox
	for _, r := range res.Untagged {
		if r.Name != want || len(r.Args) < 3 {
			continue
		}
		m := Mailbox{Name: str(r.Args[2])}
		if flags, ok := r.Args[0].(List); ok {
			for _, f := range flags {
				m.Flags = append(m.Flags, str(f))
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// ACLEntry is one identifier and its rights.
type ACLEntry struct {
	ID, Rights string
}

// GetACL returns the ACL of mailbox in the server's order.
func (c *Client) GetACL(mailbox string) ([]ACLEntry, error) {
	res, err := c.Execute("GETACL", Quoted(mailbox))
	if err != nil {
		return nil, err
	}
	var out []ACLEntry
	for _, r := range res.Untagged {
		if r.Name != "ACL" || len(r.Args) < 1 {
			continue
		}
		for i := 1; i+1 < len(r.Args); i += 2 {
			out = append(out, ACLEntry{ID: str(r.Args[i]), Rights: str(r.Args[i+1])})
		}
	}
	return out, nil
}

// SetACL sends SETACL; empty rights delete the entry (Cyrus's reading).
func (c *Client) SetACL(mailbox, id, rights string) error {
	_, err := c.Execute("SETACL", Quoted(mailbox), Quoted(id), Quoted(rights))
	return err
}

// DeleteACL sends DELETEACL.
func (c *Client) DeleteACL(mailbox, id string) error {
	_, err := c.Execute("DELETEACL", Quoted(mailbox), Quoted(id))
	return err
}

// QuotaResource is one resource of a quota root. Used is -1 when only a
// limit is given (SETQUOTA).
type QuotaResource struct {
	Name        string
	Used, Limit int64
}

func parseQuota(r *Response) (root string, res []QuotaResource) {
	if len(r.Args) < 2 {
		return "", nil
	}
	root = str(r.Args[0])
	l, _ := r.Args[1].(List)
	for i := 0; i+2 < len(l); i += 3 {
		used, _ := strconv.ParseInt(str(l[i+1]), 10, 64)
		limit, _ := strconv.ParseInt(str(l[i+2]), 10, 64)
		res = append(res, QuotaResource{Name: strings.ToUpper(str(l[i])), Used: used, Limit: limit})
	}
	return root, res
}

// GetQuota returns the resources of quota root.
func (c *Client) GetQuota(root string) ([]QuotaResource, error) {
	res, err := c.Execute("GETQUOTA", Quoted(root))
	if err != nil {
		return nil, err
	}
	var out []QuotaResource
	for _, r := range res.Untagged {
		if r.Name == "QUOTA" {
			_, q := parseQuota(r)
			out = append(out, q...)
		}
	}
	return out, nil
}

// QuotaRoot is a root with its resources.
type QuotaRoot struct {
	Root      string
	Resources []QuotaResource
}

// GetQuotaRoot returns the quota roots of mailbox, in the order the
// QUOTAROOT response names them.
func (c *Client) GetQuotaRoot(mailbox string) ([]QuotaRoot, error) {
	res, err := c.Execute("GETQUOTAROOT", Quoted(mailbox))
	if err != nil {
		return nil, err
	}
	var roots []QuotaRoot
	quotas := map[string][]QuotaResource{}
	for _, r := range res.Untagged {
		switch r.Name {
		case "QUOTAROOT":
			for _, a := range r.Args[min(1, len(r.Args)):] {
				roots = append(roots, QuotaRoot{Root: str(a)})
			}
		case "QUOTA":
			root, q := parseQuota(r)
			quotas[root] = append(quotas[root], q...)
		}
	}
	for i := range roots {
		roots[i].Resources = quotas[roots[i].Root]
	}
	return roots, nil
}

// SetQuota sets the limits of root; no limits removes the quota.
func (c *Client) SetQuota(root string, limits []QuotaResource) error {
	l := List{}
	for _, q := range limits {
		l = append(l, Atom(q.Name), Atom(strconv.FormatInt(q.Limit, 10)))
	}
	_, err := c.Execute("SETQUOTA", Quoted(root), l)
	return err
}

// Create sends CREATE with Cyrus's admin partition argument and/or the
// RFC 6154 USE parameter.
func (c *Client) Create(mailbox, partition string, specialUse []string) error {
	args := []any{"CREATE", Quoted(mailbox)}
	if partition != "" {
		args = append(args, Quoted(partition))
	}
	if len(specialUse) > 0 {
		use := List{}
		for _, u := range specialUse {
			use = append(use, Atom(u))
		}
		args = append(args, List{Atom("USE"), use})
	}
	_, err := c.Execute(args...)
	return err
}

// Delete sends DELETE.
func (c *Client) Delete(mailbox string) error {
	_, err := c.Execute("DELETE", Quoted(mailbox))
	return err
}

// Rename sends RENAME with Cyrus's optional partition argument.
func (c *Client) Rename(from, to, partition string) error {
	args := []any{"RENAME", Quoted(from), Quoted(to)}
	if partition != "" {
		args = append(args, Quoted(partition))
	}
	_, err := c.Execute(args...)
	return err
}

// Subscribe sends SUBSCRIBE.
func (c *Client) Subscribe(mailbox string) error {
	_, err := c.Execute("SUBSCRIBE", Quoted(mailbox))
	return err
}

// Unsubscribe sends UNSUBSCRIBE.
func (c *Client) Unsubscribe(mailbox string) error {
	_, err := c.Execute("UNSUBSCRIBE", Quoted(mailbox))
	return err
}

// Reconstruct sends Cyrus's RECONSTRUCT extension (RECURSIVE with -r).
func (c *Client) Reconstruct(mailbox string, recursive bool) error {
	args := []any{"RECONSTRUCT", Quoted(mailbox)}
	if recursive {
		args = append(args, Atom("RECURSIVE"))
	}
	_, err := c.Execute(args...)
	return err
}

// ID sends ID NIL (RFC 2971) and returns the server's fields in order; nil
// when the server answers ID NIL.
func (c *Client) ID() ([][2]string, error) {
	res, err := c.Execute("ID", nil)
	if err != nil {
		return nil, err
	}
	var out [][2]string
	for _, r := range res.Untagged {
		if r.Name != "ID" || len(r.Args) == 0 {
			continue
		}
		l, _ := r.Args[0].(List)
		for i := 0; i+1 < len(l); i += 2 {
			out = append(out, [2]string{str(l[i]), str(l[i+1])})
		}
	}
	return out, nil
}

// MetadataEntry is one GETMETADATA answer; Value nil means NIL.
type MetadataEntry struct {
	Mailbox, Name string
	Value         *string
}

// GetMetadata sends GETMETADATA (RFC 5464) with DEPTH infinity.
func (c *Client) GetMetadata(mailbox string, entries []string) ([]MetadataEntry, error) {
	l := List{}
	for _, e := range entries {
		l = append(l, Quoted(e))
	}
	res, err := c.Execute("GETMETADATA", List{Atom("DEPTH"), Atom("infinity")}, Quoted(mailbox), l)
	if err != nil {
		return nil, err
	}
	var out []MetadataEntry
	for _, r := range res.Untagged {
		if r.Name != "METADATA" || len(r.Args) < 2 {
			continue
		}
		box := str(r.Args[0])
		vals, _ := r.Args[1].(List)
		for i := 0; i+1 < len(vals); i += 2 {
			e := MetadataEntry{Mailbox: box, Name: str(vals[i])}
			if vals[i+1] != nil {
				v := str(vals[i+1])
				e.Value = &v
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// SetMetadata sets (value != nil) or removes one entry.
func (c *Client) SetMetadata(mailbox, entry string, value *string) error {
	var v any
	if value != nil {
		v = Quoted(*value)
	}
	_, err := c.Execute("SETMETADATA", Quoted(mailbox), List{Quoted(entry), v})
	return err
}
