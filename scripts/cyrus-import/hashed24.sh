#!/bin/sh
# hashed24.sh DIR — make test/compat/cyrus24-hashed, the overlay that turns
# test/compat/cyrus-tree-hashed into a Cyrus 2.4-like tree: DIR is the
# stopped instance hashed.sh made (run as root; no server runs). On a copy
# of it the real Cyrus 3.6.1 tools write
#   - every cyrus.index in version 12 (reconstruct -V 12);
#   - mailboxes.db in 2.4's entry form, "<internal name>" ->
#     "0 <partition> <id>\t<rights>\t...", as a skiplist (cyr_dbtool set);
#   - the users' seen databases as skiplists (cvt_cyrusdb).
# The cyrus.header files' older four-line form is written by the Go test
# itself (test/cyr_import_test.go), from the format Cyrus documents.
set -eu
SRC=${1:?usage: hashed24.sh DIR}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BIN=/usr/lib/cyrus/bin
D=$SRC.24
rm -rf "$D"; cp -a "$SRC" "$D"
sed -i "s#$SRC#$D#g" "$D/imapd.conf" "$D/cyrus.conf"
as_cyrus() { runuser -u cyrus -- "$@"; }
C="-C $D/imapd.conf"
as_cyrus $BIN/cyr_dbtool $C "$D/conf/mailboxes.db" twoskip show > "$D/list.txt"
# name<TAB>partition<TAB>acl (tab-separated pairs) of each live mailbox.
python3 - "$D/list.txt" > "$D/list24.txt" <<'PY'
import re, sys
for line in open(sys.argv[1], encoding="utf-8", errors="surrogateescape"):
    key, _, value = line.rstrip("\n").partition("\t")
    if not key.startswith("N"):
        continue
    t = re.search(r"\bT (\S+)", value).group(1)
    if "d" in t:
        continue
    name = key[1:].replace(".", "^").replace("\x1f", ".")
    part = re.search(r"\bP (\S+)", value).group(1)
    acl = re.search(r"\bA %\(([^)]*)\)", value).group(1).split()
    print(name + "\t" + part + "\t" + "".join(a + "\t" for a in acl))
PY
as_cyrus touch "$D/mailboxes24.db"
cut -f1 "$D/list24.txt" | while read -r name; do
	# The ACL keeps its tabs: cut, not read, splits the line.
	line=$(grep "^$name	" "$D/list24.txt")
	part=$(printf '%s\n' "$line" | cut -f2)
	acl=$(printf '%s\n' "$line" | cut -f3-)
	as_cyrus $BIN/cyr_dbtool $C "$D/mailboxes24.db" skiplist set "$name" "0 $part $acl"
	as_cyrus $BIN/reconstruct $C -V 12 "$name" >/dev/null
done
O="$REPO/test/compat/cyrus24-hashed"
rm -rf "$O"; mkdir -p "$O/conf"
cp "$D/mailboxes24.db" "$O/conf/mailboxes.db"
for s in "$D"/conf/user/*/*.seen; do
	rel=${s#"$D/"}; mkdir -p "$O/$(dirname "$rel")"
	as_cyrus $BIN/cvt_cyrusdb $C "$s" twoskip "$D/seen.tmp" skiplist >/dev/null
	cp "$D/seen.tmp" "$O/$rel"; rm -f "$D/seen.tmp"
done
find "$D/spool" -name cyrus.index | while read -r f; do
	rel=${f#"$D/"}; mkdir -p "$O/$(dirname "$rel")"; cp "$f" "$O/$rel"
done
chown -R --reference="$REPO" "$O"
