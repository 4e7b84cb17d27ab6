package sievescripts

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"gocyrus/pkg/config"
	"gocyrus/pkg/mboxname"
)

// Options configure a Store.
type Options struct {
	// Dir is sievedir.
	Dir string
	// FullDirHash follows fulldirhash when hashing user and domain names.
	FullDirHash bool
	// UseHomeDir (sieveusehomedir): the active script of a user is
	// ~user/.sieve and the store manages nothing.
	UseHomeDir bool
	// HomeDir finds a user's home directory for UseHomeDir; nil looks the
	// userid up in the system's user database.
	HomeDir func(userid string) (string, error)
	// MaxScripts is the most scripts one directory may hold
	// (sieve_maxscripts); negative means no limit.
	MaxScripts int
	// MaxSize is the largest script in bytes (sieve_maxscriptsize × 1024);
	// zero or negative means no limit.
	MaxSize int
}

// Store is the script store under one sievedir. Safe for concurrent use,
// also by several processes.
type Store struct {
	opts Options
}

// New returns the store described by opts.
func New(opts Options) *Store {
	if opts.HomeDir == nil {
		opts.HomeDir = systemHomeDir
	}
	return &Store{opts: opts}
}

// FromConfig returns the store configured by imapd.conf: sievedir,
// fulldirhash, sieveusehomedir, sieve_maxscripts and sieve_maxscriptsize.
func FromConfig(cfg *config.Config) *Store {
	return New(Options{
		Dir:         cfg.Sievedir(),
		FullDirHash: cfg.Fulldirhash(),
		UseHomeDir:  cfg.Sieveusehomedir(),
		MaxScripts:  cfg.SieveMaxscripts(),
		MaxSize:     cfg.SieveMaxscriptsize() * 1024,
	})
}

// Options returns the store's options (limits for protocol replies).
func (s *Store) Options() Options { return s.opts }

// UserDir returns the script directory of userid ("user" or
// "user@domain"). It fails with ErrHomeDir under sieveusehomedir.
func (s *Store) UserDir(userid string) (*Dir, error) {
	if s.opts.UseHomeDir {
		return nil, ErrHomeDir
	}
	path, err := s.userPath(userid)
	if err != nil {
		return nil, err
	}
	return &Dir{path: path, store: s}, nil
}

// GlobalDir returns the global scripts of domain ("" for the default
// domain). Global scripts stay in sievedir even with sieveusehomedir.
func (s *Store) GlobalDir(domain string) (*Dir, error) {
	base := s.opts.Dir
	if domain != "" {
		d, err := s.domainPath(domain)
		if err != nil {
			return nil, err
		}
		base = d
	}
	return &Dir{path: filepath.Join(base, "global"), store: s}, nil
}

// Active returns the source of userid's active script, what lmtpd runs: the
// script defaultbc names, or ~user/.sieve with sieveusehomedir. name is the
// script's name (".sieve" for the home directory file). It fails with
// ErrNoActive when there is none.
func (s *Store) Active(userid string) (name string, src []byte, err error) {
	if s.opts.UseHomeDir {
		home, err := s.opts.HomeDir(userid)
		if err != nil {
			return "", nil, fmt.Errorf("sievescripts: home directory of %q: %w", userid, err)
		}
		src, err := os.ReadFile(filepath.Join(home, ".sieve"))
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil, ErrNoActive
		}
		if err != nil {
			return "", nil, fmt.Errorf("sievescripts: %w", err)
		}
		return ".sieve", src, nil
	}
	d, err := s.UserDir(userid)
	if err != nil {
		return "", nil, err
	}
	return d.Active()
}

// Include returns the resolver of Sieve's include (RFC 6609) for userid's
// scripts: personal scripts from the user's directory (the home directory
// with sieveusehomedir, as "<name>.script"), global ones from the global
// directory of the user's domain. A missing script wraps ErrNotFound.
func (s *Store) Include(userid string) func(name string, global bool) ([]byte, error) {
	return func(name string, global bool) ([]byte, error) {
		if global {
			d, err := s.GlobalDir(domainOf(userid))
			if err != nil {
				return nil, err
			}
			return d.Get(name)
		}
		if s.opts.UseHomeDir {
			if err := ValidateName(name); err != nil {
				return nil, err
			}
			home, err := s.opts.HomeDir(userid)
			if err != nil {
				return nil, fmt.Errorf("sievescripts: home directory of %q: %w", userid, err)
			}
			return readScript(filepath.Join(home, name+scriptSuffix), name)
		}
		d, err := s.UserDir(userid)
		if err != nil {
			return nil, err
		}
		return d.Get(name)
	}
}

// userPath maps a userid to its directory; see the package comment.
func (s *Store) userPath(userid string) (string, error) {
	if err := mboxname.ValidateUserID(userid); err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidUser, err)
	}
	local, domain := userid, ""
	if at := strings.LastIndexByte(userid, '@'); at >= 0 {
		local, domain = userid[:at], userid[at+1:]
	}
	if local == "" || local == "." || local == ".." || domain == "." || domain == ".." {
		return "", fmt.Errorf("%w: %q", ErrInvalidUser, userid)
	}
	base := s.opts.Dir
	if domain != "" {
		d, err := s.domainPath(domain)
		if err != nil {
			return "", err
		}
		base = d
	}
	h := mboxname.HashChar(local, s.opts.FullDirHash)
	return filepath.Join(base, string(h), local), nil
}

func (s *Store) domainPath(domain string) (string, error) {
	if domain == "" || domain == "." || domain == ".." || strings.ContainsAny(domain, "/\x00") {
		return "", fmt.Errorf("%w: domain %q", ErrInvalidUser, domain)
	}
	hd := mboxname.HashChar(domain, s.opts.FullDirHash)
	return filepath.Join(s.opts.Dir, "domain", string(hd), domain), nil
}

func domainOf(userid string) string {
	if at := strings.LastIndexByte(userid, '@'); at >= 0 {
		return userid[at+1:]
	}
	return ""
}

func systemHomeDir(userid string) (string, error) {
	u, err := user.Lookup(userid)
	if err != nil {
		return "", err
	}
	return u.HomeDir, nil
}
