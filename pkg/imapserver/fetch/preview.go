package fetch

import "gocyrus/pkg/imapserver/preview"

// preview resolves PREVIEW (RFC 8970) to the preview text, built from the
// message file on every request (preview.Of bounds what it reads). Being
// always able to build it, the server answers PREVIEW (LAZY) the same way.
func (r *resolver) preview() (payload, error) {
	f, err := r.open()
	if err != nil {
		return payload{}, err
	}
	return memoryPayload([]byte(preview.Of(f.r, f.size, int64(r.m.Record.HeaderSize)))), nil
}
