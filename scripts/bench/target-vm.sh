#!/bin/sh
# The inside of scripts/bench/target: runs in the VM as root. Sets up
# bootsan and LIO on the same backing store, one at a time, and measures
# each with the same initiators. Prints one line per measurement:
#
#   RESULT MODE TOOL ROW TARGET ROUND BYTES IOS MSEC CPU_TICKS SWITCHES
#
# MSEC is the tool's own run time (fio's runtime; iscsi-perf's -t, over
# which it averages), not counting logins.
# CPU_TICKS: busy time of the whole VM (user+nice+system+irq+softirq in
# /proc/stat, in USER_HZ ticks) over the measurement. It includes the
# initiator, which is the same program for both targets; the difference
# between the two targets is the targets' own cost.
# SWITCHES: context switches of the whole VM (ctxt in /proc/stat) over the
# measurement: per IO, how often a wake-up handed the CPU to another task.
#
#   target-vm.sh [--ab KO] SECONDS ROUNDS MODE...     (MODE: buffered direct blockio)
#
# --ab KO: TARGET is A (bootsan.ko KO), B (the bootsan module installed in
# the VM) or lio; the bootsan module is swapped with rmmod/insmod when the
# turn changes builds, and set up again.
AKO=
if [ "$1" = --ab ]; then
	AKO=$2
	shift 2
fi
secs=$1 rounds=$2
shift 2
modes=$*
cd / || exit 1

BT=iqn.2024-01.org.bootsan.bench:target
LT=iqn.2003-01.org.linux-iscsi.bootsan:bench
INIT=iqn.2024-01.org.bootsan.bench:initiator
BPORT=3260 LPORT=3261
SIZE_MB=256
IMG=/mnt/bench/disk.img
DEV=/dev/ram0
CFG=/sys/kernel/config/target

fail() { echo "BENCH-FAIL: $*"; exit 1; }

modprobe bootsan && modprobe iscsi_tcp && modprobe sd_mod && modprobe crc32c_generic &&
	modprobe ext4 || fail "modules (bootsan, initiator)"
modprobe target_core_mod && modprobe target_core_file && modprobe target_core_iblock &&
	modprobe iscsi_target_mod || fail "LIO modules"
grep -q configfs /proc/mounts || mount -t configfs none /sys/kernel/config
# ram0: the block device of the blockio rows; ram1: an ext4 holding the
# fileio image (tmpfs has no O_DIRECT before 6.6).
modprobe brd rd_nr=2 rd_size=$(((SIZE_MB + 64) * 1024)) || fail "brd"
/usr/sbin/mke2fs -q -t ext4 /dev/ram1 || fail "mke2fs"
mkdir -p /mnt/bench && mount -t ext4 /dev/ram1 /mnt/bench || fail "mount"
# Written in full so that reads hit real blocks, not holes.
/usr/bin/dd if=/dev/urandom of=$IMG bs=1M count=$SIZE_MB 2>/dev/null || fail "image"
/usr/bin/dd if=$IMG of=$DEV bs=1M oflag=direct 2>/dev/null || fail "ram disk"
mkdir -p /var/target/pr /etc/iscsi /var/lib/iscsi /run/lock/iscsi
echo "InitiatorName=$INIT" >/etc/iscsi/initiatorname.iscsi
pidof iscsid >/dev/null || { setsid iscsid -f >/tmp/iscsid.log 2>&1 & sleep 1; }
# LIO logs every login and logout on the console, which is slow in TCG.
echo 3 >/proc/sys/kernel/printk

bootsan_config() {
	/usr/bin/bsnl portal-new 127.0.0.1 $BPORT &&
		/usr/bin/bsnl target-new $BT allow-any 1 queue-depth 128
}
bootsan_config || fail "bootsan portal and target"
loaded=B	# modprobe loaded the VM's own bootsan module

# A/B: the build a turn wants (bootsan: the one loaded), freshly set up.
bootsan_module() { # A|B|bootsan
	if [ "$1" = bootsan ] || [ "$1" = "$loaded" ]; then
		return 0
	fi
	rmmod bootsan || return 1
	if [ "$1" = A ]; then insmod "$AKO"; else modprobe bootsan; fi || return 1
	loaded=$1
	echo "# bootsan $1: srcversion $(cat /sys/module/bootsan/srcversion)"
	bootsan_config
}

