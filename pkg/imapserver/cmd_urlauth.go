package imapserver

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/imapserver/fetch"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/imapurl"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// URLAUTH (RFC 4467). Each user has one mailbox access key per mailbox,
// 128 random bits kept in the databases under store.URLAuthKeyName
// (userid + NUL + the mailbox's uniqueid, so a mailbox deleted and created
// again, or another user's, never shares a key); RESETKEY deletes keys,
// which invalidates every URL made with them, and so does the deletion of
// the user (store.DeleteUser). The only mechanism is
// INTERNAL: the token is HMAC-SHA1 of the URLAUTH-rump, as sent, under
// the key (RFC 4467 §7), in hex.

// urlauthMechanism is the one mechanism (RFC 4467 §7), as GENURLAUTH writes it.
const urlauthMechanism = "INTERNAL"

// urlauthKey returns user's key for the mailbox, creating it when create.
func (s *session) urlauthKey(user string, e *store.Entry, create bool) ([]byte, error) {
	db := s.srv.st.DB()
	name := store.URLAuthKeyName(user, e.UniqueID)
	for range 3 {
		key, _, err := db.Get(s.ctx, name)
		if err == nil || !errors.Is(err, cyrusdb.ErrNotFound) || !create {
			return key, err
		}
		key = make([]byte, 16)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		err = db.Txn(s.ctx, []cyrusdb.Cond{{Key: name, Version: 0}}, []cyrusdb.Op{cyrusdb.Put{Key: name, Val: key}})
		if err == nil {
			return key, nil
		}
		if !errors.Is(err, cyrusdb.ErrConflict) {
			return nil, err
		}
		// Another session made it first: use theirs.
	}
	return nil, errors.New("urlauth key: repeated conflicts")
}

func urlauthToken(key []byte, rump string) string {
	m := hmac.New(sha1.New, key)
	m.Write([]byte(rump))
	return hex.EncodeToString(m.Sum(nil))
}

// urlauthMailbox resolves the mailbox an absolute URLAUTH URL names, in
// the namespace of the URL's user.
func (s *session) urlauthMailbox(u *imapurl.URL) (*store.Entry, error) {
	if !u.Server || u.User == "" || u.UID == 0 || u.Mailbox == "" {
		return nil, errors.New("not an absolute message URL with a user")
	}
	name, err := s.srv.st.Namespace().ToInternal(mboxname.EncodeUTF7(u.Mailbox), u.User, false)
	if err != nil {
		return nil, err
	}
	e, err := s.srv.st.Lookup(s.ctx, name)
	if err != nil {
		return nil, err
	}
	if e.IsDeleted() || e.IsIntermediate() || e.UniqueID == "" {
		return nil, store.ErrNotFound
	}
	return e, nil
}

// cmdGenURLAuth: "GENURLAUTH url-rump mechanism ..." (RFC 4467 §6.1). The
// URL's user must be the session's, and the session must be able to read
// the message (r on its mailbox): a user authorizes access only to what
// they may read themselves.
func cmdGenURLAuth(s *session, c wire.Command) (reply, error) {
	type req struct{ raw, mech string }
	var reqs []req
	for {
		if err := s.r.SP(); err != nil {
			return reply{}, err
		}
		raw, err := s.r.AString()
		if err != nil {
			return reply{}, err
		}
		if err := s.r.SP(); err != nil {
			return reply{}, err
		}
		mech, err := s.r.Atom()
		if err != nil {
			return reply{}, err
		}
		reqs = append(reqs, req{raw, mech})
		if s.r.AtEOL() {
			break
		}
	}
	if err := s.r.EOL(); err != nil {
		return reply{}, err
	}
	var out []string
	for _, q := range reqs {
		if !strings.EqualFold(q.mech, urlauthMechanism) {
			return reply{}, noCode("", "Unknown URLAUTH mechanism")
		}
		u, err := imapurl.Parse(q.raw)
		if err != nil || !u.HasURLAuth() || u.Token != "" || !s.onThisServer(u) || u.User != s.user.User || s.who.Anonymous {
			return reply{}, badURL(q.raw, "Bad URLAUTH-rump")
		}
		e, err := s.urlauthMailbox(u)
		if errors.Is(err, store.ErrNotFound) || err == nil && !s.rightsOn(e).Has(acl.Read) {
			return reply{}, badURL(q.raw, "Mailbox does not exist")
		}
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return reply{}, badURL(q.raw, "Mailbox does not exist")
			}
			return reply{}, badURL(q.raw, "Bad URLAUTH-rump")
		}
		key, err := s.urlauthKey(s.user.User, e, true)
		if err != nil {
			return reply{}, err
		}
		out = append(out, q.raw+":internal:"+urlauthToken(key, u.Rump))
	}
	s.w.Star().Atom("GENURLAUTH")
	for _, o := range out {
		s.w.SP().String(o)
	}
	s.w.CRLF()
	return reply{}, nil
}

