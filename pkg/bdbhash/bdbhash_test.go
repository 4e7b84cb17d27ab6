package bdbhash

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"gocyrus/internal/testseed"
)

func readAll(t *testing.T, data []byte) (map[string]string, error) {
	t.Helper()
	db, err := Parse(data)
	if err != nil {
		return nil, err
	}
	got := map[string]string{}
	err = db.Walk(func(k, v []byte) error {
		if _, dup := got[string(k)]; dup {
			return fmt.Errorf("key %q twice", k)
		}
		got[string(k)] = string(v)
		return nil
	})
	return got, err
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The files the real saslpasswd2 wrote read back as it listed them.
func TestRealSaslpasswd2Files(t *testing.T) {
	got, err := readAll(t, fixture(t, "sasldb2"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"alice\x00mail.example.com\x00userPassword": "Alice-pw1",
		"bob\x00mail.example.com\x00userPassword":   "b0b secret",
		"carol\x00example.org\x00userPassword":      "carol pw",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}

	got, err = readAll(t, fixture(t, "sasldb2-many"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 300 {
		t.Errorf("%d records, want 300 (299 users left of 300, and longpw)", len(got))
	}
	for i := 1; i <= 300; i++ {
		v, ok := got[fmt.Sprintf("user%d\x00example.net\x00userPassword", i)]
		if i == 5 {
			if ok {
				t.Errorf("deleted user5 is still read")
			}
			continue
		}
		if v != fmt.Sprintf("pw%d", i) {
			t.Errorf("user%d: %q", i, v)
		}
	}
	if v := got["longpw\x00example.net\x00userPassword"]; v != strings.Repeat("L", 2048) {
		t.Errorf("overflow item: %d bytes", len(v))
	}
}

// A file cut anywhere is refused with ErrFormat, never a panic.
func TestTruncated(t *testing.T) {
	data := fixture(t, "sasldb2-many")
	for _, n := range []int{0, 10, 100, 4095, 4096, 4097, 8192, len(data) - 4096, len(data) - 1} {
		_, err := readAll(t, data[:n])
		if !errors.Is(err, ErrFormat) {
			t.Errorf("cut at %d: %v, want ErrFormat", n, err)
		}
	}
}

func pageAt(data []byte, no int) []byte { return data[no*4096 : (no+1)*4096] }

// Damaged pages: each corruption is reported, not followed.
func TestHostilePages(t *testing.T) {
	base := fixture(t, "sasldb2-many")
	le := binary.LittleEndian
	cases := map[string]func(d []byte){
		"bad magic":         func(d []byte) { le.PutUint32(d[12:], 0x12345678) },
		"btree magic":       func(d []byte) { le.PutUint32(d[12:], 0x053162) },
		"page size 3000":    func(d []byte) { le.PutUint32(d[20:], 3000) },
		"encrypted":         func(d []byte) { d[24] = 1 },
		"checksummed":       func(d []byte) { d[26] = 1 },
		"last page huge":    func(d []byte) { le.PutUint32(d[32:], 1<<30) },
		"max bucket huge":   func(d []byte) { le.PutUint32(d[72:], 1<<31) },
		"spares off file":   func(d []byte) { le.PutUint32(d[96:], 1<<30) },
		"spares to meta":    func(d []byte) { le.PutUint32(d[96:], 0) },
		"page number wrong": func(d []byte) { le.PutUint32(pageAt(d, 1)[8:], 7) },
		"page type wrong":   func(d []byte) { pageAt(d, 1)[25] = 5 },
		"chain loop":        func(d []byte) { le.PutUint32(pageAt(d, 1)[16:], 1) },
		"chain off file":    func(d []byte) { le.PutUint32(pageAt(d, 1)[16:], 1<<20) },
		"odd entries":       func(d []byte) { le.PutUint16(pageAt(d, 1)[20:], 3) },
		"too many entries":  func(d []byte) { le.PutUint16(pageAt(d, 1)[20:], 4000) },
		"item before index": func(d []byte) { le.PutUint16(pageAt(d, 1)[26:], 2) },
		"item past end":     func(d []byte) { le.PutUint16(pageAt(d, 1)[28:], 5000) },
		"unknown item kind": func(d []byte) { p := pageAt(d, 1); p[le.Uint16(p[26:])] = 9 },
		"duplicate item":    func(d []byte) { p := pageAt(d, 1); p[le.Uint16(p[28:])] = 2 },
	}
	for name, corrupt := range cases {
		t.Run(name, func(t *testing.T) {
			d := bytes.Clone(base)
			corrupt(d)
			if _, err := readAll(t, d); !errors.Is(err, ErrFormat) {
				t.Fatalf("%v, want ErrFormat", err)
			}
		})
	}
}

// The overflow chain of longpw: a loop, a wrong page type and a length
// beyond the file are refused.
func TestHostileOverflow(t *testing.T) {
	base := fixture(t, "sasldb2-many")
	le := binary.LittleEndian
	var ovf []int
	for no := 1; no < len(base)/4096; no++ {
		if pageAt(base, no)[25] == typeOverflow {
			ovf = append(ovf, no)
		}
	}
	if len(ovf) == 0 {
		t.Fatal("fixture has no overflow page")
	}
	cases := map[string]func(d []byte){
		"loop": func(d []byte) {
			le.PutUint16(pageAt(d, ovf[0])[22:], 1000)
			le.PutUint32(pageAt(d, ovf[0])[16:], uint32(ovf[0]))
		},
		"chain off file": func(d []byte) {
			le.PutUint16(pageAt(d, ovf[0])[22:], 1000)
			le.PutUint32(pageAt(d, ovf[0])[16:], 1<<20)
		},
		"not ovf":   func(d []byte) { pageAt(d, ovf[0])[25] = typeHash },
		"long page": func(d []byte) { le.PutUint16(pageAt(d, ovf[0])[22:], 5000) },
		"empty":     func(d []byte) { le.PutUint16(pageAt(d, ovf[0])[22:], 0) },
	}
	for name, corrupt := range cases {
		t.Run(name, func(t *testing.T) {
			d := bytes.Clone(base)
			corrupt(d)
			if _, err := readAll(t, d); !errors.Is(err, ErrFormat) {
				t.Fatalf("%v, want ErrFormat", err)
			}
		})
	}
}

// Random byte damage never panics and never hangs.
func TestRandomDamage(t *testing.T) {
	base := fixture(t, "sasldb2-many")
	rng := testseed.Rand(t)
	for i := 0; i < 2000; i++ {
		d := bytes.Clone(base)
		for j := 0; j < 1+rng.IntN(8); j++ {
			d[rng.IntN(len(d))] = byte(rng.IntN(256))
		}
		readAll(t, d)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"sasldb2", "sasldb2-many"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		db, err := Parse(data)
		if err != nil {
			return
		}
		total := 0
		db.Walk(func(k, v []byte) error {
			total += len(k) + len(v)
			if total > len(data) {
				t.Fatalf("walk produced %d bytes from %d", total, len(data))
			}
			return nil
		})
	})
}
