#!/bin/sh
# hashed.sh DIR IMAPPORT LMTPPORT SIEVEPORT — make test/compat/cyrus-tree-hashed:
# a real Cyrus 3.6.1 instance in DIR with the legacy spool layout
# (mailbox_legacy_dirs: yes, hashimapspool: yes, fulldirhash: yes), filled
# by fill.py, its answers captured by capture.py into expected.json, then
# stopped and copied as README.md says for test/compat/cyrus-tree. Run as
# root (the server runs as user cyrus); the ports must be free.
set -eu
D=${1:?usage: hashed.sh DIR IMAPPORT LMTPPORT SIEVEPORT}
IMAP=$2 LMTP=$3 SIEVE=$4
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=/usr/lib/cyrus/bin
rm -rf "$D"; mkdir -p "$D/conf/socket" "$D/spool" "$D/sieve" "$D/run"
cat > "$D/imapd.conf" <<CONF
configdirectory: $D/conf
defaultpartition: default
partition-default: $D/spool
sievedir: $D/sieve
admins: cyrus
allowplaintext: yes
sasl_pwcheck_method: alwaystrue
sasl_mech_list: PLAIN LOGIN
unixhierarchysep: no
altnamespace: no
lmtp_downcase_rcpt: yes
idlesocket: $D/conf/socket/idle
notifysocket: $D/conf/socket/notify
lmtpsocket: $D/conf/socket/lmtp
maxmessagesize: 1000000
mailbox_legacy_dirs: yes
hashimapspool: yes
fulldirhash: yes
CONF
cat > "$D/cyrus.conf" <<CONF
START {
  recover cmd="$BIN/ctl_cyrusdb -r -C $D/imapd.conf"
}
SERVICES {
  imap cmd="$BIN/imapd -C $D/imapd.conf" listen="127.0.0.1:$IMAP" prefork=0
  lmtp cmd="$BIN/lmtpd -a -C $D/imapd.conf" listen="127.0.0.1:$LMTP" prefork=0
  sieve cmd="$BIN/timsieved -C $D/imapd.conf" listen="127.0.0.1:$SIEVE" prefork=0
}
EVENTS {
}
CONF
chown -R cyrus:mail "$D"
runuser -u cyrus -- $BIN/master -C "$D/imapd.conf" -M "$D/cyrus.conf" -p "$D/run/master.pid" -d
for port in $IMAP $LMTP $SIEVE; do
	i=0
	until ss -ltn | grep -q "127.0.0.1:$port "; do
		i=$((i + 1)); [ $i -lt 100 ] || { echo "port $port never listened" >&2; exit 1; }
		sleep 0.1
	done
done
python3 "$HERE/fill.py" $IMAP $LMTP $SIEVE
python3 "$HERE/capture.py" $IMAP $SIEVE alice bob cyrus > "$D/expected.json"
pid=$(cat "$D/run/master.pid"); kill "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done

T="$REPO/test/compat/cyrus-tree-hashed"
rm -rf "$T"; mkdir -p "$T"
sed "s#$D#@ROOT@#g" "$D/imapd.conf" > "$T/imapd.conf"
sed "s#$D#@ROOT@#g" "$D/cyrus.conf" > "$T/cyrus.conf"
cp "$D/expected.json" "$T/"
cp -a "$D/spool" "$D/sieve" "$T/"
(cd "$D" && find conf -name mailboxes.db -o -name annotations.db -o -path 'conf/quota/*' -type f \
	-o -name '*.seen' -o -name '*.sub' -o -name seen.db -o -name sub.db) | while read -r f; do
	mkdir -p "$T/$(dirname "$f")"; cp -a "$D/$f" "$T/$f"
done
chown -R --reference="$REPO" "$T"
