package imapserver

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// SEARCH BODY and TEXT skip a message whose file is missing, as Cyrus
// does (imapd.8), instead of failing the whole search with SERVERBUG:
// mailbox.OpenMessage reports the missing file as ErrNoSuchMessage.
func TestSearchBodyMissingFile(t *testing.T) {
	site, a := sixMessages(t)
	e, err := site.st.Lookup(context.Background(), "user.alice")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := site.st.Dir(e)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "2.")); err != nil {
		t.Fatal(err)
	}
	has(t, a.ok("SEARCH BODY Hello"), "* SEARCH 1 3 4 5 6")
	has(t, a.ok("SEARCH TEXT Hello"), "* SEARCH 1 3 4 5 6")
}
