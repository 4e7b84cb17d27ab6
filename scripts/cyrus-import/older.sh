#!/bin/sh
# older.sh DIR — the fixtures of cyr_import's older-format tests, made by
# the real Cyrus 3.6.1 tools from test/compat/cyrus-tree (run as root; the
# tools run as user cyrus on a private copy in DIR, no server needed):
#   - pkg/cyrusindex/testdata/v12..v16/<uniqueid>.index: every mailbox's
#     cyrus.index rewritten by `reconstruct -V <version>` (17 -> 16 -> ... 12);
#   - pkg/skiplist/testdata, pkg/flatdb/testdata: mailboxes.db,
#     annotations.db and the seen.db files converted by `cvt_cyrusdb`;
#   - test/compat/cyrus24: the overlay that makes the tree "2.4-like"
#     (skiplist databases, version 12 indexes).
set -eu
D=${1:?usage: older.sh DIR}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BIN=/usr/lib/cyrus/bin
rm -rf "$D"; mkdir -p "$D"
cp -a "$REPO/test/compat/cyrus-tree/." "$D/"
sed -i "s#@ROOT@#$D#g" "$D/imapd.conf" "$D/cyrus.conf"
mkdir -p "$D/conf/socket" "$D/conf/lock" "$D/conf/proc" "$D/out"
chown -R cyrus:mail "$D"
as_cyrus() { runuser -u cyrus -- "$@"; }

cvt() { as_cyrus $BIN/cvt_cyrusdb -C "$D/imapd.conf" "$1" twoskip "$2" "$3" >/dev/null; }
for f in skiplist flat; do
	as_cyrus mkdir -p "$D/out/$f"
	cvt "$D/conf/mailboxes.db" "$D/out/$f/mailboxes.db" $f
	cvt "$D/conf/annotations.db" "$D/out/$f/annotations.db" $f
	for s in "$D"/conf/user/uuid/*/*/*/seen.db; do
		cvt "$s" "$D/out/$f/seen-$(basename "$(dirname "$s")").db" $f
	done
done
# Quotas as a database (quota_db: skiplist) instead of quotalegacy files.
as_cyrus $BIN/cvt_cyrusdb -C "$D/imapd.conf" "$D/conf/quota" quotalegacy "$D/out/skiplist/quotas.db" skiplist >/dev/null
# A skiplist with a delete in its log, and flat escapes of every kind.
as_cyrus cp "$D/out/skiplist/mailboxes.db" "$D/out/skiplist/deleted.db"
as_cyrus $BIN/cyr_dbtool -C "$D/imapd.conf" "$D/out/skiplist/deleted.db" skiplist delete "$(printf 'Nuser\037bob\037Lists')"
as_cyrus touch "$D/out/flat/escapes.db"
as_cyrus $BIN/cyr_dbtool -C "$D/imapd.conf" "$D/out/flat/escapes.db" flat set "$(printf 'a\tb')" "$(printf 'x\ny\rz')"
as_cyrus $BIN/cyr_dbtool -C "$D/imapd.conf" "$D/out/flat/escapes.db" flat set "$(printf 'k\377\200')" "$(printf 'v\377w\177\001')"

for v in 16 15 14 13 12; do
	as_cyrus $BIN/reconstruct -C "$D/imapd.conf" -V $v -r user.alice user.bob shared >/dev/null
	as_cyrus mkdir -p "$D/out/v$v"
	for m in "$D"/spool/uuid/*/*/*; do
		cp "$m/cyrus.index" "$D/out/v$v/$(basename "$m").index"
	done
done

rm -rf "$REPO/pkg/skiplist/testdata" "$REPO/pkg/flatdb/testdata" "$REPO/test/compat/cyrus24"
mkdir -p "$REPO/pkg/skiplist/testdata" "$REPO/pkg/flatdb/testdata"
cp "$D"/out/skiplist/*.db "$REPO/pkg/skiplist/testdata/"
cp "$D"/out/flat/*.db "$REPO/pkg/flatdb/testdata/"
for v in 16 15 14 13 12; do
	rm -rf "$REPO/pkg/cyrusindex/testdata/v$v"; mkdir -p "$REPO/pkg/cyrusindex/testdata/v$v"
	for f in "$D"/out/v$v/*.index; do
		# The deleted mailbox is not reconstructed (not under the three roots).
		[ "$(od -An -tu1 -j11 -N1 "$f" | tr -d ' ')" = "$v" ] && cp "$f" "$REPO/pkg/cyrusindex/testdata/v$v/"
	done
done
# The 2.4-like overlay: skiplist databases, version 12 indexes.
O="$REPO/test/compat/cyrus24"
mkdir -p "$O/conf"
cp "$D/out/skiplist/mailboxes.db" "$D/out/skiplist/annotations.db" "$D/out/skiplist/quotas.db" "$O/conf/"
for s in "$D"/conf/user/uuid/*/*/*/seen.db; do
	rel=${s#"$D/"}; mkdir -p "$O/$(dirname "$rel")"
	cp "$D/out/skiplist/seen-$(basename "$(dirname "$s")").db" "$O/$rel"
done
for m in "$D"/spool/uuid/*/*/*; do
	f="$D/out/v12/$(basename "$m").index"
	[ "$(od -An -tu1 -j11 -N1 "$f" | tr -d ' ')" = 12 ] || continue
	rel=${m#"$D/"}; mkdir -p "$O/$rel"; cp "$f" "$O/$rel/cyrus.index"
done
chown -R --reference="$REPO" "$REPO/pkg/skiplist" "$REPO/pkg/flatdb" "$REPO/pkg/cyrusindex/testdata" "$O"
