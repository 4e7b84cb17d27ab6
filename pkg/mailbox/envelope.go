package mailbox

// Envelope is the IMAP ENVELOPE of a message (RFC 3501 §7.4.2). Subject and
// display names are decoded to UTF-8 (RFC 2047); Date, Message-ID and
// In-Reply-To are the unfolded raw header values. Sender and ReplyTo default
// to From as the RFC requires.
type Envelope struct {
	Date      string
	Subject   string
	From      []Address
	Sender    []Address
	ReplyTo   []Address
	To        []Address
	Cc        []Address
	Bcc       []Address
	InReplyTo string
	MessageID string
}

// Address is one element of an address list (pkg/msgheader parses it): a
// mailbox, whose Host is never empty (Cyrus's "unspecified-domain" when the
// address has none) but whose Mailbox may be ("<>", "@host"), or a group
// marker as IMAP writes it: the start {Mailbox: group name}, the end {}.
type Address struct {
	Name    string
	Route   string // obsolete source route (IMAP's at-domain-list), e.g. "@a.example,@b.example"
	Mailbox string // local part
	Host    string
}

// Param is one MIME parameter, in header order.
type Param struct {
	Name  string // lower case
	Value string
}

// BodyStructure is the IMAP BODYSTRUCTURE of one MIME entity.
type BodyStructure struct {
	Type              string // lower case, e.g. "text"
	Subtype           string // lower case, e.g. "plain"
	Params            []Param
	ID                string
	Description       string
	Encoding          string // Content-Transfer-Encoding, lower case; "7bit" if absent
	Size              uint32 // encoded body octets
	Lines             uint32 // text/* and message/rfc822 only
	MD5               string
	Disposition       string // lower case; "" if absent
	DispositionParams []Param
	Language          []string
	Location          string

	Parts    []*BodyStructure // multipart/*: the children
	Envelope *Envelope        // message/rfc822: the encapsulated message's envelope
	Message  *BodyStructure   // message/rfc822: its body structure
}

// Cached is a message's cyrus.cache entry: what FETCH and SEARCH need
// without opening the message file.
type Cached struct {
	Envelope Envelope
	Body     *BodyStructure
	// Headers holds the message's whole header block as it appears in the
	// message (CRLF line ends, folding kept) when it is at most
	// MaxCachedHeader bytes (see HeaderCached); for a larger one, only the
	// fields From, To, Cc, Bcc, Subject, Date, Message-ID, In-Reply-To and
	// References.
	Headers []byte
}

// Clone returns a deep copy of c that shares nothing with it: what a
// caller of View.ForEachCachedBorrowed keeps beyond its callback.
func (c *Cached) Clone() *Cached {
	out, err := decodeCached(encodeCached(c))
	if err != nil {
		// encodeCached's output always decodes; a failure is a bug here,
		// not bad input, but the caller still gets a usable copy.
		cp := *c
		cp.Headers = append([]byte(nil), c.Headers...)
		return &cp
	}
	return out
}
