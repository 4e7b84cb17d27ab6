package test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// repoRoot is the repository's top directory (tests run in test/).
const repoRoot = ".."

// docCitation matches a citation of a design document by name and section,
// such as ARCHITECTURE.md §7 or CYRUS-BEHAVIOUR.md §3.5–3.6, §4. Group 1 is
// the document, group 2 the run of sections.
var docCitation = regexp.MustCompile(`([A-Z][A-Z0-9_-]*\.md)((?:(?:,| and|, and)? ?§\d+(?:\.\d+)*(?:[–-]\d+(?:\.\d+)*)?)+)`)

// sectionNumber picks the section numbers out of a citation's run.
var sectionNumber = regexp.MustCompile(`\d+(?:\.\d+)*`)

// docName matches any upper-case document name a file mentions.
var docName = regexp.MustCompile(`\b[A-Z][A-Z0-9_-]*\.md\b`)

// oldReference is the citation form of the design notes that lived outside
// the repository: the word "reference", a space and a section sign.
var oldReference = regexp.MustCompile(`(?i)\breference ` + "§")

// TestDocReferences keeps the repository self-contained: no file points
// outside it (to the sibling directory the design notes came from), every
// upper-case document a file names exists, and every citation of a
// document's section names a section that document has.
func TestDocReferences(t *testing.T) {
	outside := "../" + "shared/" // split so this file does not name it
	sections := map[string]map[string]bool{}
	docExists := func(name string) bool {
		for _, dir := range []string{"docs", "."} {
			if _, err := os.Stat(filepath.Join(repoRoot, dir, name)); err == nil {
				return true
			}
		}
		return false
	}
	sectionsOf := func(name string) map[string]bool {
		if s, ok := sections[name]; ok {
			return s
		}
		s := map[string]bool{}
		for _, dir := range []string{"docs", "."} {
			b, err := os.ReadFile(filepath.Join(repoRoot, dir, name))
			if err != nil {
				continue
			}
			for _, m := range regexp.MustCompile(`(?m)^#+ (\d+(?:\.\d+)*)\.? `).FindAllSubmatch(b, -1) {
				s[string(m[1])] = true
			}
			break
		}
		sections[name] = s
		return s
	}
	files := 0
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if slices.Contains([]string{".git", "bin", "var"}, d.Name()) && path != repoRoot {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.IndexByte(b[:min(len(b), 8000)], 0) >= 0 {
			return nil // binary
		}
		files++
		rel, _ := filepath.Rel(repoRoot, path)
		for i, line := range strings.Split(string(b), "\n") {
			where := func(format string, args ...any) {
				t.Errorf("%s:%d: "+format, append([]any{rel, i + 1}, args...)...)
			}
			if strings.Contains(line, outside) {
				where("points outside the repository (%s): the design is in docs/", outside)
			}
			if oldReference.MatchString(line) {
				where("cites the old reference; cite docs/CYRUS-BEHAVIOUR.md §N instead")
			}
			for _, name := range docName.FindAllString(line, -1) {
				if !docExists(name) {
					where("names %s, which the repository does not have", name)
				}
			}
			for _, m := range docCitation.FindAllStringSubmatch(line, -1) {
				if !docExists(m[1]) {
					continue // reported above
				}
				have := sectionsOf(m[1])
				for _, sec := range sectionNumber.FindAllString(m[2], -1) {
					if !have[sec] {
						where("cites %s §%s, which has no such section", m[1], sec)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("scanned only %d files from %s: wrong directory?", files, repoRoot)
	}
}

// TestLibraryPackagesHaveDocGo keeps HACKING.md's rule true: every package
// under pkg/ (its internal/ code generators aside) has a doc.go stating
// its invariants.
func TestLibraryPackagesHaveDocGo(t *testing.T) {
	err := filepath.WalkDir(filepath.Join(repoRoot, "pkg"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if d.Name() == "internal" || d.Name() == "testdata" {
			return filepath.SkipDir
		}
		gos, _ := filepath.Glob(filepath.Join(path, "*.go"))
		if len(gos) == 0 {
			return nil
		}
		if _, err := os.Stat(filepath.Join(path, "doc.go")); err != nil {
			t.Errorf("%s has no doc.go", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
