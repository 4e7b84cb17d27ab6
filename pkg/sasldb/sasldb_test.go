package sasldb

import (
	"context"
	"errors"
	"testing"

	"github.com/xdg-go/scram"

	"gocyrus/pkg/cyrusdb"
)

func openStore(t *testing.T) *Store {
	t.Helper()
	db, err := cyrusdb.Open(t.TempDir(), cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return New(db)
}

func TestPasswordLifecycle(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	if err := s.SetPassword(ctx, "alice", "secret", false); !errors.Is(err, ErrNoUser) {
		t.Fatalf("update of a missing user: %v", err)
	}
	if err := s.SetPassword(ctx, "alice", "secret", true); err != nil {
		t.Fatal(err)
	}
	for pw, want := range map[string]bool{"secret": true, "Secret": false, "": false, "secret ": false} {
		if ok, err := s.Verify(ctx, "alice", pw); err != nil || ok != want {
			t.Errorf("Verify(%q) = %v %v, want %v", pw, ok, err, want)
		}
	}
	if ok, err := s.Verify(ctx, "nobody", "secret"); ok || err != nil {
		t.Errorf("unknown user: %v %v", ok, err)
	}
	if err := s.SetPassword(ctx, "alice", "new", false); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Verify(ctx, "alice", "secret"); ok {
		t.Error("old password still valid")
	}
	users, err := s.Users(ctx)
	if err != nil || len(users) != 1 || users[0] != "alice" {
		t.Fatalf("Users = %v %v", users, err)
	}
	if err := s.Delete(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "alice"); !errors.Is(err, ErrNoUser) {
		t.Fatalf("second delete: %v", err)
	}
	if err := s.SetPassword(ctx, "bad user", "x", true); !errors.Is(err, ErrBadUser) {
		t.Fatalf("bad userid: %v", err)
	}
}

// TestScramCredentialsAuthenticate runs a full SCRAM-SHA-256 and SCRAM-SHA-1
// exchange between xdg-go/scram's client and a server fed the stored keys.
func TestScramCredentialsAuthenticate(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	if err := s.SetPassword(ctx, "bob", "pencil", true); err != nil {
		t.Fatal(err)
	}
	for mech, hash := range map[string]scram.HashGeneratorFcn{ScramSHA256: scram.SHA256, ScramSHA1: scram.SHA1} {
		c, err := s.Credential(ctx, "bob", mech)
		if err != nil {
			t.Fatal(err)
		}
		server, err := hash.NewServer(func(user string) (scram.StoredCredentials, error) {
			return scram.StoredCredentials{
				KeyFactors: scram.KeyFactors{Salt: string(c.Salt), Iters: c.Iters},
				StoredKey:  c.StoredKey, ServerKey: c.ServerKey,
			}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		client, _ := hash.NewClient("bob", "pencil", "")
		cconv, sconv := client.NewConversation(), server.NewConversation()
		msg, _ := cconv.Step("")
		for !cconv.Done() {
			reply, err := sconv.Step(msg)
			if err != nil {
				t.Fatalf("%s server: %v", mech, err)
			}
			if msg, err = cconv.Step(reply); err != nil {
				t.Fatalf("%s client: %v", mech, err)
			}
		}
		if !sconv.Valid() || !cconv.Valid() {
			t.Fatalf("%s exchange not valid", mech)
		}
	}
}
