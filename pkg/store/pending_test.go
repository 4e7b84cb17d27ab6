package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"gocyrus/internal/testseed"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
)

// Every commit that completes clears the pending mark its charge set (an
// append's once its run of appends settles: mailbox/settle.go), so after
// any number of appends, expunges and moves no mailbox is left for
// ResolvePending to visit, and the usage is still what the spool holds.
func TestCompletedChargesLeaveNoPendingMark(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rng := rand.New(rand.NewPCG(testseed.Seed(t), 0))
	st := newStore(t, "expunge_mode", "immediate")
	names := []string{"user.p", "user.p.a", "user.p.b"}
	for _, n := range names {
		if _, err := st.CreateMailbox(ctx, n, CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetQuota(ctx, "user.p", quota.NoLimits()); err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		n := names[rng.IntN(len(names))]
		err := withBox(ctx, st, n, func(mb *mailbox.Mailbox) error {
			msgs := make([]mailbox.AppendMessage, 1+rng.IntN(3))
			for j := range msgs {
				msgs[j].Body = strings.NewReader(fmt.Sprintf("Subject: %d.%d\r\n\r\n%s\r\n", i, j, strings.Repeat("x", rng.IntN(500))))
			}
			uids, err := mb.Append(ctx, msgs)
			if err != nil || i%4 != 3 {
				return err
			}
			_, err = mb.Expunge(ctx, uids[:1]) // now and then an expunge
			return err
		})
		if err != nil {
			t.Fatalf("step %d on %s: %v", i, n, err)
		}
	}
	mailbox.SettlePending()
	if ids, err := st.quota.Pending(ctx); err != nil || len(ids) != 0 {
		t.Fatalf("pending marks after completed commits: %v %v", ids, err)
	}
	assertUsageMatchesSpool(t, st)
}
