package managesieve

import (
	"errors"
	"fmt"
	"strconv"

	"gocyrus/pkg/sievescripts"
)

// replyTooLarge: NO (QUOTA/MAXSIZE) with the limit in bytes.
func (s *session) replyTooLarge(limit int64) {
	s.reply(response("NO", "QUOTA/MAXSIZE", fmt.Sprintf("Script size is too large. Max script size is %d bytes", limit)))
}

// sizeLimit is the script size limit announced in QUOTA/MAXSIZE replies.
func (s *session) sizeLimit() int64 {
	if max := s.srv.opts.Scripts.Options().MaxSize; max > 0 {
		return int64(max)
	}
	return s.srv.maxLiteral
}

// replyStoreError maps a script store error to its docs/CYRUS-BEHAVIOUR.md §10 reply.
// newName names the script in ALREADYEXISTS.
func (s *session) replyStoreError(err error, newName string) {
	switch {
	case errors.Is(err, sievescripts.ErrInvalidName):
		s.reply(response("NO", "", "Invalid script name"))
	case errors.Is(err, sievescripts.ErrNotFound):
		s.reply(response("NO", "NONEXISTENT", "Script does not exist"))
	case errors.Is(err, sievescripts.ErrActive):
		s.reply(response("NO", "ACTIVE", "Active script cannot be deleted"))
	case errors.Is(err, sievescripts.ErrExists):
		s.reply(response("NO", "ALREADYEXISTS", "Script "+newName+" already exists."))
	case errors.Is(err, sievescripts.ErrTooLarge):
		s.replyTooLarge(s.sizeLimit())
	case errors.Is(err, sievescripts.ErrTooManyScripts):
		max := s.srv.opts.Scripts.Options().MaxScripts
		s.reply(response("NO", "QUOTA/MAXSCRIPTS", "You are only allowed "+strconv.Itoa(max)+" scripts on this server"))
	default:
		s.log.Error("script store", "err", err)
		s.reply(response("NO", "TRYLATER", "Internal error accessing the scripts"))
	}
}

// cmdHaveSpace: HAVESPACE "name" size.
func (s *session) cmdHaveSpace(cmd command) {
	if !s.wantArgs(cmd, "script name", "number") {
		return
	}
	if err := s.scripts.CheckSpace(cmd.args[0].str, int64(cmd.args[1].num)); err != nil {
		s.replyStoreError(err, "")
		return
	}
	s.reply("OK")
}

// check compiles a script for the session's user; false after a NO reply.
func (s *session) check(src string) bool {
	include := IncludeFunc(func(name string, global bool) ([]byte, error) {
		return s.srv.opts.Scripts.Include(s.user.User)(name, global)
	})
	if err := s.srv.opts.Check([]byte(src), s.srv.extensions, include); err != nil {
		s.reply(response("NO", "", err.Error()))
		return false
	}
	return true
}

// cmdPutScript: PUTSCRIPT "name" {n+}. The script is compiled first and
// stored only when it compiles.
func (s *session) cmdPutScript(cmd command) {
	if !s.wantArgs(cmd, "script name", "legal script data length") {
		return
	}
	name, src := cmd.args[0].str, cmd.args[1].str
	if err := s.scripts.CheckSpace(name, int64(len(src))); err != nil {
		s.replyStoreError(err, "")
		return
	}
	if !s.check(src) {
		return
	}
	if err := s.scripts.Put(name, []byte(src)); err != nil {
		s.replyStoreError(err, "")
		return
	}
	s.log.Info("script stored", "script", name, "bytes", len(src))
	s.reply("OK")
}

// cmdCheckScript: CHECKSCRIPT {n+}: compile only.
func (s *session) cmdCheckScript(cmd command) {
	if !s.wantArgs(cmd, "script") {
		return
	}
	if int64(len(cmd.args[0].str)) > s.sizeLimit() {
		s.replyTooLarge(s.sizeLimit())
		return
	}
	if s.check(cmd.args[0].str) {
		s.reply("OK")
	}
}

// cmdListScripts: LISTSCRIPTS: one line per script, the active one marked.
func (s *session) cmdListScripts(cmd command) {
	if !s.wantArgs(cmd) {
		return
	}
	list, err := s.scripts.List()
	if err != nil {
		s.replyStoreError(err, "")
		return
	}
	for _, sc := range list {
		if sc.Active {
			s.reply(quote(sc.Name) + " ACTIVE")
		} else {
			s.reply(quote(sc.Name))
		}
	}
	s.reply("OK")
}

// cmdSetActive: SETACTIVE "name"; "" deactivates.
func (s *session) cmdSetActive(cmd command) {
	if !s.wantArgs(cmd, "script name") {
		return
	}
	if err := s.scripts.SetActive(cmd.args[0].str); err != nil {
		s.replyStoreError(err, "")
		return
	}
	s.reply("OK")
}

// cmdGetScript: GETSCRIPT "name": the source as a literal, then OK.
func (s *session) cmdGetScript(cmd command) {
	if !s.wantArgs(cmd, "script name") {
		return
	}
	src, err := s.scripts.Get(cmd.args[0].str)
	if err != nil {
		s.replyStoreError(err, "")
		return
	}
	s.reply(literal(string(src)))
	s.reply("OK")
}

// cmdDeleteScript: DELETESCRIPT "name"; the active script is refused.
func (s *session) cmdDeleteScript(cmd command) {
	if !s.wantArgs(cmd, "script name") {
		return
	}
	if err := s.scripts.Delete(cmd.args[0].str); err != nil {
		s.replyStoreError(err, "")
		return
	}
	s.reply("OK")
}

// cmdRenameScript: RENAMESCRIPT "old" "new".
func (s *session) cmdRenameScript(cmd command) {
	if !s.wantArgs(cmd, "script name", "new script name") {
		return
	}
	oldName, newName := cmd.args[0].str, cmd.args[1].str
	if err := s.scripts.Rename(oldName, newName); err != nil {
		s.replyStoreError(err, newName)
		return
	}
	s.reply("OK")
}
