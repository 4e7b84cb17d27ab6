package quota

import (
	"fmt"
	"strings"
)

// Resource is one quota resource, in the order counters are stored.
type Resource int

const (
	Storage Resource = iota
	Message
	AnnotationStorage
	NumFolders
	NumResources int = iota
)

var resourceNames = [NumResources]string{"STORAGE", "MESSAGE", "X-ANNOTATION-STORAGE", "X-NUM-FOLDERS"}

func (r Resource) String() string {
	if r < 0 || int(r) >= NumResources {
		return fmt.Sprintf("Resource(%d)", int(r))
	}
	return resourceNames[r]
}

// ErrUnknownResource is returned by ParseResource for a name Cyrus does not know.
var ErrUnknownResource = fmt.Errorf("Unsupported quota resource")

// ParseResource reads a resource name, case-insensitively.
func ParseResource(name string) (Resource, error) {
	for i, n := range resourceNames {
		if strings.EqualFold(n, name) {
			return Resource(i), nil
		}
	}
	return 0, fmt.Errorf("%w: %s", ErrUnknownResource, name)
}

// Limits are a root's limits, in the resources' own units (KiB for the two
// storage resources); Unlimited (-1) means none.
type Limits [NumResources]int64

// Usage is what a root has used: bytes for the storage resources.
type Usage [NumResources]int64

// Unlimited marks a resource without a limit.
const Unlimited int64 = -1

// MaxLimit is the largest limit a root may have (2^53, as Cyrus: a limit
// in KiB times 1024 stays within an int64).
const MaxLimit int64 = 1 << 53

// ErrBadLimit is returned by Set for a limit over MaxLimit or below
// Unlimited.
var ErrBadLimit = fmt.Errorf("Quota limit out of range")

// NoLimits returns limits with every resource unlimited.
func NoLimits() Limits {
	var l Limits
	for i := range l {
		l[i] = Unlimited
	}
	return l
}

// inBytes converts a limit to the unit usage is counted in.
func (r Resource) inBytes() bool { return r == Storage || r == AnnotationStorage }

// usageLimit is the limit expressed in usage units (bytes for storage).
func (l Limits) usageLimit(r Resource) int64 {
	v := l[r]
	if v < 0 {
		return Unlimited
	}
	if r.inBytes() {
		return v * 1024
	}
	return v
}

// Display returns usage in the unit reports and IMAP use: KiB for storage
// (rounded down, as Cyrus prints it).
func (u Usage) Display(r Resource) int64 {
	if r.inBytes() {
		return u[r] / 1024
	}
	return u[r]
}

// Mode says how strictly a change is checked against the limits.
type Mode int

const (
	// Strict refuses a change that would take usage over a limit (IMAP APPEND, COPY, CREATE).
	Strict Mode = iota
	// Overflow refuses only when usage is already over a limit: LMTP's "one message may overflow".
	Overflow
	// Ignore charges usage without any check (deliver -q, LMTP IGNOREQUOTA).
	Ignore
)

// Exceeded applies the rule for mode to one root: it reports the first
// resource that delta (positive parts only) may not be added to.
func Exceeded(l Limits, used, delta Usage, mode Mode) (Resource, bool) {
	if mode == Ignore {
		return 0, false
	}
	for i := 0; i < NumResources; i++ {
		r := Resource(i)
		lim := l.usageLimit(r)
		if lim < 0 || delta[i] <= 0 {
			continue
		}
		switch mode {
		case Overflow:
			if used[i] > lim {
				return r, true
			}
		default:
			if used[i]+delta[i] > lim {
				return r, true
			}
		}
	}
	return 0, false
}
