package mboxname

// Compare orders internal names as Cyrus's mailboxes.db does: bytewise, but
// with the hierarchy separator '.' before every other byte, so that a
// mailbox's children sort directly after it: user.a < user.a.x < user.a-b.
// It returns -1, 0 or +1.
func Compare(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		ka, kb := sortKey(a[i]), sortKey(b[i])
		if ka != kb {
			if ka < kb {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

func sortKey(c byte) int {
	if c == '.' {
		return -1
	}
	return int(c)
}
