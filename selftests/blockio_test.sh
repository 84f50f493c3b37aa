#!/bin/sh
# The block backend with open-iscsi on a RAM disk (brd): the device is
# claimed exclusively, reads and writes are byte-exact against the device
# itself (read back past any cache with O_DIRECT), neither direction is
# copied by the CPU, flushes and zeroing work, and deleting the LUN lets
# the device go. Runs in the test VM as root.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:blockio
I=iqn.2024-01.org.bootsan.test:blockio-initiator
PORT=3293
DEV=/dev/ram0
P="-T $T -p 127.0.0.1:$PORT"

echo "TAP version 13"
modprobe bootsan && modprobe iscsi_tcp && modprobe sd_mod &&
	modprobe brd rd_nr=1 rd_size=65536 || { echo "Bail out! modules missing"; exit 1; }

stat_of() {
	./bsnl stats | grep "^$T 0 " | sed -n "s/.* $1=\([0-9]*\).*/\1/p"
}
disk() {
	for s in /sys/class/iscsi_session/session*; do
		grep -q ":blockio\$" "$s/targetname" 2>/dev/null || continue
		for b in "$s"/device/target*/*:*:*:0/block/*; do
			[ -e "$b" ] && echo "/dev/${b##*/}" && return 0
		done
	done
	return 1
}

/usr/bin/dd if=/dev/urandom of=/tmp/blk.pattern bs=1M count=16 2>/dev/null
check "a pattern on the RAM disk" \
	/usr/bin/dd if=/tmp/blk.pattern of=$DEV bs=1M oflag=direct 2>/dev/null
check "portal and target with a block LUN" sh -c "./bsnl portal-new 127.0.0.1 $PORT &&
	./bsnl target-new $T allow-any 1 && ./bsnl lun-new $T 0 $DEV block"
check "the device is claimed: a second block LUN on it is refused" \
	sh -c "! ./bsnl lun-new $T 1 $DEV block 2>/tmp/blk.err && grep -q 'in use' /tmp/blk.err"

mkdir -p /etc/iscsi /var/lib/iscsi /run/lock/iscsi
echo "InitiatorName=$I" >/etc/iscsi/initiatorname.iscsi
pidof iscsid >/dev/null || { setsid iscsid -f >/tmp/iscsid-blk.log 2>&1 & sleep 1; }
login() {
	iscsiadm -m discovery -t sendtargets -p 127.0.0.1:$PORT >/dev/null &&
		iscsiadm -m node $P --login >/dev/null && wait_for 30 disk >/dev/null
}
check "login" login
D=$(disk)
echo "# block LUN: $D"

check "16 MiB read match the device" sh -c "
	/usr/bin/dd if=$D bs=1M count=16 iflag=direct 2>/dev/null | /usr/bin/cmp - /tmp/blk.pattern"
check "unaligned 4 KiB reads match" sh -c "
	/usr/bin/dd if=$D bs=4096 skip=7 count=19 iflag=direct 2>/dev/null |
		/usr/bin/cmp - /tmp/blk.pattern -i 0:28672 -n 77824"
/usr/bin/dd if=/dev/urandom of=/tmp/blk.new bs=1M count=8 2>/dev/null
check "8 MiB written with a flush land on the device" sh -c "
	/usr/bin/dd if=/tmp/blk.new of=$D bs=128k seek=128 oflag=direct conv=fsync 2>/dev/null &&
	/usr/bin/dd if=$DEV bs=1M skip=16 count=8 iflag=direct 2>/dev/null | /usr/bin/cmp - /tmp/blk.new"
check "and read back the same through the initiator" sh -c "
	/usr/bin/dd if=$D bs=1M skip=16 count=8 iflag=direct 2>/dev/null | /usr/bin/cmp - /tmp/blk.new"
concurrent() {
	(/usr/bin/dd if=/tmp/blk.pattern of=$D bs=64k seek=512 count=128 oflag=direct 2>/dev/null) &
	for r in 1 2 3; do
		/usr/bin/dd if=$D bs=64k count=256 iflag=direct of=/tmp/blk.read.$r 2>/dev/null &
	done
	wait
	for r in 1 2 3; do
		/usr/bin/cmp /tmp/blk.read.$r /tmp/blk.pattern || return 1
	done
	/usr/bin/dd if=$DEV bs=1M skip=32 count=8 iflag=direct 2>/dev/null |
		/usr/bin/cmp - /tmp/blk.pattern -n 8388608
}
check "3 readers and a writer at once: every byte exact" concurrent
check "fio on the block LUN: two writers at queue depth 32, verified" \
	fio_verify "$D" $((48 << 20)) /tmp/blk.fio
check "zeroing a range through the initiator gives zeros on the device" sh -c "
	/usr/sbin/blkdiscard -z -o 1048576 -l 1048576 $D &&
	/usr/bin/dd if=$DEV bs=1M skip=1 count=1 iflag=direct 2>/dev/null | /usr/bin/cmp - /dev/zero -n 1048576 &&
	/usr/bin/dd if=$DEV bs=1M count=1 iflag=direct 2>/dev/null | /usr/bin/cmp - /tmp/blk.pattern -n 1048576"
# Thin provisioning is the device's: brd discards on some kernels only.
if [ "$(cat /sys/block/ram0/queue/discard_max_bytes)" -gt 0 ]; then
	check "the device discards: the LUN is thin (LBPME=1, LBPRZ=1)" sh -c "
		/usr/bin/sg_readcap -l $D | grep -q 'lbpme=1, lbprz=1'"
	check "UNMAP through the initiator leaves zeros on the device" sh -c "
		/usr/sbin/blkdiscard -o 2097152 -l 1048576 $D &&
		/usr/bin/dd if=$DEV bs=1M skip=2 count=1 iflag=direct 2>/dev/null | /usr/bin/cmp - /dev/zero -n 1048576"
else
	check "the device cannot discard: the LUN is fully provisioned (LBPME=0)" sh -c "
		/usr/bin/sg_readcap -l $D | grep -q 'lbpme=0'"
	check "and the initiator sees no UNMAP (discard_max_bytes 0)" \
		test "$(cat /sys/block/${D#/dev/}/queue/discard_max_bytes)" = 0
fi
check "no byte was copied by the CPU either way" \
	test "$(stat_of read_bytes_copied)/$(stat_of write_bytes_copied)" = "0/0"
check "reads went by reference" test "$(stat_of read_bytes_by_ref)" -ge $((40 << 20))
check "logout" iscsiadm -m node $P --logout

released() {
	./bsnl target-del $T force && ./bsnl portal-del 127.0.0.1 $PORT && wait_for 10 rmmod brd
}
check "deleting the LUN releases the device" released
tap_done
