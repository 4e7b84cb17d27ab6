// Package privs switches a process started as root to the user that owns
// the configuration directory, as Cyrus insists its tools and daemons run as
// the cyrus user: every file they create then keeps the owner the rest of
// the installation expects.
//
// The switch is all or nothing: supplementary groups, gid and uid are set in
// that order, and Go applies each to every thread of the process. A process
// not running as root, or a directory owned by root, is left unchanged.
package privs
