#!/bin/bash
# Power cuts (issue 17, item 1): nothing acknowledged as stable is lost when
# the SAN machine loses power. Runs on the host.
#
#   selftests/powercut_test.sh --kver K --initrd IMG [--cuts N] [--seed N]
#                              [--write-seconds MAX] [--blocks N]
#
# The SAN VM (bootsan.ko, and LIO as the reference) serves LUNs whose
# backing store is each on a virtio disk of its own. Each disk is a file
# on the host served by nbdkit with its cache filter in writeback mode: a
# write the guest has not flushed (a FLUSH request of virtio-blk) stays in
# nbdkit's memory, and is gone when nbdkit is killed. So killing qemu and
# the nbdkits together (SIGKILL, no shutdown) is a power cut of a machine
# whose disks have volatile write caches: the host keeps exactly what the
# guest flushed. (qemu's cache=none alone would not do it: the host, which
# does not crash, keeps every write qemu made, flushed or not; only the
# guest's own memory would be lost.) Each LUN on its own disk, so that one
# LUN's flush never saves another's data.
#
# The initiator is selftests/powercut.c on the host (libiscsi), one per
# LUN, reaching the VM's portals through qemu's user network with
# restrict=on (no traffic leaves it) and port forwards on 127.0.0.1 only.
# It lives through the cuts and keeps, in a state file, which write of
# which pattern each block was last acknowledged as stable: a FUA write, a
# write covered by a later SYNCHRONIZE CACHE (whole or a range), or any
# write while the LUN reports its write cache off. Each life of the VM:
# boot on the same disks, the target made again over the same images
# (bsnl; LIO through configfs), every block of every LUN read and
# checked, then writes until the cut, which comes at a random moment
# (0.5 s to --write-seconds + 0.5 s after the last initiator starts
# writing). After --cuts cuts, a last life only checks. The lives take
# turns at the workload's mix: plain writes with SYNCHRONIZE CACHE, plain
# writes with FUA writes, then both (powercut.c says why), so 2 cuts test
# each way to stability alone.
#
# bootsan's LUNs (one target): file buffered (the page cache is the write
# cache: WCE=1), file direct (WCE=0: every write with RWF_DSYNC), block
# device (WCE=1; FLUSH and FUA reach the device); and the same three with
# the other write-cache setting, asked for with MODE SELECT of the caching
# page (a LUN that refuses it keeps its own setting, which its line says).
# Each must lose nothing it acknowledged as stable: one TAP line each.
# LIO's LUNs (fileio buffered, fileio O_DSYNC, iblock) get the same
# workload; what they lose is printed, not judged.
#
# Seen failing, as it must, against a deliberately broken build (6.1, 2
# cuts, --seed 7): file_flush() and block_flush() made no-ops (SYNCHRONIZE
# CACHE answered GOOD without flushing), RWF_DSYNC dropped from
# file_write_flags() for WCE=0 (commit 3ea25aa undone) and the forced FUA
# of WCE=0 writes in bootsan_scsi_execute() removed: all six bootsan LUNs
# "not ok", 432 to 2,121 acknowledged-stable blocks lost each (zeros or
# older generations after the cut). With segments of mixed commands
# instead of one mix a life, the block LUN (WCE=1) and both direct file
# LUNs passed that build in one run of two: each FUA write flushed the
# whole device (ext4's fsync; flush, write, flush on virtio-blk, which has
# no native FUA) and with it what the skipped flushes left behind.
#
# The whole test takes 2.5 to 4 minutes in TCG at 2 cuts (a life is about
# 30-60 s of boot under load, seconds of checking and writing); more cuts
# by hand (--cuts 30: about 20-30 minutes).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
kver= initrd= cuts=2 seed=$RANDOM write_max=4 blocks=2048
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--cuts) cuts=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--write-seconds) write_max=$2; shift 2 ;;
	--blocks) blocks=$2; shift 2 ;;
	*) echo "powercut_test: unknown option '$1'" >&2; exit 2 ;;
	esac