bootsan_up() { # MODE
	case $1 in
	buffered) /usr/bin/bsnl lun-new $BT 0 $IMG ;;
	direct) /usr/bin/bsnl lun-new $BT 0 $IMG direct ;;
	blockio) /usr/bin/bsnl lun-new $BT 0 $DEV block ;;
	esac
}
bootsan_down() { /usr/bin/bsnl lun-del $BT 0 force; }

# LIO: fileio with fd_buffered_io=1 for "buffered"; its default (O_DSYNC
# write-through, reads through the page cache) for "direct", as LIO's
# fileio has no O_DIRECT mode; iblock for "blockio". Explicit ACLs.
lio_up() { # MODE
	set -e
	case $1 in
	buffered)
		bs=$CFG/core/fileio_0/bench
		mkdir -p $bs
		echo "fd_dev_name=$IMG,fd_dev_size=$((SIZE_MB << 20)),fd_buffered_io=1" >$bs/control ;;
	direct)
		bs=$CFG/core/fileio_0/bench
		mkdir -p $bs
		echo "fd_dev_name=$IMG,fd_dev_size=$((SIZE_MB << 20))" >$bs/control ;;
	blockio)
		bs=$CFG/core/iblock_0/bench
		mkdir -p $bs
		echo "udev_path=$DEV" >$bs/control ;;
	esac
	echo 1 >$bs/enable
	echo 1 >$bs/attrib/emulate_tpu
	echo 1 >$bs/attrib/emulate_tpws
	tpg=$CFG/iscsi/$LT/tpgt_1
	mkdir -p $tpg/np/127.0.0.1:$LPORT $tpg/lun/lun_0
	ln -s $bs $tpg/lun/lun_0/storage
	for i in $INIT $PERF_INIT; do
		mkdir -p $tpg/acls/$i/lun_0
		ln -s $tpg/lun/lun_0 $tpg/acls/$i/lun_0/lun0
	done
	echo 0 >$tpg/attrib/authentication
	echo 1 >$tpg/enable
	set +e
}
lio_down() {
	tpg=$CFG/iscsi/$LT/tpgt_1
	echo 0 >$tpg/enable
	for i in $INIT $PERF_INIT; do
		rm -f $tpg/acls/$i/lun_0/lun0
		rmdir $tpg/acls/$i/lun_0 $tpg/acls/$i
	done
	rm -f $tpg/lun/lun_0/storage
	rmdir $tpg/lun/lun_0 $tpg/np/127.0.0.1:$LPORT $tpg $CFG/iscsi/$LT
	for bs in $CFG/core/fileio_0/bench $CFG/core/iblock_0/bench; do
		[ -d $bs ] && rmdir $bs
	done
	rmdir $CFG/core/fileio_0 $CFG/core/iblock_0 2>/dev/null
	return 0
}
PERF_INIT=iqn.2024-01.org.bootsan.bench:iscsi-perf

busy_ticks() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat
}

switches() {
	awk '/^ctxt / { print $2; exit }' /proc/stat
}

disk_of() { # IQN
	for s in /sys/class/iscsi_session/session*; do
		[ "$(cat "$s/targetname" 2>/dev/null)" = "$1" ] || continue
		for b in "$s"/device/target*/*:*:*:0/block/*; do
			[ -e "$b" ] && echo "/dev/${b##*/}" && return 0
		done
	done
	return 1
}

# measure MODE TOOL ROW TARGET ROUND COMMAND...: run COMMAND, which prints
# "BYTES IOS MSEC" on its last line, and print the RESULT line.
measure() {
	m=$1 tool=$2 row=$3 tgt=$4 rnd=$5
	shift 5
	c0=$(busy_ticks) s0=$(switches)
	out=$("$@" | tail -n 1)
	c1=$(busy_ticks) s1=$(switches)
	set -- $out
	[ -n "$3" ] || { echo "# $tgt $m $tool $row: no result"; return 1; }
	echo "RESULT $m $tool $row $tgt $rnd $1 $2 $3 $((c1 - c0)) $((s1 - s0))"
}

