package imapserver

import (
	"fmt"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/store"
)

// cmdCopy: RFC 3501 §6.4.7 with UIDPLUS's COPYUID (RFC 4315): r on the
// source (held, as it is selected), i on the target.
func cmdCopy(s *session, c wire.Command) (reply, error) {
	return copyMessages(s, c, false)
}

// cmdMove: RFC 6851; additionally needs e on the source.
func cmdMove(s *session, c wire.Command) (reply, error) {
	return copyMessages(s, c, true)
}

func copyMessages(s *session, c wire.Command, move bool) (reply, error) {
	cc, err := wire.ParseCopy(s.r, c.UID)
	if err != nil {
		return reply{}, err
	}
	refs, err := s.resolve(cc.Set)
	if err != nil {
		return reply{}, err
	}
	sel := s.sel
	if move && (sel.readOnly || !sel.rights.Has(acl.Expunge)) {
		return reply{}, errPermission
	}
	dst, err := s.lookup(cc.Mailbox)
	if err != nil {
		return reply{}, err
	}
	if err := s.appendTarget(dst); err != nil {
		return reply{}, err
	}
	if len(refs) == 0 {
		return reply{}, nil
	}
	to := sel.mb
	if dst.name != sel.name {
		if to, _, err = s.srv.st.Open(s.ctx, dst.name, store.QuotaStrict); err != nil {
			return reply{}, err
		}
		defer to.Close()
	}
	target := s.flagTarget(dst)
	srcUIDs, newUIDs, err := to.CopyFromWith(s.ctx, sel.mb, uidsOf(refs), target.copyFlags(sel))
	if err != nil {
		return reply{}, err
	}
	target.commitSeen(newUIDs)
	if len(newUIDs) == 0 {
		return reply{}, nil
	}
	v, err := to.Snapshot()
	if err != nil {
		return reply{}, err
	}
	code := fmt.Sprintf("COPYUID %d %s %s", v.UIDValidity, uidSetString(srcUIDs), uidSetString(newUIDs))
	if !move {
		return reply{Code: code}, nil
	}
	// RFC 6851 §4.3: COPYUID goes in an untagged OK before the EXPUNGEs.
	s.w.StatusResponse("*", wire.OK, code, "Ok")
	if _, err := sel.mb.Expunge(s.ctx, srcUIDs); err != nil {
		return reply{}, err
	}
	return reply{}, nil
}

// cmdExpunge: RFC 3501 §6.4.3, and UID EXPUNGE (RFC 4315 §2.1): needs e.
// The EXPUNGE responses come from the update that ends every command.
func cmdExpunge(s *session, c wire.Command) (reply, error) {
	var uids []uint32
	if c.UID {
		set, err := wire.ParseUIDExpunge(s.r)
		if err != nil {
			return reply{}, err
		}
		refs, err := s.resolve(set)
		if err != nil {
			return reply{}, err
		}
		if len(refs) == 0 {
			return reply{}, nil
		}
		uids = uidsOf(refs)
	} else if err := s.r.EOL(); err != nil {
		return reply{}, err
	}
	sel := s.sel
	if sel.readOnly || !sel.rights.Has(acl.Expunge) {
		return reply{}, errPermission
	}
	_, err := sel.mb.ExpungeDeleted(s.ctx, uids)
	return reply{}, err
}
