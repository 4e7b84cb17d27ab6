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
	if err := r.SP(); err != nil {
		return nil, err
	}
	if kw, ok := r.peekKeyword(); ok && kw == "RETURN" {
		r.Keyword()
		ret, err := parseSearchReturn(r)
		if err != nil {
			return nil, err
		}
		c.Return = ret
		if err := r.SP(); err != nil {
			return nil, err
		}
	}
	err := r.List(func() error {
		k, err := r.Keyword()
		if err != nil {
			return err
		}
		crit := SortCriterion{Key: k}
		if k == "REVERSE" {
			if err := r.SP(); err != nil {
				return syntaxErr("REVERSE needs a sort key")
			}
			if k, err = r.Keyword(); err != nil {
				return err
			}
			crit = SortCriterion{Key: k, Reverse: true}
		}
		if !sortKeys[crit.Key] {
			return syntaxErr("unknown sort criterion %s", crit.Key)
		}
		c.Criteria = append(c.Criteria, crit)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(c.Criteria) == 0 {
		return nil, syntaxErr("empty sort criteria")
	}
	if err := r.SP(); err != nil {
		return nil, err
	}
	if c.Charset, err = parseCharset(r, true); err != nil {
		return nil, err
	}
	if c.Key, err = parseSearchProgram(r); err != nil {
		return nil, err
	}
	return c, r.EOL()
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
	var err error
	if err = r.SP(); err != nil {
		return nil, err
	}
	if c.Algorithm, err = r.Keyword(); err != nil {
		return nil, err
	}
	if err = r.SP(); err != nil {
		return nil, err
	}
	if c.Charset, err = parseCharset(r, true); err != nil {
		return nil, err
	}
	if c.Key, err = parseSearchProgram(r); err != nil {
		return nil, err
	}
	return c, r.EOL()
}
