package sieve

// ActionKind says what an Action asks the delivery agent to do.
type ActionKind int

const (
	// Keep stores the message in the user's INBOX (with Flags).
	Keep ActionKind = iota + 1
	// FileInto stores the message in Mailbox (a name in the user's
	// client namespace; Create asks for it to be created if missing).
	FileInto
	// Redirect forwards the message to Address.
	Redirect
	// Discard says the message is intentionally dropped; it appears only
	// when no Keep, FileInto, Redirect or reject disposes of the message.
	Discard
	// Reject refuses the message with Reason (RFC 5429: an LMTP/SMTP
	// refusal when possible, else a bounce).
	Reject
	// EReject refuses the message at protocol level with Reason.
	EReject
	// Vacation sends the auto-reply in Vacation.
	Vacation
	// AddHeader adds Header: Value at the top (at the end when Last).
	AddHeader
	// DeleteHeader removes the Index-th (1-based, counted from the top of
	// the header as edited so far) field named Header; Value is its value.
	DeleteHeader
	// Notify sends the notification in Notify (RFC 5435 enotify).
	Notify
)

func (k ActionKind) String() string {
	switch k {
	case Keep:
		return "keep"
	case FileInto:
		return "fileinto"
	case Redirect:
		return "redirect"
	case Discard:
		return "discard"
	case Reject:
		return "reject"
	case EReject:
		return "ereject"
	case Vacation:
		return "vacation"
	case AddHeader:
		return "addheader"
	case DeleteHeader:
		return "deleteheader"
	case Notify:
		return "notify"
	}
	return "unknown"
}

// Action is one thing a script asks to be done, in execution order.
type Action struct {
	Kind    ActionKind
	Mailbox string   // FileInto
	Create  bool     // FileInto :create
	Copy    bool     // FileInto/Redirect :copy
	Flags   []string // Keep/FileInto: IMAP flags and keywords to set
	Address string   // Redirect
	Reason  string   // Reject/EReject

	Vacation *VacationAction
	Notify   *NotifyAction

	Header, Value string // AddHeader/DeleteHeader
	Index         int    // DeleteHeader
	Last          bool   // AddHeader :last
}

// VacationAction is an auto-reply the delivery agent should send. The
// interpreter has already applied RFC 5230 §4.5's "do not reply" rules
// (see CanAutoReply) and consulted Env.Duplicate for the period; the
// delivery agent composes and sends the reply.
type VacationAction struct {
	To        string   // recipient of the reply: the envelope sender
	Addresses []string // :addresses, the user's other addresses
	Subject   string   // :subject, or "Auto: " + original subject
	From      string   // :from; "" = the recipient's address
	Handle    string   // :handle, or computed per RFC 5230 §4.2
	Days      int      // :days as given (0 when :seconds was used)
	Seconds   int64    // response period in seconds
	MIME      bool     // Reason is a MIME entity (headers + body)
	Reason    string
	InReplyTo string // Message-ID of the original, for In-Reply-To/References
}

// Result is the outcome of running a script.
type Result struct {
	Actions []Action
	// ImplicitKeep reports that no action cancelled the implicit keep; the
	// corresponding Keep (with the current imap4flags) is already in Actions.
	ImplicitKeep bool
	// Errors lists run-time problems; when Run returns an error they say
	// why and Actions holds only the fallback Keep.
	Errors []string
	// Log lists non-fatal notes (vacation suppressed, protected header...).
	Log []string
}
