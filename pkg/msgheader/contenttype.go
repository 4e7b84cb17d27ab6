package msgheader

import (
	"mime"
	"strings"
)

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
// in lower case ("type/subtype") and its parameters (names in lower case).
//
// A field that is absent or does not parse gives ctx's default, with
// "charset=us-ascii" for text/plain; a type without a subtype (which
// parses, "text; charset=utf-8") gives the default type and keeps the
// parameters it has. The store's body structure and FETCH's part walker
// both decide through here, so part numbers always agree.
func ContentType(value string, ctx Context) (mediaType string, params map[string]string) {
	mt, params, err := mime.ParseMediaType(value)
	if err == nil {
		if t, s, ok := strings.Cut(mt, "/"); ok && t != "" && s != "" {
			return mt, params
		}
	}
	mediaType = "text/plain"
	if ctx == InDigest {
		mediaType = "message/rfc822"
	}
	if err != nil || value == "" {
		params = map[string]string{}
		if ctx != InDigest {
			params["charset"] = "us-ascii"
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
