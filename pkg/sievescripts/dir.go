package sievescripts

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Script describes one stored script.
type Script struct {
	Name   string
	Active bool
	Size   int64
}

// Dir is one directory of scripts: a user's, or a global one.
type Dir struct {
	path  string
	store *Store
}

// Path returns the directory's path (it may not exist yet).
func (d *Dir) Path() string { return d.path }

func (d *Dir) scriptPath(name string) string { return filepath.Join(d.path, name+scriptSuffix) }

// List returns the scripts sorted by name, with the active one marked. A
// directory that does not exist yet holds no scripts.
func (d *Dir) List() ([]Script, error) {
	ents, err := os.ReadDir(d.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sievescripts: %w", err)
	}
	active, err := d.ActiveName()
	if err != nil {
		return nil, err
	}
	var out []Script
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), scriptSuffix)
		if !ok || !e.Type().IsRegular() || ValidateName(name) != nil {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed since ReadDir
		}
		out = append(out, Script{Name: name, Active: name == active, Size: info.Size()})
	}
	slices.SortFunc(out, func(a, b Script) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Get returns a script's source.
func (d *Dir) Get(name string) ([]byte, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	return readScript(d.scriptPath(name), name)
}

func readScript(path, name string) ([]byte, error) {
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	if err != nil {
		return nil, fmt.Errorf("sievescripts: %w", err)
	}
	return src, nil
}

// Exists reports whether a script of that name is stored.
func (d *Dir) Exists(name string) (bool, error) {
	if err := ValidateName(name); err != nil {
		return false, err
	}
	_, err := os.Lstat(d.scriptPath(name))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("sievescripts: %w", err)
}

// CheckSpace tells whether a script of size bytes could be stored as name:
// ErrTooLarge over MaxSize, ErrTooManyScripts when it would be one script
// too many (replacing a script of the same name never is). HAVESPACE.
func (d *Dir) CheckSpace(name string, size int64) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if max := d.store.opts.MaxSize; max > 0 && size > int64(max) {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, size, max)
	}
	return d.checkCount(name)
}

// checkCount refuses a new script beyond MaxScripts.
func (d *Dir) checkCount(name string) error {
	max := d.store.opts.MaxScripts
	if max < 0 {
		return nil
	}
	list, err := d.List()
	if err != nil {
		return err
	}
	others := 0
	for _, s := range list {
		if s.Name != name {
			others++
		}
	}
	if others+1 > max {
		return fmt.Errorf("%w: at most %d", ErrTooManyScripts, max)
	}
	return nil
}

// Put stores src as script name, replacing a script of that name
// atomically (an active script stays active). It enforces MaxSize and
// MaxScripts; the caller has already compiled src.
func (d *Dir) Put(name string, src []byte) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if max := d.store.opts.MaxSize; max > 0 && len(src) > max {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(src), max)
	}
	unlock, err := d.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := d.checkCount(name); err != nil {
		return err
	}
	if err := writeAtomic(d.path, d.scriptPath(name), src); err != nil {
		return err
	}
	d.removeBytecode(name)
	return nil
}

// ActiveName returns the name of the active script, "" when none.
func (d *Dir) ActiveName() (string, error) {
	target, err := os.Readlink(filepath.Join(d.path, activeLink))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sievescripts: reading %s: %w", activeLink, err)
	}
	target = filepath.Base(target)
	for _, suffix := range []string{bytecodeSuffix, scriptSuffix} {
		if name, ok := strings.CutSuffix(target, suffix); ok && ValidateName(name) == nil {
			return name, nil
		}
	}
	return "", fmt.Errorf("sievescripts: %s in %s points at %q, not a script", activeLink, d.path, target)
}

// Active returns the active script. A defaultbc naming a script that is gone
// means no active script (ErrNoActive), so delivery proceeds normally.
func (d *Dir) Active() (name string, src []byte, err error) {
	// A concurrent rename repoints defaultbc before unlinking the old name:
	// one retry sees the new link.
	for range 2 {
		name, err = d.ActiveName()
		if err != nil {
			return "", nil, err
		}
		if name == "" {
			return "", nil, ErrNoActive
		}
		src, err = d.Get(name)
		if err == nil {
			return name, src, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return "", nil, err
		}
	}
	return "", nil, ErrNoActive
}

// SetActive makes name the active script; "" deactivates whichever is.
func (d *Dir) SetActive(name string) error {
	if name != "" {
		if err := ValidateName(name); err != nil {
			return err
		}
	}
	unlock, err := d.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if name == "" {
		err := os.Remove(filepath.Join(d.path, activeLink))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("sievescripts: %w", err)
		}
		return syncDir(d.path)
	}
	ok, err := d.Exists(name)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	return d.pointActive(name)
}

// pointActive atomically replaces defaultbc by a link to name.bc.
func (d *Dir) pointActive(name string) error {
	tmp := filepath.Join(d.path, activeLink+".NEW")
	os.Remove(tmp) // left by a crash
	if err := os.Symlink(name+bytecodeSuffix, tmp); err != nil {
		return fmt.Errorf("sievescripts: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(d.path, activeLink)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("sievescripts: %w", err)
	}
	return syncDir(d.path)
}

// Delete removes a script; the active one is refused with ErrActive.
func (d *Dir) Delete(name string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	unlock, err := d.lock()
	if err != nil {
		return err
	}
	defer unlock()
	active, err := d.ActiveName()
	if err != nil {
		return err
	}
	if active == name {
		return fmt.Errorf("%w: %q", ErrActive, name)
	}
	if err := os.Remove(d.scriptPath(name)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %q", ErrNotFound, name)
		}
		return fmt.Errorf("sievescripts: %w", err)
	}
	d.removeBytecode(name)
	return syncDir(d.path)
}

// Rename renames a script; an active script stays active under its new
// name. Renaming to the same name is a no-op when the script exists.
func (d *Dir) Rename(oldName, newName string) error {
	if err := ValidateName(oldName); err != nil {
		return err
	}
	if err := ValidateName(newName); err != nil {
		return err
	}
	unlock, err := d.lock()
	if err != nil {
		return err
	}
	defer unlock()
	ok, err := d.Exists(oldName)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %q", ErrNotFound, oldName)
	}
	if oldName == newName {
		return nil
	}
	if ok, err := d.Exists(newName); err != nil {
		return err
	} else if ok {
		return fmt.Errorf("%w: %q", ErrExists, newName)
	}
	active, err := d.ActiveName()
	if err != nil {
		return err
	}
	oldPath, newPath := d.scriptPath(oldName), d.scriptPath(newName)
	if active != oldName {
		if err := os.Rename(oldPath, newPath); err != nil {
			return fmt.Errorf("sievescripts: %w", err)
		}
		d.removeBytecode(oldName)
		return syncDir(d.path)
	}
	// The active script: both names exist while defaultbc moves, so a
	// reader never finds it missing.
	if err := os.Link(oldPath, newPath); err != nil {
		return fmt.Errorf("sievescripts: %w", err)
	}
	if err := d.pointActive(newName); err != nil {
		os.Remove(newPath)
		return err
	}
	if err := os.Remove(oldPath); err != nil {
		return fmt.Errorf("sievescripts: %w", err)
	}
	d.removeBytecode(oldName)
	return syncDir(d.path)
}

// removeBytecode drops a Cyrus-compiled <name>.bc, stale once its source
// changes; there is none in a directory only gocyrus has written.
func (d *Dir) removeBytecode(name string) {
	os.Remove(filepath.Join(d.path, name+bytecodeSuffix))
}
