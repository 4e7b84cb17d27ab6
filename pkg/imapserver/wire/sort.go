package wire

// SortCriterion is one sort key of RFC 5256 (and RFC 5957 DISPLAYFROM,
// DISPLAYTO): ARRIVAL, CC, DATE, FROM, SIZE, SUBJECT, TO, DISPLAYFROM,
// DISPLAYTO.
type SortCriterion struct {
	Key     string // upper case
	Reverse bool
}

// SortCommand is SORT / UID SORT (RFC 5256, with ESORT's RETURN, RFC 5267).
type SortCommand struct {
	Return   *SearchReturn // nil unless RETURN (...) was given
	Criteria []SortCriterion
	Charset  string
	Key      SearchKey
}

var sortKeys = map[string]bool{
	"ARRIVAL": true, "CC": true, "DATE": true, "FROM": true, "SIZE": true,
	"SUBJECT": true, "TO": true, "DISPLAYFROM": true, "DISPLAYTO": true,
}

// ParseSort parses the arguments of SORT.
func ParseSort(r *Reader) (*SortCommand, error) {
	c := &SortCommand{}
	r.sp()
	c.Return = parseReturnOption(r)
	r.list(func() {
		crit := SortCriterion{Key: r.keyword()}
		if crit.Key == "REVERSE" {
			if r.failed(r.sp) {
				r.fail(syntaxErr("REVERSE needs a sort key"))
			}
			crit = SortCriterion{Key: r.keyword(), Reverse: true}
		}
		if r.err == nil && !sortKeys[crit.Key] {
			r.fail(syntaxErr("unknown sort criterion %s", crit.Key))
		}
		c.Criteria = append(c.Criteria, crit)
	})
	if len(c.Criteria) == 0 {
		r.fail(syntaxErr("empty sort criteria"))
	}
	r.sp()
	c.Charset = parseCharset(r, true)
	c.Key = parseSearchProgram(r)
	return end(r, c)
}

// ThreadCommand is THREAD / UID THREAD (RFC 5256).
type ThreadCommand struct {
	Algorithm string // upper case: ORDEREDSUBJECT, REFERENCES, ...
	Charset   string
	Key       SearchKey
}

// ParseThread parses the arguments of THREAD. The algorithm is returned as
// sent (upper-cased); the session refuses ones it does not implement.
func ParseThread(r *Reader) (*ThreadCommand, error) {
	c := &ThreadCommand{}
	r.sp()
	c.Algorithm = r.keyword()
	r.sp()
	c.Charset = parseCharset(r, true)
	c.Key = parseSearchProgram(r)
	return end(r, c)
}