// cmdResetKey: "RESETKEY [mailbox [mechanism ...]]" (RFC 4467 §6.2):
// every key of the user, or the mailbox's, is deleted; the next
// GENURLAUTH makes a new one, and URLs made before no longer verify.
func cmdResetKey(s *session, c wire.Command) (reply, error) {
	if s.who.Anonymous {
		return reply{}, errPermission
	}
	var ext string
	var mechs []string
	if !s.r.AtEOL() {
		if err := s.r.SP(); err != nil {
			return reply{}, err
		}
		var err error
		if ext, err = s.r.AString(); err != nil {
			return reply{}, err
		}
		for !s.r.AtEOL() {
			if err := s.r.SP(); err != nil {
				return reply{}, err
			}
			m, err := s.r.Atom()
			if err != nil {
				return reply{}, err
			}
			mechs = append(mechs, m)
		}
	}
	if err := s.r.EOL(); err != nil {
		return reply{}, err
	}
	for _, m := range mechs {
		if !strings.EqualFold(m, urlauthMechanism) {
			return reply{}, noCode("", "Unknown URLAUTH mechanism")
		}
	}
	if ext == "" {
		return reply{}, s.srv.st.ResetURLAuthKeys(s.ctx, s.user.User)
	}
	m, err := s.lookup(ext)
	if err != nil {
		return reply{}, err
	}
	if err := s.need(m, acl.Read); err != nil {
		return reply{}, err
	}
	return reply{}, s.srv.st.DB().Txn(s.ctx, nil, []cyrusdb.Op{cyrusdb.Delete{Key: store.URLAuthKeyName(s.user.User, m.entry.UniqueID)}})
}

// cmdURLFetch: "URLFETCH url ..." (RFC 4467 §6.3), each URL alone or
// with URLAUTH=BINARY's parameters, "(" url *(SP param) ")" (RFC 5524
// §3.1). Each URL is answered with its content, or NIL when it does not
// verify: wrong token or key reset, expired, an access identifier the
// session does not match, or a message its owner can no longer read (the
// owner's r right, checked as FETCH checks it). The command itself
// succeeds.
func cmdURLFetch(s *session, c wire.Command) (reply, error) {
	var urls []urlFetchParams
	for !s.r.AtEOL() || len(urls) == 0 {
		if err := s.r.SP(); err != nil {
			return reply{}, err
		}
		p, err := s.parseURLFetchParam()
		if err != nil {
			return reply{}, err
		}
		if urls = append(urls, p); len(urls) > maxURLFetch {
			return reply{}, bad("Too many URLs")
		}
	}
	if err := s.r.EOL(); err != nil {
		return reply{}, err
	}
	s.w.Star().Atom("URLFETCH")
	for _, p := range urls {
		s.w.SP().String(p.url).SP()
		if err := s.urlFetchOne(p); err != nil {
			return reply{}, err
		}
	}
	s.w.CRLF()
	return reply{}, connErr(s.w.Err())
}

// maxURLFetch bounds the URLs of one URLFETCH.
const maxURLFetch = 1000

// urlFetchParams is one URL of URLFETCH and what is asked of it (RFC 5524
// §3.1); extended is the parenthesised form, answered in kind.
type urlFetchParams struct {
	url                             string
	extended                        bool
	bodyPartStructure, binary, body bool
}

