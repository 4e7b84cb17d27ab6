package cyradm

import (
	"bufio"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// ScriptReader reads commands from a file or pipe, without a prompt.
type ScriptReader struct{ sc *bufio.Scanner }

// NewScriptReader reads lines from r.
func NewScriptReader(r io.Reader) *ScriptReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	return &ScriptReader{sc: sc}
}

// ReadLine returns the next line or io.EOF.
func (r *ScriptReader) ReadLine(string) (string, error) {
	if r.sc.Scan() {
		return strings.TrimSuffix(r.sc.Text(), "\r"), nil
	}
	if err := r.sc.Err(); err != nil {
		return "", err
	}
	return "", io.EOF
}

// historyLimit bounds the history kept in memory and in the file.
const historyLimit = 1000

// History is the terminal's line history, loaded from and appended to a
// file (~/.cyradm_history). It implements golang.org/x/term's History.
type History struct {
	lines []string // oldest first
	path  string
}

// LoadHistory reads path (a missing file is an empty history).
func LoadHistory(path string) *History {
	h := &History{path: path}
	if data, err := os.ReadFile(path); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if l != "" {
				h.lines = append(h.lines, l)
			}
		}
	}
	if len(h.lines) > historyLimit {
		h.lines = h.lines[len(h.lines)-historyLimit:]
	}
	return h
}

// Add records a line and appends it to the file; the file is private to
// its owner since commands may name users.
func (h *History) Add(entry string) {
	if strings.TrimSpace(entry) == "" || strings.ContainsAny(entry, "\n\r") {
		return
	}
	h.lines = append(h.lines, entry)
	if len(h.lines) > historyLimit {
		h.lines = h.lines[1:]
	}
	if h.path == "" {
		return
	}
	if f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err == nil {
		f.WriteString(entry + "\n")
		f.Close()
	}
}

// Len is the number of lines.
func (h *History) Len() int { return len(h.lines) }

// At returns a line; 0 is the most recent.
func (h *History) At(i int) string { return h.lines[len(h.lines)-1-i] }

// TerminalReader edits lines on a terminal: history, tab completion of
// command and mailbox names. The terminal is in raw mode only while a line
// is being read, so commands (and sh) see a normal terminal.
type TerminalReader struct {
	fd     int
	t      *term.Terminal
	shell  *Shell
	prompt string
	width  int
	// ambiguous is the line and cursor left by a Tab that had several
	// completions: a second Tab there lists them, as readline does.
	ambiguous string
}

// NewTerminalReader edits lines on the terminal fd (stdin) writing to out.
func NewTerminalReader(fd int, in io.Reader, out io.Writer, shell *Shell, history *History) *TerminalReader {
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{in, out}, "")
	if history != nil {
		t.History = history
	}
	r := &TerminalReader{fd: fd, t: t, shell: shell, width: 80}
	t.AutoCompleteCallback = r.complete
	return r
}

// ReadLine shows prompt and reads one edited line.
func (r *TerminalReader) ReadLine(prompt string) (string, error) {
	// A pseudo-terminal may report a width of 0; keep the default then.
	if w, h, err := term.GetSize(r.fd); err == nil && w > 0 {
		r.t.SetSize(w, h)
		r.width = w
	}
	state, err := term.MakeRaw(r.fd)
	if err != nil {
		return "", err
	}
	defer term.Restore(r.fd, state)
	r.t.SetPrompt(prompt)
	r.prompt, r.ambiguous = prompt, ""
	return r.t.ReadLine()
}

// ReadPassword asks for a password without echo.
func ReadPassword(fd int, prompt string, out io.Writer) (string, error) {
	// Echo goes off before the prompt shows: a password typed the moment
	// the prompt appears (a user typing ahead, a script) is never echoed.
	if old, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
		quiet := *old
		quiet.Lflag &^= unix.ECHO
		if unix.IoctlSetTermios(fd, unix.TCSETS, &quiet) == nil {
			defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
		}
	}
	io.WriteString(out, prompt)
	pw, err := term.ReadPassword(fd)
	io.WriteString(out, "\n")
	return string(pw), err
}

// complete handles tab: the first word completes to command names, later
// words to mailbox names from the server. It extends the word to the
// longest common prefix of the candidates; when several remain, a second
// Tab lists them under the line (readline's behaviour).
func (r *TerminalReader) complete(line string, pos int, key rune) (string, int, bool) {
	if key != '\t' {
		return "", 0, false
	}
	start := strings.LastIndexAny(line[:pos], " \t;") + 1
	word := line[start:pos]
	first := strings.TrimSpace(line[:start]) == "" || strings.HasSuffix(strings.TrimSpace(line[:start]), ";")
	var candidates []string
	if first {
		for _, n := range CommandNames() {
			if strings.HasPrefix(n, word) {
				candidates = append(candidates, n)
			}
		}
	} else {
		candidates = r.shell.completeMailbox(word)
	}
	if len(candidates) == 0 {
		return "", 0, false
	}
	common := commonPrefix(candidates)
	if len(candidates) == 1 {
		common += " "
	}
	if len(common) < len(word) {
		return "", 0, false
	}
	newLine, newPos := line[:start]+common+line[pos:], start+len(common)
	if len(candidates) > 1 {
		here := newLine + "\x00" + strconv.Itoa(newPos)
		if r.ambiguous == here && newLine == line {
			r.listChoices(line, candidates)
		}
		r.ambiguous = here
	}
	if newLine == line {
		return "", 0, false
	}
	return newLine, newPos, true
}

// listChoices prints the line as typed, then the candidates in columns;
// the terminal then redraws the prompt and the line below them.
func (r *TerminalReader) listChoices(line string, candidates []string) {
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	var b strings.Builder
	b.WriteString(r.prompt + line + "\n")
	writeColumns(&b, sorted, r.width-1)
	r.t.Write([]byte(b.String()))
}

func commonPrefix(words []string) string {
	common := words[0]
	for _, w := range words[1:] {
		for !strings.HasPrefix(w, common) {
			common = common[:len(common)-1]
		}
	}
	return common
}

// completeMailbox lists the mailboxes starting with prefix.
func (s *Shell) completeMailbox(prefix string) []string {
	if s.client == nil || strings.ContainsAny(prefix, "*%") {
		return nil
	}
	boxes, err := s.client.List("", prefix+"*", ListOptions{})
	if err != nil {
		return nil
	}
	var names []string
	for _, m := range boxes {
		names = append(names, m.Name)
	}
	return names
}