# fio on the open-iscsi disk: "BYTES IOS" from the terse output (version
# 3: read KiB, IOPS, runtime ms in fields 6, 8, 9; write in 47, 49, 50).
fio_row() { # DISK RW BS
	/usr/bin/fio --name=bench --filename="$1" --rw="$2" --bs="$3" --iodepth=32 \
		--ioengine=libaio --direct=1 --runtime="$secs" --time_based --norandommap \
		--minimal 2>/dev/null |
		awk -F';' '{ kb = $6 + $47; ms = $9 > $50 ? $9 : $50
			print kb * 1024, int((($8 + $49) * ms) / 1000), ms }'
}

# iscsi-perf reads only; its last progress line holds the average IOPS
# over the whole run.
perf_row() { # URL BLOCKS [-r]
	url=$1 blocks=$2
	shift 2
	/usr/bin/iscsi-perf -i $PERF_INIT -m 32 -b "$blocks" -t "$secs" "$@" "$url" 2>&1 |
		tr '\r' '\n' | sed -n 's/.*iops average \([0-9]*\) .*/\1/p' | tail -n 1 |
		awk -v b="$blocks" -v s="$secs" '{ print $1 * b * 512 * s, $1 * s, s * 1000 }'
}

run_target() { # MODE TARGET ROUND
	m=$1 tgt=$2 rnd=$3
	# Each target starts from a cold page cache and no dirty data from
	# the other's turn (the image was written just before round 1).
	sync
	echo 3 >/proc/sys/vm/drop_caches
	if [ "$tgt" != lio ]; then
		iqn=$BT port=$BPORT
		bootsan_module "$tgt" || fail "bootsan build $tgt"
		bootsan_up "$m" || fail "bootsan $m LUN"
	else
		iqn=$LT port=$LPORT
		lio_up "$m" || fail "LIO $m LUN"
	fi
	url=iscsi://127.0.0.1:$port/$iqn/0
	measure "$m" iscsi-perf seq-read-128k "$tgt" "$rnd" perf_row "$url" 256
	measure "$m" iscsi-perf rand-read-4k "$tgt" "$rnd" perf_row "$url" 8 -r
	iscsiadm -m discovery -t sendtargets -p 127.0.0.1:$port >/dev/null &&
		iscsiadm -m node -T $iqn -p 127.0.0.1:$port --login >/dev/null ||
		fail "open-iscsi login to $tgt"
	d=
	for _ in $(seq 30); do
		d=$(disk_of $iqn) && break
		sleep 1
	done
	[ -n "$d" ] || fail "no disk from $tgt"
	measure "$m" fio seq-read-128k "$tgt" "$rnd" fio_row "$d" read 128k
	measure "$m" fio seq-write-128k "$tgt" "$rnd" fio_row "$d" write 128k
	measure "$m" fio rand-read-4k "$tgt" "$rnd" fio_row "$d" randread 4k
	measure "$m" fio rand-write-4k "$tgt" "$rnd" fio_row "$d" randwrite 4k
	iscsiadm -m node -T $iqn -p 127.0.0.1:$port --logout >/dev/null
	iscsiadm -m node -T $iqn -p 127.0.0.1:$port -o delete >/dev/null
	if [ "$tgt" != lio ]; then bootsan_down; else lio_down; fi
}

# ABBA: odd rounds bootsan first, even rounds LIO first; A/B: A B LIO,
# then LIO B A.
first="bootsan" last="lio"
[ -z "$AKO" ] || first="A B"
for m in $modes; do
	r=1
	while [ $r -le "$rounds" ]; do
		if [ $((r % 2)) = 1 ]; then
			order="$first $last"
		else
			order="$last $(echo $first | awk '{ for (i = NF; i > 0; i--) printf "%s ", $i }')"
		fi
		for t in $order; do
			echo "# $m round $r: $t"
			run_target "$m" "$t" "$r"
		done
		r=$((r + 1))
	done
done
echo "BENCH-DONE"
