#!/bin/sh
# The zero-copy data path against open-iscsi: reads of a buffered file LUN
# borrow page-cache pages and the CPU copies none of their bytes (the
# read_bytes_copied counter stays 0 while read_bytes_by_ref grows); what
# the initiator reads is byte-for-byte the image, with small and large
# Data-In PDUs, under concurrent writers, and through a direct (O_DIRECT)
# LUN on ext4. Runs in the test VM as root.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:zerocopy
I=iqn.2024-01.org.bootsan.test:zc-initiator
PORT=3291
IMG=/tmp/zc.img
MNT=/tmp/zc-ext4
DIMG=$MNT/direct.img

echo "TAP version 13"
modprobe bootsan && modprobe crc32c_generic 2>/dev/null; modprobe iscsi_tcp && modprobe sd_mod &&
	modprobe ext4 && modprobe loop || { echo "Bail out! modules missing"; exit 1; }

# stat NAME: one counter of LUN $1 of our target.
stat_of() {
	./bsnl stats | grep "^$T $1 " | sed -n "s/.* $2=\([0-9]*\).*/\1/p"
}

/usr/bin/dd if=/dev/urandom of=/tmp/zc.pattern bs=1M count=16 2>/dev/null
truncate -s 64M $IMG
# The pattern goes in through the page cache, where the reads find it.
/usr/bin/dd if=/tmp/zc.pattern of=$IMG bs=1M conv=notrunc 2>/dev/null

# A direct LUN needs a file system with O_DIRECT: ext4 on a loop device.
# The loop device is set up first and mounted after: busybox's mount -o
# loop keeps the device open for writing while it mounts, which a kernel
# built without BLK_DEV_WRITE_MOUNTED (the debug kernel) refuses (EBUSY).
truncate -s 96M /tmp/zc-ext4.img
mkdir -p $MNT
LOOPDEV=
check "ext4 on a loop device for the direct LUN" sh -c "
	/usr/sbin/mke2fs -q -F -t ext4 /tmp/zc-ext4.img &&
	dev=\$(losetup -f) && losetup \$dev /tmp/zc-ext4.img && echo \$dev >/tmp/zc-loopdev &&
	mount -t ext4 \$dev $MNT && truncate -s 32M $DIMG &&
	/usr/bin/dd if=/tmp/zc.pattern of=$DIMG bs=1M conv=notrunc,fsync 2>/dev/null"
LOOPDEV=$(cat /tmp/zc-loopdev 2>/dev/null)

check "portal and target with a buffered LUN 0 and a direct LUN 1" sh -c "
	./bsnl portal-new 127.0.0.1 $PORT && ./bsnl target-new $T allow-any 1 &&
	./bsnl lun-new $T 0 $IMG && ./bsnl lun-new $T 1 $DIMG direct"

mkdir -p /etc/iscsi /var/lib/iscsi /run/lock/iscsi
echo "InitiatorName=$I" >/etc/iscsi/initiatorname.iscsi
pidof iscsid >/dev/null || { setsid iscsid -f >/tmp/iscsid-zc.log 2>&1 & sleep 1; }

# disk LUN: the block device of one LUN of our session.
disk() {
	for s in /sys/class/iscsi_session/session*; do
		grep -q zerocopy "$s/targetname" 2>/dev/null || continue
		for b in "$s"/device/target*/*:*:*:"$1"/block/*; do
			[ -e "$b" ] && echo "/dev/${b##*/}" && return 0
		done
	done
	return 1
}
both_disks() {
	disk 0 >/dev/null && disk 1 >/dev/null
}

login() {
	iscsiadm -m discovery -t sendtargets -p 127.0.0.1:$PORT >/dev/null &&
		iscsiadm -m node -T $T -p 127.0.0.1:$PORT --login >/dev/null &&
		wait_for 30 both_disks
}
logout() {
	iscsiadm -m node -T $T -p 127.0.0.1:$PORT --logout >/dev/null
}

check "login" login
D0=$(disk 0)
D1=$(disk 1)
echo "# buffered LUN: $D0, direct LUN: $D1"

copied0=0
byref0=$(stat_of 0 read_bytes_by_ref)
check "16 MiB read from the buffered LUN match the image" sh -c "
	/usr/bin/dd if=$D0 bs=1M count=16 iflag=direct 2>/dev/null | /usr/bin/cmp - /tmp/zc.pattern"
