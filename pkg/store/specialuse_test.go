package store

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestSpecialUseIsTheOwners(t *testing.T) {
	for _, tc := range []struct {
		name, use, who string
		want           []string
	}{
		{"user.alice.Sent", `\Sent`, "alice", []string{`\Sent`}},
		{"user.alice.Sent", `\Sent \Archive`, "alice", []string{`\Sent`, `\Archive`}},
		{"user.alice.Sent", `\Sent`, "cyrus", nil},
		{"user.alice.Sent", `\Sent`, "bob", nil},
		{"user.alice.Sent", `\Sent`, "", nil},
		{"example.com!user.alice.Sent", `\Sent`, "alice@example.com", []string{`\Sent`}},
		{"example.com!user.alice.Sent", `\Sent`, "alice", nil},
		{"shared.board", `\Archive`, "", nil},
		{"shared.board", `\Archive`, "cyrus", nil},
	} {
		e := &Entry{Name: tc.name, SpecialUse: tc.use}
		if got := SpecialUse(e, tc.who); !slices.Equal(got, tc.want) {
			t.Errorf("SpecialUse(%s %q, %q) = %q, want %q", tc.name, tc.use, tc.who, got, tc.want)
		}
	}
	if got := OwnerSpecialUse(&Entry{Name: "user.bob.Junk", SpecialUse: `\Junk`}); !slices.Equal(got, []string{`\Junk`}) {
		t.Errorf("OwnerSpecialUse = %q", got)
	}
	if got := SpecialUse(nil, "alice"); got != nil {
		t.Errorf("SpecialUse(nil) = %q", got)
	}
}

// A partition the caller names that is not configured is ErrUnknownPartition
// (a refusal the protocols answer, not a server error), and nothing is made.
func TestUnknownPartitionRefused(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.CreateMailbox(ctx, "user.u1", CreateOptions{Partition: "nopart", Quota: QuotaIgnore}); !errors.Is(err, ErrUnknownPartition) {
		t.Fatalf("CreateMailbox on nopart: %v, want ErrUnknownPartition", err)
	}
	if _, err := s.Lookup(ctx, "user.u1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after a refused create: %v", err)
	}
	if _, err := s.CreateMailbox(ctx, "user.u2", CreateOptions{Quota: QuotaIgnore}); err != nil {
		t.Fatal(err)
	}
	if err := s.RenameMailbox(ctx, "user.u2", "user.u2", "NoPart"); !errors.Is(err, ErrUnknownPartition) {
		t.Fatalf("RenameMailbox to nopart: %v, want ErrUnknownPartition", err)
	}
}
