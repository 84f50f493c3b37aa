#!/bin/sh
# The inside of scripts/bench/sessions: runs in the VM as root. Sets up
# bootsan, then LIO, one at a time (ABBA over the rounds), and measures
# what the kernel spends on N idle sessions of session_storm: the drop in
# MemAvailable; the growth of slab (all of it: socket inodes and dentries
# are reclaimable slab, but in use), kernel stacks, page tables and per-CPU
# memory; and the number of kernel threads, from before the logins to N
# sessions idle. Prints one line per measurement:
#
#   RESULT TARGET ROUND N LOGIN_S MEMAVAIL SLAB KSTACK PAGETABLES PERCPU KTHREADS
#
# (memory in kB, differences after - before; LOGIN_S: how long the N
# logins took), and the slab caches that grew most:
#
#   SLAB TARGET ROUND CACHE BYTES
#
# The client's own side (its sockets, its process) is in both targets'
# numbers alike.
#
#   sessions-vm.sh N ROUNDS
n=$1 rounds=$2
cd / || exit 1

BT=iqn.2024-01.org.bootsan.bench:sessions
LT=iqn.2003-01.org.linux-iscsi.bootsan:sessions
INIT=iqn.2024-01.org.bootsan.bench:session-storm
BPORT=3260 LPORT=3261
# The same window for both: LIO preallocates per session by it, bootsan not.
DEPTH=64
IMG=/tmp/sessions.img
CFG=/sys/kernel/config/target
# Generous: a login takes tens of milliseconds in TCG, LIO's more.
UP_TIMEOUT=$((120 + n / 2))

fail() { echo "BENCH-FAIL: $*"; exit 1; }

modprobe bootsan || fail "bootsan module"
modprobe crc32c_generic && modprobe target_core_mod && modprobe target_core_file &&
	modprobe iscsi_target_mod || fail "LIO modules"
grep -q configfs /proc/mounts || mount -t configfs none /sys/kernel/config
mkdir -p /var/target/pr
# LIO logs every login and logout on the console, which is slow in TCG.
echo 3 >/proc/sys/kernel/printk
truncate -s 16M $IMG

bootsan_up() {
	# The module's defaults (4096 connections and sessions) hold the usual N.
	portal_limit= target_limit=
	if [ $((n + 16)) -gt 4096 ]; then
		portal_limit="max-connections $((n + 16))" target_limit="max-sessions $((n + 16))"
	fi
	# shellcheck disable=SC2086 # the limits are words, or nothing
	/usr/bin/bsnl portal-new 127.0.0.1 $BPORT $portal_limit &&
		/usr/bin/bsnl target-new $BT allow-any 1 $target_limit queue-depth $DEPTH &&
		/usr/bin/bsnl lun-new $BT 0 $IMG
}
bootsan_down() {
	/usr/bin/bsnl target-del $BT force && /usr/bin/bsnl portal-del 127.0.0.1 $BPORT force
}

# One explicit ACL: every session has the same initiator name, its own ISID.
lio_up() {
	set -e
	bs=$CFG/core/fileio_0/sessions
	mkdir -p $bs
	echo "fd_dev_name=$IMG,fd_dev_size=$((16 << 20)),fd_buffered_io=1" >$bs/control
	echo 1 >$bs/enable
	tpg=$CFG/iscsi/$LT/tpgt_1
	mkdir -p $tpg/np/127.0.0.1:$LPORT $tpg/lun/lun_0
	ln -s $bs $tpg/lun/lun_0/storage
	echo $DEPTH >$tpg/attrib/default_cmdsn_depth
	mkdir -p $tpg/acls/$INIT/lun_0
	ln -s $tpg/lun/lun_0 $tpg/acls/$INIT/lun_0/lun0
	echo 0 >$tpg/attrib/authentication
	echo 1 >$tpg/enable
	set +e
}
lio_down() {
	tpg=$CFG/iscsi/$LT/tpgt_1
	echo 0 >$tpg/enable
	rm -f $tpg/acls/$INIT/lun_0/lun0
	rmdir $tpg/acls/$INIT/lun_0 $tpg/acls/$INIT
	rm -f $tpg/lun/lun_0/storage
	rmdir $tpg/lun/lun_0 $tpg/np/127.0.0.1:$LPORT $tpg $CFG/iscsi/$LT
	rmdir $CFG/core/fileio_0/sessions $CFG/core/fileio_0
}

meminfo() { # FIELD: its value in kB
	awk -v f="$1:" '$1 == f { print $2 }' /proc/meminfo
}

