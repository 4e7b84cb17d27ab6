package imapserver

import "gocyrus/pkg/imapserver/wire"

// handler runs one command after its name was read; it parses the
// arguments itself (so that APPEND can stream) and returns the tagged OK's
// code and text, or an error that finish maps to NO, BAD or a closed
// connection.
type handler func(s *session, c wire.Command) (reply, error)

// command is an entry of the command table.
type command struct {
	states state // where the command is valid
	uid    bool  // a UID form exists
	run    handler
	// seqBased: the command addresses messages by sequence number unless
	// given as UID, so no EXPUNGE may be sent during its non-UID form
	// (RFC 3501 §7.4.1).
	seqBased bool
}

// expungeAllowed reports whether untagged EXPUNGE responses may be sent
// at the end of this command.
func (c command) expungeAllowed(cmd wire.Command) bool {
	return !c.seqBased || cmd.UID
}

// commands is the command table, by upper-case name: constant data, no
// configuration. Each handler lives in the file of its concern and cites
// its RFC.
var commands = map[string]command{
	"CAPABILITY": {states: stateAny, run: cmdCapability},
	"NOOP":       {states: stateAny, run: cmdNoop},
	"LOGOUT":     {states: stateAny, run: cmdLogout},
	"ID":         {states: stateAny, run: cmdID},
	"ENABLE":     {states: stateLoggedIn, run: cmdEnable},
	"COMPRESS":   {states: stateAny, run: cmdCompress},

	"STARTTLS":     {states: stateNotAuth, run: cmdStartTLS},
	"LOGIN":        {states: stateNotAuth, run: cmdLogin},
	"AUTHENTICATE": {states: stateNotAuth, run: cmdAuthenticate},

	"UNAUTHENTICATE": {states: stateLoggedIn, run: cmdUnauthenticate},
	"NAMESPACE":      {states: stateLoggedIn, run: cmdNamespace},
	"SELECT":         {states: stateLoggedIn, run: cmdSelect},
	"EXAMINE":        {states: stateLoggedIn, run: cmdExamine},
	"CREATE":         {states: stateLoggedIn, run: cmdCreate},
	"DELETE":         {states: stateLoggedIn, run: cmdDelete},
	"RENAME":         {states: stateLoggedIn, run: cmdRename},
	"SUBSCRIBE":      {states: stateLoggedIn, run: cmdSubscribe},
	"UNSUBSCRIBE":    {states: stateLoggedIn, run: cmdUnsubscribe},
	"LIST":           {states: stateLoggedIn, run: cmdList},
	"LSUB":           {states: stateLoggedIn, run: cmdLsub},
	"STATUS":         {states: stateLoggedIn, run: cmdStatus},
	"APPEND":         {states: stateLoggedIn, run: cmdAppend},
	"IDLE":           {states: stateLoggedIn, run: cmdIdle},
	"NOTIFY":         {states: stateLoggedIn, run: cmdNotify},
	"GETACL":         {states: stateLoggedIn, run: cmdGetACL},
	"SETACL":         {states: stateLoggedIn, run: cmdSetACL},
	"DELETEACL":      {states: stateLoggedIn, run: cmdDeleteACL},
	"LISTRIGHTS":     {states: stateLoggedIn, run: cmdListRights},
	"MYRIGHTS":       {states: stateLoggedIn, run: cmdMyRights},
	"GETQUOTA":       {states: stateLoggedIn, run: cmdGetQuota},
	"GETQUOTAROOT":   {states: stateLoggedIn, run: cmdGetQuotaRoot},
	"SETQUOTA":       {states: stateLoggedIn, run: cmdSetQuota},
	"RECONSTRUCT":    {states: stateLoggedIn, run: cmdReconstruct},
	"GETMETADATA":    {states: stateLoggedIn, run: cmdGetMetadata},
	"SETMETADATA":    {states: stateLoggedIn, run: cmdSetMetadata},
	"GENURLAUTH":     {states: stateLoggedIn, run: cmdGenURLAuth},
	"RESETKEY":       {states: stateLoggedIn, run: cmdResetKey},
	"URLFETCH":       {states: stateLoggedIn, run: cmdURLFetch},

	"CHECK":    {states: stateSelected, run: cmdNoop},
	"CLOSE":    {states: stateSelected, run: cmdClose},
	"UNSELECT": {states: stateSelected, run: cmdUnselect},
	"EXPUNGE":  {states: stateSelected, uid: true, run: cmdExpunge},
	"FETCH":    {states: stateSelected, uid: true, run: cmdFetch, seqBased: true},
	"STORE":    {states: stateSelected, uid: true, run: cmdStore, seqBased: true},
	"SEARCH":   {states: stateSelected, uid: true, run: cmdSearch, seqBased: true},
	"SORT":     {states: stateSelected, uid: true, run: cmdSort, seqBased: true},
	"THREAD":   {states: stateSelected, uid: true, run: cmdThread, seqBased: true},
	"COPY":     {states: stateSelected, uid: true, run: cmdCopy},
	"MOVE":     {states: stateSelected, uid: true, run: cmdMove},
	"REPLACE":  {states: stateSelected, uid: true, run: cmdReplace},

	"CANCELUPDATE": {states: stateSelected, run: cmdCancelUpdate},
}