// parseURLFetchParam reads url / "(" url *(SP fetch-param) ")".
func (s *session) parseURLFetchParam() (urlFetchParams, error) {
	r := s.r
	p := urlFetchParams{body: true}
	if !r.Consume('(') {
		var err error
		p.url, err = r.AString()
		return p, err
	}
	p.body = false
	p.extended = true
	var err error
	if p.url, err = r.AString(); err != nil {
		return p, err
	}
	for !r.Consume(')') {
		if err := r.SP(); err != nil {
			return p, err
		}
		word, err := r.Keyword()
		if err != nil {
			return p, err
		}
		switch word {
		case "BODYPARTSTRUCTURE":
			p.bodyPartStructure = true
		case "BINARY":
			p.binary = true
		case "BODY":
			p.body = true
		default:
			return p, bad("Unknown URLFETCH parameter " + word)
		}
	}
	if p.binary && p.body {
		return p, bad("URLFETCH parameters BINARY and BODY exclude each other")
	}
	if !p.bodyPartStructure && !p.binary {
		p.body = true // RFC 5524 §3.1: no parameter is BODY
	}
	return p, nil
}

// urlFetchOne writes one URL's answer: its content (or NIL), or for the
// extended form "(" [BODYPARTSTRUCTURE (...)] [BODY/BINARY content] ")"
// (RFC 5524 §3.2, §5). Only a failure of the connection or the server is
// returned.
func (s *session) urlFetchOne(p urlFetchParams) error {
	u, err := imapurl.Parse(p.url)
	if err != nil || !s.urlAuthorized(p.url, u) {
		s.w.NIL()
		return nil
	}
	m, release, err := s.urlMessage(p.url, u, urlReader{owner: u.User})
	if err == nil {
		defer release()
	}
	var structure *wire.BodyStructure
	var content *fetch.Content
	if err == nil && p.bodyPartStructure {
		var sec wire.Section
		if sec, err = urlSection(u.Section, false); err != nil {
			err = badURL(p.url, "Bad section")
		} else if structure, err = fetch.PartStructure(m, sec.Part); errors.Is(err, fetch.ErrNoSuchPart) {
			err = badURL(p.url, "No such body part")
		}
	}
	if err == nil && (p.body || p.binary) {
		content, err = urlContent(p.url, u, m, p.binary)
	}
	var ue *userError
	var we *wire.Error
	if errors.As(err, &ue) || errors.As(err, &we) {
		// Not this session's to know why: an unknown transfer
		// encoding under BINARY, a part that is not there.
		s.w.NIL()
		return nil
	}
	if err != nil {
		return err
	}
	if content != nil {
		defer content.Close()
	}
	if !p.extended {
		return connErr(s.w.Literal(content.Size, content, false))
	}
	s.w.Atom("(")
	if structure != nil {
		s.w.Atom("BODYPARTSTRUCTURE ").BodyStructure(structure, true)
		if content != nil {
			s.w.SP()
		}
	}
	if content != nil {
		if p.binary {
			s.w.Atom("BINARY ")
		} else {
			s.w.Atom("BODY ")
		}
		if err := s.w.Literal(content.Size, content, p.binary && content.NUL); err != nil {
			return connErr(err)
		}
	}
	s.w.Atom(")")
	return connErr(s.w.Err())
}

// urlAuthorized checks a URLFETCH URL's URLAUTH (RFC 4467 §4, §6.3): the
// access identifier against the session, the expiry, and the token
// against the owner's key for the mailbox.
func (s *session) urlAuthorized(raw string, u *imapurl.URL) bool {
	if !u.HasURLAuth() || u.Token == "" || !strings.EqualFold(u.Mechanism, urlauthMechanism) || !s.onThisServer(u) {
		return false
	}
	if !u.Expire.IsZero() && !time.Now().Before(u.Expire) {
		return false
	}
	who, anonymous := s.user.User, s.who.Anonymous
	switch kind, id, _ := strings.Cut(u.Access, "+"); kind {
	case "anonymous":
	case "authuser":
		if anonymous {
			return false
		}
	case "user":
		if anonymous || who != id {
			return false
		}
	case "submit":
		// Only a submission server (submitservers) fetches for a submit+ URL.
		if anonymous || !slices.Contains(s.srv.cfg.Submitservers(), who) {
			return false
		}
	default:
		return false
	}
	e, err := s.urlauthMailbox(u)
	if err != nil {
		return false
	}
	key, err := s.urlauthKey(u.User, e, false)
	if err != nil || len(key) == 0 {
		return false
	}
	return hmac.Equal([]byte(urlauthToken(key, u.Rump)), []byte(u.Token))
}