# Children of kthreadd: every kernel thread but kthreadd itself.
kthreads() {
	cat /proc/[0-9]*/status 2>/dev/null | awk '$1 == "PPid:" && $2 == 2 { n++ } END { print n + 0 }'
}

# Free what can be freed, then wait until MemAvailable holds still (a
# target's teardown goes on in the background for a while), so that the
# numbers before and after compare.
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	prev=$(meminfo MemAvailable)
	i=0
	while [ $i -lt 30 ]; do
		sleep 2
		cur=$(meminfo MemAvailable)
		d=$((cur - prev))
		[ ${d#-} -lt 256 ] && return 0
		prev=$cur
		i=$((i + 1))
	done
	echo "# MemAvailable did not settle in 60 s (last step $d kB)"
}

# Bytes in use per slab cache: active objects times object size.
slab_usage() {
	awk 'NR > 2 { print $1, $2 * $4 }' /proc/slabinfo
}

snapshot() {
	echo "$(meminfo MemAvailable) $(meminfo Slab) $(meminfo KernelStack)" \
		"$(meminfo PageTables) $(meminfo Percpu) $(kthreads)"
}

# Started in the background, session_storm reads its stdin from a fifo that
# this shell holds open on fd 3: closing it is the EOF that ends the storm.
run_target() { # TARGET ROUND
	tgt=$1 rnd=$2
	if [ "$tgt" = bootsan ]; then
		iqn=$BT port=$BPORT
		bootsan_up || fail "bootsan setup"
	else
		iqn=$LT port=$LPORT
		lio_up || fail "LIO setup"
	fi
	settle
	set -- $(snapshot)
	m0=$1 s0=$2 k0=$3 p0=$4 c0=$5 t0=$6
	slab_usage >/tmp/slab.before
	rm -f /tmp/storm.in /tmp/storm.out
	mkfifo /tmp/storm.in
	/usr/bin/session_storm 127.0.0.1 $port $iqn "$n" $INIT </tmp/storm.in >/tmp/storm.out &
	pid=$!
	exec 3>/tmp/storm.in
	waited=0
	until grep -q '^UP ' /tmp/storm.out; do
		kill -0 $pid 2>/dev/null || fail "$tgt round $rnd: session_storm ended before all sessions were up ($(grep -c '' /tmp/storm.out) lines: $(tail -n 1 /tmp/storm.out))"
		[ $waited -lt $UP_TIMEOUT ] || fail "$tgt round $rnd: $n sessions not up in $UP_TIMEOUT s ($(tail -n 1 /tmp/storm.out))"
		sleep 1
		waited=$((waited + 1))
	done
	login_s=$(awk '$1 == "UP" { print $3 }' /tmp/storm.out)
	settle
	set -- $(snapshot)
	m1=$1 s1=$2 k1=$3 p1=$4 c1=$5 t1=$6
	slab_usage >/tmp/slab.after
	kill -0 $pid 2>/dev/null || fail "$tgt round $rnd: session_storm ended while idle"
	echo "RESULT $tgt $rnd $n $login_s $((m0 - m1)) $((s1 - s0)) $((k1 - k0))" \
		"$((p1 - p0)) $((c1 - c0)) $((t1 - t0))"
	# Where it went: the slab caches that grew by more than 64 bytes a session.
	awk -v t=$tgt -v r=$rnd -v n=$n 'NR == FNR { b[$1] = $2; next }
		$2 - b[$1] > 64 * n { print "SLAB", t, r, $1, $2 - b[$1] }' \
		/tmp/slab.before /tmp/slab.after
	exec 3>&-
	wait $pid || echo "# $tgt round $rnd: session_storm exited with $? at logout"
	sed -n 's/^DOWN /# logged out: /p' /tmp/storm.out
	if [ "$tgt" = bootsan ]; then
		# The logged-out sessions go asynchronously; a forced delete takes the rest.
		i=0
		while [ -n "$(/usr/bin/bsnl sessions)" ] && [ $i -lt 60 ]; do
			sleep 1
			i=$((i + 1))
		done
		bootsan_down || fail "bootsan teardown"
	else
		lio_down || fail "LIO teardown"
	fi
}

# ABBA: odd rounds bootsan first, even rounds LIO first.
r=1
while [ $r -le "$rounds" ]; do
	if [ $((r % 2)) = 1 ]; then order="bootsan lio"; else order="lio bootsan"; fi
	for t in $order; do
		echo "# round $r: $t, $n sessions"
		run_target "$t" "$r"
	done
	r=$((r + 1))
done
echo "BENCH-DONE"