done
for v in "$cuts" "$seed" "$write_max" "$blocks"; do
	[[ $v =~ ^[0-9]+$ ]] || { echo "powercut_test: '$v' is not a number" >&2; exit 2; }
done
[ "$write_max" -ge 1 ] && [ "$blocks" -ge 16 ] && [ "$blocks" -le 65536 ] ||
	{ echo "powercut_test: --write-seconds must be 1 or more, --blocks 16 to 65536" >&2; exit 2; }
[ -n "$kver" ] && [ -f "$initrd" ] || { echo "powercut_test: --kver and --initrd IMG needed" >&2; exit 2; }
pc=$top/build/host-tests/powercut
if [ ! -x "$pc" ] || [ "$here/powercut.c" -nt "$pc" ]; then
	mkdir -p "$top/build/host-tests"
	cc -std=gnu11 -Wall -Wextra -Werror -O2 -g -o "$pc" "$here/powercut.c" \
		$(pkg-config --cflags --libs libiscsi) || exit 2
fi
command -v nbdkit >/dev/null || { echo "powercut_test: nbdkit missing (scripts/setup-deps)" >&2; exit 2; }

logs=$top/build/vm/$kver/powercut
rm -rf "$logs"
mkdir -p "$logs"
work=$(mktemp -d)
qemu_pid= nbd_pids=() pc_pids=()
stop_machine() {
	# Disks first, then the machine: nothing it writes after its disks
	# lost power may land. Both SIGKILL: no chance to flush anything.
	[ ${#nbd_pids[@]} = 0 ] || kill -9 "${nbd_pids[@]}" 2>/dev/null
	[ -z "$qemu_pid" ] || kill -9 "$qemu_pid" 2>/dev/null
	[ -z "${run_pid:-}" ] || wait "$run_pid" 2>/dev/null
	[ ${#nbd_pids[@]} = 0 ] || wait "${nbd_pids[@]}" 2>/dev/null
	qemu_pid= nbd_pids=() run_pid=
}
cleanup() {
	stop_machine
	[ ${#pc_pids[@]} = 0 ] || kill "${pc_pids[@]}" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

T=iqn.2024-01.org.bootsan.test:powercut
LT=iqn.2024-01.org.bootsan.test:powercut-lio
# label target-kind lun backing wce (as asked; "-": the LUN's own)
luns=(
	"file-buffered bootsan 0 file -"
	"file-direct bootsan 1 direct -"
	"block bootsan 2 block -"
	"file-buffered-wce-off bootsan 3 file off"
	"file-direct-wce-on bootsan 4 direct on"
	"block-wce-off bootsan 5 block off"
	"lio-fileio-buffered lio 0 lio-buffered -"
	"lio-fileio-dsync lio 1 lio-dsync -"
	"lio-iblock lio 2 lio-block -"
)

# One disk per LUN: an ext4 file system holding the image file (made here;
# the VM's first life puts the image file on it), or the raw device.
i=0
for l in "${luns[@]}"; do
	read -r label kind lun backing wce <<<"$l"
	case $backing in
	block|lio-block) truncate -s $((blocks * 512)) "$work/disk$i" ;;
	*) mke2fs -q -t ext4 -F "$work/disk$i" 16M >/dev/null 2>&1 || exit 2 ;;
	esac
	i=$((i + 1))
done

# The SAN VM's script, the same in every life.
cat >"$work/san.sh" <<SAN
set -e
for m in virtio_pci virtio_blk e1000 ext4 bootsan; do modprobe \$m; done
ip link set lo up
ip addr add 198.18.0.15/24 dev eth0
ip link set eth0 up
# disk N: the virtio disk with serial pcN.
dev() {
	for d in /sys/block/vd*; do
		[ "\$(cat \$d/serial)" = "pc\$1" ] && { echo /dev/\${d##*/}; return 0; }
	done
	echo "no disk with serial pc\$1" >&2
	return 1
}
# image N: disk N's file system mounted, the image file on it (made and
# flushed in the first life: only then is it part of the test's disk).
image() {
	mkdir -p /mnt/\$1
	mount -t ext4 \$(dev \$1) /mnt/\$1
	if [ ! -f /mnt/\$1/lun.img ]; then
		truncate -s $((blocks * 512)) /mnt/\$1/lun.img
		sync
	fi
	echo /mnt/\$1/lun.img
}
cd /bootsan/selftests
./bsnl portal-new 0.0.0.0 3260
./bsnl target-new $T allow-any 1
lio=0
SAN
i=0
for l in "${luns[@]}"; do
	read -r label kind lun backing wce <<<"$l"
	case $backing in
	file) echo "./bsnl lun-new $T $lun \$(image $i)" ;;
	direct) echo "./bsnl lun-new $T $lun \$(image $i) direct" ;;
	block) echo "./bsnl lun-new $T $lun \$(dev $i) block" ;;
	lio-buffered) echo "lio_file $lun \$(image $i) ,fd_buffered_io=1" ;;
	lio-dsync) echo "lio_file $lun \$(image $i) ''" ;;
	lio-block) echo "lio_block $lun \$(dev $i)" ;;
	esac >>"$work/luns.sh"
	i=$((i + 1))
done
cat >>"$work/san.sh" <<SAN
CFG=/sys/kernel/config/target
tpg=\$CFG/iscsi/$LT/tpgt_1
lio_setup() {
	modprobe crc32c_generic 2>/dev/null || true
	modprobe target_core_mod && modprobe target_core_file &&
		modprobe target_core_iblock && modprobe iscsi_target_mod || return 1
	grep -q configfs /proc/mounts || mount -t configfs none /sys/kernel/config
	mkdir -p /var/target/pr \$tpg/np/0.0.0.0:3261
}
# lio_file LUN IMAGE EXTRA / lio_block LUN DEVICE: a backstore as LUN.
lio_file() {
	[ \$lio = 1 ] || return 0
	mkdir -p \$CFG/core/fileio_0/pc\$1 \$tpg/lun/lun_\$1
	echo "fd_dev_name=\$2,fd_dev_size=$((blocks * 512))\$3" >\$CFG/core/fileio_0/pc\$1/control
	echo 1 >\$CFG/core/fileio_0/pc\$1/enable
	ln -s \$CFG/core/fileio_0/pc\$1 \$tpg/lun/lun_\$1/storage
}
lio_block() {
	[ \$lio = 1 ] || return 0
	mkdir -p \$CFG/core/iblock_0/pc\$1 \$tpg/lun/lun_\$1
	echo "udev_path=\$2" >\$CFG/core/iblock_0/pc\$1/control
	echo 1 >\$CFG/core/iblock_0/pc\$1/enable
	ln -s \$CFG/core/iblock_0/pc\$1 \$tpg/lun/lun_\$1/storage
}
if lio_setup; then lio=1; else echo "POWERCUT-NO-LIO"; fi
. /luns.sh
if [ \$lio = 1 ]; then
	echo 1 >\$tpg/attrib/generate_node_acls
	echo 1 >\$tpg/attrib/cache_dynamic_acls
	echo 0 >\$tpg/attrib/demo_mode_write_protect
	echo 0 >\$tpg/attrib/authentication
	echo 1 >\$tpg/enable
fi
echo POWERCUT-READY
# Serve until the power goes.
while :; do sleep 60; done
SAN

bs_port=$("$top/scripts/vm/free-port")
lio_port=$("$top/scripts/vm/free-port")
while [ "$lio_port" = "$bs_port" ]; do lio_port=$("$top/scripts/vm/free-port"); done

# start_machine LIFE: the nbdkits on the disks (a fresh, empty cache each),
# then the SAN VM; returns once it serves, or fails.
start_machine() {
	local life=$1 i args=() sock
	for i in $(seq 0 $((${#luns[@]} - 1))); do
		sock=$work/nbd$i.sock
		rm -f "$sock"
		nbdkit -f -U "$sock" --filter=cache file "$work/disk$i" cache=writeback \
			>>"$logs/nbdkit.log" 2>&1 &
		nbd_pids+=($!)
		args+=(--qemu-arg -drive
		       --qemu-arg "file=nbd+unix:///?socket=$sock,format=raw,if=none,id=pc$i,cache=none"
		       --qemu-arg -device --qemu-arg "virtio-blk-pci,drive=pc$i,serial=pc$i")
	done
	for i in $(seq 0 $((${#luns[@]} - 1))); do
		for _ in $(seq 50); do [ -S "$work/nbd$i.sock" ] && break; sleep 0.1; done
	done
	rm -f "$work/qemu.pid"
	"$top/scripts/vm/run" --kver "$kver" --initrd "$initrd" --timeout 600 --quiet \
		--log "$logs/san-$life.log" --add "$work/san.sh:/san.sh" --add "$work/luns.sh:/luns.sh" \
		--qemu-arg -pidfile --qemu-arg "$work/qemu.pid" \
		--qemu-arg -netdev --qemu-arg "user,id=u0,restrict=on,net=198.18.0.0/24,hostfwd=tcp:127.0.0.1:$bs_port-198.18.0.15:3260,hostfwd=tcp:127.0.0.1:$lio_port-198.18.0.15:3261" \
		--qemu-arg -device --qemu-arg "e1000,netdev=u0,romfile=" \
		"${args[@]}" -- sh /san.sh >>"$logs/vm-run.log" 2>&1 &
	run_pid=$!
	for _ in $(seq 300); do
		[ -z "$qemu_pid" ] && [ -s "$work/qemu.pid" ] && qemu_pid=$(cat "$work/qemu.pid")
		grep -aq POWERCUT-READY "$logs/san-$life.log" 2>/dev/null && [ -n "$qemu_pid" ] && return 0
		kill -0 $run_pid 2>/dev/null || break
		sleep 0.5
	done
	echo "# life $life: the SAN VM did not come up (console $logs/san-$life.log):"
	tail -n 15 "$logs/san-$life.log" | sed 's/^/#   /'
	return 1
}

# initiators LIFE [--verify-only]: one powercut per LUN, in the background;
# each one's output in $logs/LABEL.LIFE.
initiators() {
	local life=$1 l label kind lun backing wce port target extra=()
	shift
	pc_pids=()
	for l in "${luns[@]}"; do
		read -r label kind lun backing wce <<<"$l"
		port=$bs_port target=$T
		if [ "$kind" = lio ]; then
			[ $lio = 1 ] || continue
			port=$lio_port target=$LT
		fi
		extra=()
		[ "$wce" = - ] || extra=(--wce "$wce")
		"$pc" --portal "127.0.0.1:$port" --target "$target" --lun "$lun" \
			--state "$work/$label.state" --label "$label" --blocks "$blocks" \
			--seed "$seed" "${extra[@]}" "$@" >"$logs/$label.$life" 2>&1 &
		pc_pids+=($!)
	done
}

echo "TAP version 13"
echo "# seed $seed, $cuts cuts, $blocks blocks a LUN, cuts up to ${write_max} s into the writes"
failed=0 lio=1 life=0
declare -A bad
for life in $(seq 0 "$cuts"); do
	t0=$EPOCHSECONDS
	if ! start_machine "$life"; then
		failed=1
		break
	fi
	if [ $life = 0 ] && grep -aq POWERCUT-NO-LIO "$logs/san-0.log"; then
		echo "# LIO: not available in the VM: its LUNs are left out"
		lio=0
	fi
	t1=$EPOCHSECONDS
	if [ "$life" = "$cuts" ]; then
		initiators "$life" --verify-only
		wait "${pc_pids[@]}"
		echo "# life $life: up in $((t1 - t0)) s, checked in $((EPOCHSECONDS - t1)) s"
	else
		initiators "$life"
		# The cut: at a random moment once every initiator checked its
		# LUN and writes (its "run N: checked" line).
		for _ in $(seq 600); do
			n=0
			for l in "${luns[@]}"; do
				read -r label kind _ <<<"$l"
				[ "$kind" = lio ] && [ $lio = 0 ] && continue
				grep -q 'checked' "$logs/$label.$life" 2>/dev/null || n=$((n + 1))
			done
			[ $n = 0 ] && break
			kill -0 "${pc_pids[0]}" 2>/dev/null || break
			sleep 0.2
		done
		t2=$EPOCHSECONDS
		cut=$((RANDOM % write_max)).$((RANDOM % 10))
		sleep "$cut"
		sleep 0.5
		echo "# life $life: up in $((t1 - t0)) s, checked in $((t2 - t1)) s, cut $cut + 0.5 s later"
	fi
	stop_machine
	wait "${pc_pids[@]}" 2>/dev/null
	pc_pids=()
	"$top/scripts/vm/kernel-reports" "$logs/san-$life.log" >"$logs/reports-$life" 2>&1 || {
		echo "# life $life: the kernel reported a bug (console $logs/san-$life.log):"
		sed 's/^/#   /' "$logs/reports-$life" | head -n 20
		bad[kernel]=1
	}
	for l in "${luns[@]}"; do
		read -r label kind _ <<<"$l"
		[ "$kind" = lio ] && [ $lio = 0 ] && continue
		r=$(grep '^result ' "$logs/$label.$life")
		if [ -z "$r" ]; then
			bad[$label]=1
			echo "# $label, life $life: no result:"
			sed 's/^/#   /' "$logs/$label.$life" | tail -n 8
			continue
		fi
		if [[ $r != *" lost=0 garbage=0 "* ]]; then
			[ "$kind" = lio ] || bad[$label]=1
			grep -a '^# ' "$logs/$label.$life" | grep -a 'LBA\|lost' | sed "s/^# /# life $life: /"
		fi
	done
done

n=0
for l in "${luns[@]}"; do
	read -r label kind _ <<<"$l"
	[ "$kind" = lio ] && continue
	n=$((n + 1))
	last=$(grep -h '^result ' "$logs/$label".* 2>/dev/null | tail -n 1)
	wce=$(sed -n 's/.* wce=\([01]\) .*/\1/p' <<<"$last")
	total=$(sed -n 's/.* lost_total=\([0-9]*\) garbage_total=\([0-9]*\).*/\1 lost, \2 garbage/p' <<<"$last")
	writes=$(grep -h '^result ' "$logs/$label".* 2>/dev/null | sed -n 's/.* writes=\([0-9]*\) .*/\1/p' | paste -sd+ | bc)
	grep -h 'MODE SELECT' "$logs/$label.0" 2>/dev/null | head -n 1
	if [ $failed = 0 ] && [ -z "${bad[$label]:-}" ] && [ -n "$last" ]; then
		echo "ok $n bootsan $label (WCE=$wce): all acknowledged-stable writes survive $cuts power cuts (${writes:-0} writes; $total)"
	else
		echo "not ok $n bootsan $label (WCE=${wce:-?}): acknowledged-stable writes lost over $cuts power cuts (${total:-no result}; logs $logs)"
	fi
done
n=$((n + 1))
if [ -z "${bad[kernel]:-}" ] && [ $failed = 0 ]; then
	echo "ok $n no kernel report in any life of the SAN VM"
else
	echo "not ok $n no kernel report in any life of the SAN VM"
fi
if [ $lio = 1 ]; then
	for l in "${luns[@]}"; do
		read -r label kind _ <<<"$l"
		[ "$kind" = lio ] || continue
		last=$(grep -h '^result ' "$logs/$label".* 2>/dev/null | tail -n 1)
		wce=$(sed -n 's/.* wce=\([01]\) .*/\1/p' <<<"$last")
		total=$(sed -n 's/.* lost_total=\([0-9]*\) garbage_total=\([0-9]*\).*/\1 lost, \2 garbage/p' <<<"$last")
		echo "# LIO $label (WCE=${wce:-?}): ${total:-no result} over $cuts power cuts (the reference: printed, not judged)"
	done
fi
echo "1..$n"
[ -z "${bad[*]:-}" ] && [ $failed = 0 ]
