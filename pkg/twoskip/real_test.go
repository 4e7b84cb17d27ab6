package twoskip

import (
	"path/filepath"
	"strings"
	"testing"
)

// tree is the Cyrus 3.6.1 tree cyr_import's test imports.
var tree = filepath.Join("..", "..", "test", "compat", "cyrus-tree")

func TestReadsCyrusMailboxesDB(t *testing.T) {
	recs, err := ReadFile(filepath.Join(tree, "conf", "mailboxes.db"))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range recs {
		keys = append(keys, strings.ReplaceAll(string(r.Key), "\x1f", "."))
	}
	t.Logf("%q", keys)
	if len(recs) != 23 {
		t.Errorf("%d records, want the header's 23", len(recs))
	}
}
