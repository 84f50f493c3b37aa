# Shared helpers of the shell selftests: TAP lines and waiting.
# shellcheck shell=sh
tap_n=0
tap_failed=0

# check NAME COMMAND...: one TAP line; the command's output only on failure.
check() {
	name=$1
	shift
	tap_n=$((tap_n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $tap_n $name"
	else
		echo "not ok $tap_n $name"
		printf '%s\n' "$out" | sed 's/^/# /' | tail -n 20
		tap_failed=1
	fi
}

# wait_for SECONDS COMMAND...: retry the command once a second.
wait_for() {
	secs=$1
	shift
	while [ "$secs" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 1
		secs=$((secs - 1))
	done
	"$@"
}

# tap_run COMMAND...: a program printing its own TAP lines, numbered on
# from $tap_n (they read TAP_BASE).
tap_run() {
	out=$(TAP_BASE=$tap_n "$@")
	rc=$?
	printf '%s\n' "$out"
	tap_n=$((tap_n + $(printf '%s\n' "$out" | grep -c -E '^(not )?ok ')))
	[ $rc = 0 ] || tap_failed=1
}

# raw_start IMAGE...: the start of a test of a raw-client program: the TAP
# header, the module loaded (or bail out), 16 MiB image files.
raw_start() {
	echo "TAP version 13"
	modprobe bootsan || { echo "Bail out! bootsan.ko missing"; exit 1; }
	truncate -s 16M "$@"
}

# raw_target IQN IMAGE [TARGET-NEW ARGUMENTS...]: a target any initiator
# may log in to, with LUN 0 on IMAGE.
raw_target() {
	iqn=$1 img=$2
	shift 2
	./bsnl target-new "$iqn" allow-any 1 "$@" && ./bsnl lun-new "$iqn" 0 "$img"
}

# raw_portal_target PORT IQN IMAGE [TARGET-NEW ARGUMENTS...]: a portal on
# 127.0.0.1:PORT and raw_target IQN IMAGE.
raw_portal_target() {
	port=$1
	shift
	./bsnl portal-new 127.0.0.1 "$port" && raw_target "$@"
}

# raw_end PORT IMAGE IQN...: no session may be left (a TAP line); then the
# targets, the portal on 127.0.0.1:PORT and the image go.
raw_end() {
	check "no session is left" wait_for 10 sh -c "[ -z \"\$(./bsnl sessions)\" ]"
	port=$1 img=$2
	shift 2
	for iqn; do
		./bsnl target-del "$iqn" force
	done
	./bsnl portal-del 127.0.0.1 "$port" force
	rm -f "$img"
}

tap_done() {
	echo "1..$tap_n"
	exit $tap_failed
}

# two_initiators PREFIX IQN_A IQN_B: open-iscsi interfaces PREFIXa and
# PREFIXb with their own initiator names (two I_T nexuses), and discovery
# of 127.0.0.1 through both.
two_initiators() {
	for i in a b; do
		name=$2
		[ $i = b ] && name=$3
		iscsiadm -m iface -I "$1$i" -o new &&
			iscsiadm -m iface -I "$1$i" -o update -n iface.transport_name -v tcp &&
			iscsiadm -m iface -I "$1$i" -o update -n iface.initiatorname -v "$name" ||
			return 1
	done
	iscsiadm -m discovery -t sendtargets -p 127.0.0.1 -I "$1a" -I "$1b"
}

# disk_of NAME: the /dev/sdX of the session logged in as initiator NAME.
disk_of() {
	for d in /sys/block/sd*; do
		s=$(readlink -f "$d/device" | grep -o 'session[0-9]*' | head -n 1)
		[ -n "$s" ] || continue
		if [ "$(cat /sys/class/iscsi_session/$s/initiatorname)" = "$1" ]; then
			echo "/dev/${d##*/}"
			return 0
		fi
	done
	return 1
}

# fio_verify DEV OFFSET LOG: two writers at once on DEV from OFFSET (4 KiB
# and 128 KiB random writes, 4 MiB each, queue depth 32 each), every block
# read back and checked with crc32c. Many commands of one session in flight
# at the same time, both directions.
fio_verify() {
	/usr/bin/fio --filename="$1" --ioengine=libaio --direct=1 --iodepth=32 \
		--size=4M --verify=crc32c --do_verify=1 --verify_fatal=1 --output="$3" \
		--name=small --offset="$2" --rw=randwrite --bs=4k \
		--name=large --offset=$(($2 + (4 << 20))) --rw=randwrite --bs=128k &&
		[ "$(grep -c 'err= 0' "$3")" = 2 ]
}

# lio_available: LIO (the reference target) may run here and its modules
# load. Not under the debug kernel (BOOTSAN_SELFTEST_NO_LIO=1): LIO has
# lockdep reports of its own (seen: an irq lock inversion of
# se_tpg->session_lock and tpg->tpg_state_lock from its Time2Retain timer),
# which would fail the run, and lockdep, off after its first report, would
# stop watching bootsan for the rest of it. LIO runs beside bootsan on the
# stock kernels.
lio_available() {
	[ "${BOOTSAN_SELFTEST_NO_LIO:-0}" != 1 ] &&
		modprobe target_core_mod && modprobe target_core_file && modprobe iscsi_target_mod
}
