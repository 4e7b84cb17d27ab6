package wire

// parsePreview reads the rest of RFC 8970's
//
//	"PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"]
//
// where the only preview-mod is LAZY. The modifier list is told from a
// following FETCH item list or FETCH modifier list ("FETCH 1 PREVIEW
// (CHANGEDSINCE 5)") by its first word; an unknown modifier there is a
// syntax error. LAZY only allows a server to answer NIL instead of
// building a preview now; this server always builds it, so the modifier is
// checked and dropped.
func parsePreview(r *Reader) FetchItem {
	it := FetchItem{Attr: FetchPreview}
	if r.pos+1 >= len(r.line) || r.line[r.pos] != ' ' || r.line[r.pos+1] != '(' {
		return it
	}
	save := r.pos
	r.pos += 2
	kw, _ := r.peekKeyword()
	r.pos = save
	if kw != "LAZY" {
		return it
	}
	r.sp()
	r.list(func() {
		switch mod := r.keyword(); {
		case r.err != nil:
		case mod == "LAZY":
		default:
			r.fail(syntaxErr("unknown PREVIEW modifier %s", mod))
		}
	})
	return it
}
