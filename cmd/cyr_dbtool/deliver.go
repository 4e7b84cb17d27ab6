package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"time"

	"gocyrus/pkg/duplicate"
	"gocyrus/pkg/store"
)

// deliver.db, the duplicate-delivery database (pkg/duplicate). Cyrus 3.6
// keys a record "<message-id> NUL <to> NUL <date> NUL" (imap/duplicate.c,
// make_key): for a delivery, <to> is the target mailbox's uniqueid and
// <date> the Date header; for Sieve's vacation and duplicate test, <to> is
// the userid and <date> empty. The value is the time_t of the mark then
// the unsigned long UID, in the machine's own layout: 8 + 8 bytes little
// endian on the amd64 and arm64 machines Cyrus runs on.

// dupValueLen is Cyrus's value: time_t and unsigned long on a 64-bit machine.
const dupValueLen = 16

func dupKey(id, to, date string) []byte {
	return []byte(id + "\x00" + to + "\x00" + date + "\x00")
}

func dupValue(at time.Time, uid uint64) []byte {
	v := binary.LittleEndian.AppendUint64(nil, uint64(at.Unix()))
	return binary.LittleEndian.AppendUint64(v, uid)
}

// deliverRecords renders the delivery records, then Sieve's period
// records, as Cyrus 3.6's deliver.db.
func deliverRecords(ctx context.Context, st *store.Store, add adder) error {
	dups := duplicate.New(st.DB(), 0)
	if err := dups.Scan(ctx, func(r duplicate.Record) error {
		add(dupKey(r.MessageID, r.Mailbox, r.Date), dupValue(r.At, uint64(r.UID)))
		return nil
	}); err != nil {
		return err
	}
	return dups.ScanPeriods(ctx, func(p duplicate.Period) error {
		add(dupKey(p.ID, p.User, ""), dupValue(p.At, 0))
		return nil
	})
}

// parseDupKey splits Cyrus's key into its three NUL-terminated parts.
func parseDupKey(key []byte) (duplicate.Key, error) {
	if err := checkKey(key); err != nil {
		return duplicate.Key{}, err
	}
	parts := bytes.Split(key, []byte{0})
	if len(parts) != 4 || len(parts[3]) != 0 {
		return duplicate.Key{}, refuse("key %.60q: deliver.db keys are <message-id> NUL <to> NUL <date> NUL", key)
	}
	return duplicate.Key{MessageID: string(parts[0]), Mailbox: string(parts[1]), Date: string(parts[2])}, nil
}

// setDeliver writes a delivery record (with lmtpd's TTL); Sieve's period
// records, whose lifetime is their Sieve period, cannot be made here.
func setDeliver(ctx context.Context, st *store.Store, key, val []byte) error {
	k, err := parseDupKey(key)
	if err != nil {
		return err
	}
	var at, uid uint64
	switch len(val) {
	case 8: // Cyrus reads a bare time_t too (UID 0)
		at = binary.LittleEndian.Uint64(val)
	case dupValueLen:
		at, uid = binary.LittleEndian.Uint64(val), binary.LittleEndian.Uint64(val[8:])
	default:
		return refuse("a deliver.db value is %d bytes (time, UID, little endian), not %d", dupValueLen, len(val))
	}
	if int64(at) < 0 {
		return refuse("time %d before 1970", int64(at))
	}
	if uid > math.MaxUint32 {
		return refuse("UID %d over 2^32-1", uid)
	}
	return duplicate.New(st.DB(), 0).Put(ctx, k, time.Unix(int64(at), 0), uint32(uid))
}

// deleteDeliver removes the delivery record of the key and, when its date
// is empty (Cyrus's form of a Sieve record), the user's period record.
func deleteDeliver(ctx context.Context, st *store.Store, key []byte) error {
	k, err := parseDupKey(key)
	if err != nil {
		return err
	}
	dups := duplicate.New(st.DB(), 0)
	if err := dups.Delete(ctx, k); err != nil {
		return err
	}
	if k.Date == "" {
		return dups.DeletePeriod(ctx, k.Mailbox, k.MessageID)
	}
	return nil
}
