package store

import (
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/quota"
)

// The types and values of the parts below the store that its callers
// handle. The protocol packages import the store, never pkg/mboxlist or
// pkg/quota (test/deps_test.go): these names are how they see them.
type (
	// Entry is a mailbox's list entry (name, uniqueid, partition, ACL…).
	Entry = mboxlist.Entry
	// Seen is a user's seen state of a mailbox they do not own.
	Seen = mboxlist.Seen
	// MetadataEntry is one value of a mailbox's (or the server's) metadata.
	MetadataEntry = mboxlist.MetadataEntry

	// QuotaMode is how strictly a change is checked against quota.
	QuotaMode = quota.Mode
	// QuotaRoot is a root's limits and usage.
	QuotaRoot = quota.Root
	// QuotaLimits are a root's limits, one per resource (-1: none).
	QuotaLimits = quota.Limits
	// QuotaUsage is a usage vector, one counter per resource.
	QuotaUsage = quota.Usage
	// QuotaResource is one quota resource (STORAGE, MESSAGE…).
	QuotaResource = quota.Resource
)

// Quota modes (quota.Mode).
const (
	QuotaStrict   = quota.Strict   // IMAP APPEND, COPY, CREATE
	QuotaOverflow = quota.Overflow // LMTP: refuse only a root already over
	QuotaIgnore   = quota.Ignore   // admin tools, IGNOREQUOTA
)

// Quota resources, in the order usage vectors keep them.
const (
	QuotaStorage           = quota.Storage
	QuotaMessage           = quota.Message
	QuotaAnnotationStorage = quota.AnnotationStorage
	QuotaNumFolders        = quota.NumFolders
	QuotaNumResources      = quota.NumResources
)

// MaxQuotaLimit is the largest quota limit (quota.MaxLimit).
const MaxQuotaLimit = quota.MaxLimit

// MaxMetadataSize is the largest metadata value the list keeps.
const MaxMetadataSize = mboxlist.MaxMetadataSize

// Errors of the list and quota, for errors.Is.
var (
	ErrNotFound        = mboxlist.ErrNotFound
	ErrExists          = mboxlist.ErrExists
	ErrChanged         = mboxlist.ErrChanged
	ErrOverQuota       = quota.ErrOverQuota
	ErrNoQuotaRoot     = quota.ErrNoRoot
	ErrUnknownResource = quota.ErrUnknownResource
)

// NoQuotaLimits returns limits with every resource unlimited.
func NoQuotaLimits() QuotaLimits { return quota.NoLimits() }

// ParseQuotaResource maps a resource name (RFC 9208: STORAGE, MESSAGE…)
// to its resource; ErrUnknownResource for any other.
func ParseQuotaResource(name string) (QuotaResource, error) { return quota.ParseResource(name) }
