#!/bin/sh
# CRC32C header and data digests with open-iscsi: the initiator asks for
# both, the session runs with both, and data is byte-exact both ways
# (small and large PDUs, reads through stable copies because a digest
# must cover exactly the bytes sent). Runs in the test VM as root.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:digest
I=iqn.2024-01.org.bootsan.test:digest-initiator
PORT=3292
IMG=/tmp/digest.img
P="-T $T -p 127.0.0.1:$PORT"

echo "TAP version 13"
modprobe bootsan && modprobe crc32c_generic && modprobe iscsi_tcp && modprobe sd_mod ||
	{ echo "Bail out! modules missing"; exit 1; }

/usr/bin/dd if=/dev/urandom of=/tmp/digest.pattern bs=1M count=8 2>/dev/null
truncate -s 32M $IMG
/usr/bin/dd if=/tmp/digest.pattern of=$IMG bs=1M conv=notrunc 2>/dev/null
check "portal and target" sh -c "./bsnl portal-new 127.0.0.1 $PORT &&
	./bsnl target-new $T allow-any 1 && ./bsnl lun-new $T 0 $IMG"

mkdir -p /etc/iscsi /var/lib/iscsi /run/lock/iscsi
echo "InitiatorName=$I" >/etc/iscsi/initiatorname.iscsi
pidof iscsid >/dev/null || { setsid iscsid -f >/tmp/iscsid-digest.log 2>&1 & sleep 1; }

disk() {
	for s in /sys/class/iscsi_session/session*; do
		grep -q ":digest\$" "$s/targetname" 2>/dev/null || continue
		for b in "$s"/device/target*/*:*:*:0/block/*; do
			[ -e "$b" ] && echo "/dev/${b##*/}" && return 0
		done
	done
	return 1
}

# login HDIGEST DDIGEST [MaxRecvDataSegmentLength]
login() {
	iscsiadm -m discovery -t sendtargets -p 127.0.0.1:$PORT >/dev/null &&
		iscsiadm -m node $P -o update -n 'node.conn[0].iscsi.HeaderDigest' -v "$1" &&
		iscsiadm -m node $P -o update -n 'node.conn[0].iscsi.DataDigest' -v "$2" &&
		iscsiadm -m node $P -o update \
			-n 'node.conn[0].iscsi.MaxRecvDataSegmentLength' -v "${3:-262144}" &&
		iscsiadm -m node $P --login >/dev/null && wait_for 30 disk >/dev/null
}
logout() {
	iscsiadm -m node $P --logout >/dev/null
}
negotiated() {
	iscsiadm -m session -P 2 | tee /tmp/digest.session |
		grep -q "HeaderDigest: $1" && grep -q "DataDigest: $2" /tmp/digest.session
}
exact() {
	D=$(disk) &&
		/usr/bin/dd if=$D bs=1M count=8 iflag=direct 2>/dev/null | /usr/bin/cmp - /tmp/digest.pattern &&
		/usr/bin/dd if=/dev/urandom of=/tmp/digest.new bs=1M count=4 2>/dev/null &&
		/usr/bin/dd if=/tmp/digest.new of=$D bs=64k seek=160 oflag=direct 2>/dev/null &&
		/usr/bin/dd if=$IMG bs=1M skip=10 count=4 2>/dev/null | /usr/bin/cmp - /tmp/digest.new &&
		/usr/bin/dd if=$D bs=1M skip=10 count=4 iflag=direct 2>/dev/null | /usr/bin/cmp - /tmp/digest.new &&
		/usr/bin/dd if=$D bs=4096 skip=3 count=9 iflag=direct 2>/dev/null |
			/usr/bin/cmp - /tmp/digest.pattern -i 0:12288 -n 36864
}

check "login with HeaderDigest=CRC32C DataDigest=CRC32C" login CRC32C CRC32C
check "both digests are in use" negotiated CRC32C CRC32C
check "reads and writes are byte-exact with both digests" exact
check "reads under a data digest copy to stable pages" sh -c "
	test \"\$(./bsnl stats | grep '^$T 0 ' | sed -n 's/.* read_bytes_copied=\([0-9]*\).*/\1/p')\" -gt 0"
check "logout" logout

check "login with 4 KiB PDUs and both digests" login CRC32C CRC32C 4096
check "reads and writes are byte-exact with 4 KiB PDUs" exact
check "logout" logout

check "login with only the header digest" login CRC32C None
check "header digest only is in use" negotiated CRC32C None
check "byte-exact with the header digest only" exact
check "logout" logout

check "login with only the data digest" login None CRC32C
check "data digest only is in use" negotiated None CRC32C
check "byte-exact with the data digest only" exact
check "logout" logout

check "clean up" sh -c "./bsnl target-del $T force && ./bsnl portal-del 127.0.0.1 $PORT"
tap_done
