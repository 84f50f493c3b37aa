#!/bin/sh
# The overlay backend (io_overlay.c) with open-iscsi: a LUN made of a
# golden image with a known pattern and its own sparse delta. Random
# WRITE, WRITE SAME (with and without UNMAP), UNMAP and READ of many sizes
# and alignments, by one process and then by two at once whose writes
# share chunks, are checked block by block against a userspace model
# (overlay_model.c: the golden plus every write). The golden stays the
# same byte for byte and cannot be opened for writing while the LUN uses
# it; a second overlay LUN on it reads the golden only. Then the LUN is
# deleted and added again: the map of written chunks comes back from the
# delta's allocation alone, and the disk reads as the model again.
# Checked to fail (2026-12-05, stock 6.12) with the copy-up left out (a
# partial write into an unwritten chunk written alone, the rest of the
# chunk reading zeros from the delta): "random I/O by one process" found
# a zero block where the golden's was.
# A third overlay LUN sits on a golden with holes and written zeros: zeros
# (UNMAP, WRITE SAME with and without UNMAP, a whole-disk blkdiscard as a
# client's fstrim sends) over chunks it never wrote where the golden reads
# zeros allocate nothing in its delta, zeros over the golden's data do, and
# all of it reads zeros, before and after a reopen. Checked to fail
# (2026-12-05, stock 6.12) before io_overlay.c skipped such zeros: "UNMAP
# over the golden's zeros ..." and both WRITE SAMEs found the delta grown,
# and after the blkdiscard it was the whole disk (4104 KiB).
# Runs in the test VM as root.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:overlay
I=iqn.2024-01.org.bootsan.test:overlay-initiator
PORT=3294
P="-T $T -p 127.0.0.1:$PORT"
G=/tmp/ovl.golden
D0=/tmp/ovl.delta0
D1=/tmp/ovl.delta1
G2=/tmp/ovl.sparse
D2=/tmp/ovl.delta2
# Not a multiple of the 64 KiB chunk: the last chunk is short.
SIZE=$((32 * 1048576 + 7 * 1024))
# The sparse golden, in KiB: data 0-1024, a hole to 2048, written zeros to
# 3072, a chunk of 32 KiB of data and 32 KiB of zeros, a hole to the end
# (4096 + 7: its short last chunk a hole too).
SIZE2=$((4 * 1048576 + 7 * 1024))

echo "TAP version 13"
modprobe bootsan && modprobe iscsi_tcp && modprobe sd_mod ||
	{ echo "Bail out! modules missing"; exit 1; }

disk() {	# disk LUN: the initiator's device of our target's LUN
	for s in /sys/class/iscsi_session/session*; do
		grep -q ":overlay\$" "$s/targetname" 2>/dev/null || continue
		for b in "$s"/device/target*/*:*:*:"$1"/block/*; do
			[ -e "$b" ] && echo "/dev/${b##*/}" && return 0
		done
	done
	return 1
}

rm -f $G $D0 $D1 $G2 $D2
./overlay_model golden $G $SIZE
truncate -s $SIZE $D0 $D1
truncate -s $SIZE2 $G2 $D2
/usr/bin/dd if=$G of=$G2 bs=1k count=1024 conv=notrunc 2>/dev/null
/usr/bin/dd if=/dev/zero of=$G2 bs=1k seek=2048 count=1024 conv=notrunc 2>/dev/null
/usr/bin/dd if=$G of=$G2 bs=1k seek=3072 count=32 conv=notrunc 2>/dev/null
/usr/bin/dd if=/dev/zero of=$G2 bs=1k seek=3104 count=32 conv=notrunc 2>/dev/null
GSUM=$(sha256sum $G | cut -d' ' -f1)

check "portal and target" sh -c "./bsnl portal-new 127.0.0.1 $PORT &&
	./bsnl target-new $T allow-any 1"
check "an overlay without a delta is refused with a reason" sh -c "
	! ./bsnl lun-new $T 0 $G overlay 2>/tmp/ovl.err && grep -q 'needs delta-path' /tmp/ovl.err"
check "a delta on a file LUN is refused with a reason" sh -c "
	! ./bsnl lun-new $T 0 $G delta $D0 2>/tmp/ovl.err && grep -q 'overlay backend only' /tmp/ovl.err"
truncate -s 4096 /tmp/ovl.small
check "a delta smaller than the golden is refused" sh -c "
	! ./bsnl lun-new $T 0 $G overlay delta /tmp/ovl.small 2>/tmp/ovl.err &&
	grep -q 'smaller than the golden' /tmp/ovl.err"
check "the golden as its own delta is refused" sh -c "
	! ./bsnl lun-new $T 0 $G overlay delta $G 2>/tmp/ovl.err && grep -q 'golden' /tmp/ovl.err"
check "two overlay LUNs on one golden" sh -c "
	./bsnl lun-new $T 0 $G overlay delta $D0 && ./bsnl lun-new $T 1 $G overlay delta $D1"
check "a third on a golden with holes and zeros" \
	./bsnl lun-new $T 2 $G2 overlay delta $D2
check "the golden cannot be opened for writing while they use it" sh -c "
	! sh -c 'echo x >>$G' 2>/dev/null"

