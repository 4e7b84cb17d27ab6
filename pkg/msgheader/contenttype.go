package msgheader

import "strings"

// Context is where a MIME entity stands, which decides the content type
// it has when it declares none.
type Context int

const (
	// TopLevel is a message, or a body part of anything but a
	// multipart/digest: the default is text/plain (RFC 2045 §5.2).
	TopLevel Context = iota
	// InDigest is a body part of a multipart/digest: the default is
	// message/rfc822 (RFC 2046 §5.1.5).
	InDigest
)

// ContentType reads the unfolded value of a Content-Type field (""
// when the entity has none) of an entity standing in ctx: the media type
// in lower case ("type/subtype") and its parameters in header order, as
// ParseValue reads them (comments allowed, RFC 2231 decoded).
//
// A field that is absent or does not parse gives ctx's default, with
// "charset=us-ascii" for text/plain; a type without a subtype (which
// parses, "text; charset=utf-8") gives the default type and keeps the
// parameters it has. So does a type followed by anything but parameters
// (`text/html"`, `0/0 x`): that is a syntax error, and RFC 2045 §5.2 sends
// it to the default, as Cyrus does. The store's body structure and FETCH's part walker
// both decide through here, so part numbers always agree.
func ContentType(value string, ctx Context) (mediaType string, params []Param) {
	mt, params, alone, ok := parseValue(value)
	if ok && alone {
		if t, s, found := strings.Cut(mt, "/"); found && t != "" && s != "" {
			return mt, params
		}
	}
	mediaType = "text/plain"
	if ctx == InDigest {
		mediaType = "message/rfc822"
	}
	if !ok || strings.Contains(mt, "/") {
		params = nil
		if ctx != InDigest {
			params = []Param{{Name: "charset", Value: "us-ascii"}}
		}
	}
	return mediaType, params
}

// ChildContext is the context of the body parts of a multipart entity
// of mediaType (lower case, as ContentType returns it).
func ChildContext(mediaType string) Context {
	if mediaType == "multipart/digest" {
		return InDigest
	}
	return TopLevel
}
