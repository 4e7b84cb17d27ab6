// Package diskspace reads how big a filesystem is and how much of it is
// used and free, the one place gocyrus asks the kernel (statvfs): cyr_df
// prints it and pkg/store chooses the partition of a new mailbox by it.
//
// Invariants: sizes are in bytes, computed from the fragment size
// (f_frsize, what df and Cyrus's cyr_df multiply by; the block size when
// the kernel gives none); Used is what nobody can allocate any more
// (blocks minus free blocks), Avail what an unprivileged writer still
// can (the reserve for root is in neither); nothing is cached.
package diskspace