mkdir -p /etc/iscsi /var/lib/iscsi /run/lock/iscsi
echo "InitiatorName=$I" >/etc/iscsi/initiatorname.iscsi
pidof iscsid >/dev/null || { setsid iscsid -f >/tmp/iscsid-ovl.log 2>&1 & sleep 1; }
login() {
	iscsiadm -m discovery -t sendtargets -p 127.0.0.1:$PORT >/dev/null &&
		iscsiadm -m node $P --login >/dev/null && wait_for 30 disk 0 >/dev/null &&
		wait_for 30 disk 1 >/dev/null && wait_for 30 disk 2 >/dev/null
}
delta2_kib() { du -k $D2 | cut -f1; }
zeros_allocate_nothing() { # DISK HOW LBA NR (overlay_model zeros)
	./overlay_model zeros "$@" || return 1
	k=$(delta2_kib)
	echo "delta: $k KiB"
	test "$k" = 0
}
discard_allocates_data_only() { # DISK: its golden's data is 17 chunks
	/usr/sbin/blkdiscard "$1" || return 1
	k=$(delta2_kib)
	echo "delta: $k KiB"
	test "$k" -gt 0 && test "$k" -le $((1024 + 64))
}
reads_zeros() { # DISK: all of it
	/usr/bin/dd if="$1" bs=64k iflag=direct 2>/dev/null | /usr/bin/cmp -n $SIZE2 - /dev/zero
}
check "login" login
echo "# overlay LUNs: $(disk 0) $(disk 1) $(disk 2)"
check "the overlay is thin, unmapped blocks read zeros (LBPME=1, LBPRZ=1)" sh -c "
	/usr/bin/sg_readcap -l $(disk 0) | grep -q 'lbpme=1, lbprz=1'"
check "a fresh overlay reads the golden" sh -c "
	/usr/bin/dd if=$(disk 0) bs=64k iflag=direct 2>/dev/null | /usr/bin/cmp - $G"
check "random I/O by one process matches the model" \
	./overlay_model run "$(disk 0)" $G /tmp/ovl.model 1 1000
check "random I/O by two processes in the same chunks matches the model" \
	./overlay_model run "$(disk 0)" /tmp/ovl.model /tmp/ovl.model 2 1000 2
check "the other overlay LUN still reads the golden only" sh -c "
	/usr/bin/dd if=$(disk 1) bs=64k iflag=direct 2>/dev/null | /usr/bin/cmp - $G"
check "SYNCHRONIZE CACHE" /usr/bin/sg_raw "$(disk 0)" 35 00 00 00 00 00 00 00 00 00
check "the delta has written chunks and holes (what the reopen reloads)" sh -c "
	k=\$(du -k $D0 | cut -f1); echo \"delta: \$k KiB\"
	test \$k -gt 0 && test \$k -le $((SIZE / 1024 - 1024))"
check "the overlay that was only read allocated nothing" test "$(du -k $D1 | cut -f1)" = 0

# Zeros over chunks never written: nothing where the golden reads zeros.
check "UNMAP over the golden's zeros in a chunk with data allocates nothing" \
	zeros_allocate_nothing "$(disk 2)" unmap $((3104 * 2)) 64
check "WRITE SAME of zeros over the golden's hole and written zeros allocates nothing" \
	zeros_allocate_nothing "$(disk 2)" ws $((1024 * 2)) $((2048 * 2))
check "WRITE SAME with UNMAP over the short last chunk, a hole, allocates nothing" \
	zeros_allocate_nothing "$(disk 2)" ws-unmap $((4096 * 2)) $((SIZE2 / 512 - 4096 * 2))
check "a whole-disk discard (as fstrim) allocates only the chunks of the golden's data" \
	discard_allocates_data_only "$(disk 2)"
check "and all of that overlay reads zeros" reads_zeros "$(disk 2)"
check "logout" iscsiadm -m node $P --logout

check "the LUNs deleted and added again (map from the delta's allocation)" sh -c "
	./bsnl lun-del $T 0 && ./bsnl lun-new $T 0 $G overlay delta $D0 &&
	./bsnl lun-del $T 2 && ./bsnl lun-new $T 2 $G2 overlay delta $D2"
check "login again" login
check "after the reopen the disk reads as the model" \
	./overlay_model verify "$(disk 0)" /tmp/ovl.model
check "after the reopen the discarded overlay reads zeros" reads_zeros "$(disk 2)"
check "more random I/O after the reopen matches the model" \
	./overlay_model run "$(disk 0)" /tmp/ovl.model /tmp/ovl.model 3 400 2
check "logout" iscsiadm -m node $P --logout
check "target and portal deleted" sh -c "./bsnl target-del $T force &&
	./bsnl portal-del 127.0.0.1 $PORT"
check "the golden is unchanged byte for byte" \
	test "$(sha256sum $G | cut -d' ' -f1)" = "$GSUM"
check "and writable again once no LUN uses it" sh -c "echo x >>$G"
rm -f $G $D0 $D1 $G2 $D2 /tmp/ovl.small /tmp/ovl.model
tap_done
