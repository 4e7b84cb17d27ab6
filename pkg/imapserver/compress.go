package imapserver

import (
	"io"
	"strings"

	"gocyrus/pkg/imapserver/wire"
)

// cmdCompress: COMPRESS DEFLATE (RFC 4978). The tagged OK is the last
// thing sent uncompressed; from then on both directions are raw DEFLATE
// (RFC 1951), and every response is flushed with a sync flush so that it
// reaches the client whole. Nothing compressed is sent before the first
// response: a client still reading the OK line with a plain buffer would
// otherwise swallow the start of the stream. STARTTLS is refused afterwards: TLS would
// have to sit under the compression layer, which the RFC forbids.
func cmdCompress(s *session, c wire.Command) (reply, error) {
	if err := s.r.SP(); err != nil {
		return reply{}, err
	}
	alg, err := s.r.Atom()
	if err != nil {
		return reply{}, err
	}
	if err := s.r.EOL(); err != nil {
		return reply{}, err
	}
	if !strings.EqualFold(alg, "DEFLATE") {
		return reply{}, bad("Unknown compression algorithm")
	}
	if s.compressed {
		return reply{}, noCode("COMPRESSIONACTIVE", "DEFLATE active via COMPRESS")
	}
	s.w.StatusResponse(c.Tag, wire.OK, "", "DEFLATE active")
	if err := s.w.Wrap(func(dst io.Writer) io.Writer { return wire.NewDeflater(dst) }); err != nil {
		return reply{}, connErr(err)
	}
	s.r.Wrap(func(src io.Reader) io.Reader { return wire.NewInflater(src) })
	s.compressed = true
	return reply{}, errAnswered
}