check "unaligned 4 KiB reads match" sh -c "
	/usr/bin/dd if=$D0 bs=4096 skip=5 count=33 iflag=direct 2>/dev/null |
		/usr/bin/cmp - /tmp/zc.pattern -i 0:20480 -n 135168"
check "a read past the pattern gives the image's zeros" sh -c "
	/usr/bin/dd if=$D0 bs=1M skip=20 count=2 iflag=direct 2>/dev/null |
		/usr/bin/cmp - /dev/zero -n 2097152"
check "buffered reads copied no byte (read_bytes_copied = $copied0)" \
	test "$(stat_of 0 read_bytes_copied)" = "$copied0"
byref=$(stat_of 0 read_bytes_by_ref)
echo "# read_bytes_by_ref: $byref0 -> $byref"
check "buffered reads went by reference (at least 18 MiB more)" \
	test "$((byref - byref0))" -ge $((18 << 20))

# A writer and readers at once, on different blocks (SCSI orders nothing
# between overlapping commands): each reader gets exactly the image, and
# the written blocks hold exactly the new data. Pages reused while TCP
# still held them would show here.
/usr/bin/dd if=/dev/urandom of=/tmp/zc.new bs=1M count=8 2>/dev/null
concurrent() {
	(/usr/bin/dd if=/tmp/zc.new of=$D0 bs=64k seek=256 oflag=direct 2>/dev/null) &
	for r in 1 2 3 4; do
		/usr/bin/dd if=$D0 bs=64k count=256 iflag=direct of=/tmp/zc.read.$r 2>/dev/null &
	done
	wait
	for r in 1 2 3 4; do
		/usr/bin/cmp /tmp/zc.read.$r /tmp/zc.pattern -n 16777216 || return 1
	done
	/usr/bin/dd if=$D0 bs=1M skip=16 count=8 iflag=direct 2>/dev/null | /usr/bin/cmp - /tmp/zc.new &&
		/usr/bin/dd if=$IMG bs=1M skip=16 count=8 2>/dev/null | /usr/bin/cmp - /tmp/zc.new
}
check "4 readers and a writer at once: every byte exact" concurrent
check "buffered writes were copied into the page cache (write_bytes_copied counts them)" \
	test "$(stat_of 0 write_bytes_copied)" -ge $((8 << 20))

check "16 MiB read from the direct LUN match its image" sh -c "
	/usr/bin/dd if=$D1 bs=1M count=16 iflag=direct 2>/dev/null | /usr/bin/cmp - /tmp/zc.pattern"
check "writes to the direct LUN land in its image" sh -c "
	/usr/bin/dd if=/tmp/zc.new of=$D1 bs=1M seek=16 oflag=direct 2>/dev/null &&
	/usr/bin/dd if=$DIMG bs=1M skip=16 count=8 iflag=direct 2>/dev/null | /usr/bin/cmp - /tmp/zc.new"
check "fio on the direct LUN: two writers at queue depth 32, verified" \
	fio_verify "$D1" $((24 << 20)) /tmp/zc.fio
check "the direct LUN copied nothing either way" sh -c "
	test \"\$(./bsnl stats | grep '^$T 1 ' | sed -n 's/.* read_bytes_copied=\([0-9]*\).*/\1/p')\" = 0 &&
	test \"\$(./bsnl stats | grep '^$T 1 ' | sed -n 's/.* write_bytes_copied=\([0-9]*\).*/\1/p')\" = 0"
check "logout" logout

# Data-In PDUs no larger than the initiator's MaxRecvDataSegmentLength.
small_pdus() {
	iscsiadm -m node -T $T -p 127.0.0.1:$PORT -o update \
		-n 'node.conn[0].iscsi.MaxRecvDataSegmentLength' -v 4096 &&
		iscsiadm -m node -T $T -p 127.0.0.1:$PORT --login >/dev/null &&
		wait_for 30 both_disks && D0=$(disk 0) &&
		/usr/bin/dd if="$D0" bs=1M count=16 iflag=direct 2>/dev/null | /usr/bin/cmp - /tmp/zc.pattern
}
check "with MaxRecvDataSegmentLength=4096 reads still match" small_pdus
check "logout" logout

check "clean up" sh -c "./bsnl target-del $T force &&
	./bsnl portal-del 127.0.0.1 $PORT && umount $MNT && losetup -d $LOOPDEV"
tap_done
