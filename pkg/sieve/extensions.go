package sieve

// implemented lists the capability strings this interpreter supports, in
// the order Cyrus advertises them in its SIEVE capability.
var implemented = []string{
	"comparator-i;ascii-numeric",
	"fileinto",
	"reject",
	"ereject",
	"vacation",
	"vacation-seconds",
	"enotify",
	"include",
	"envelope",
	"body",
	"relational",
	"regex",
	"subaddress",
	"copy",
	"date",
	"index",
	"imap4flags",
	"imapflags",
	"mailbox",
	"variables",
	"editheader",
	"duplicate",
	"encoded-character",
}

// alwaysAvailable may be required even when not advertised (RFC 5228 §2.7.3).
var alwaysAvailable = map[string]bool{
	"comparator-i;octet":         true,
	"comparator-i;ascii-casemap": true,
}

// Extensions returns the extensions this package implements, for the
// ManageSieve SIEVE capability and as the default of Options.Extensions.
func Extensions() []string {
	return append([]string(nil), implemented...)
}

// extensionSet is the set of extensions a compilation may require.
func extensionSet(opts Options) map[string]bool {
	set := map[string]bool{}
	list := opts.Extensions
	if list == nil {
		list = implemented
	}
	known := map[string]bool{}
	for _, e := range implemented {
		known[e] = true
	}
	for _, e := range list {
		if known[e] {
			set[e] = true
		}
	}
	if opts.Include == nil {
		delete(set, "include")
	}
	if set["imap4flags"] || set["imapflags"] {
		set["imap4flags"], set["imapflags"] = true, true
	}
	for e := range alwaysAvailable {
		set[e] = true
	}
	return set
}
