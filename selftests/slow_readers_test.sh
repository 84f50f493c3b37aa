#!/bin/sh
# Initiators that never read their socket (slow_readers.c): 300 sessions,
# each with 32 READs of 128 KiB queued and a tiny receive buffer, must not
# lock out a fresh login + READ CAPACITY (3 s; SLOW_READERS_PROBE_LIMIT
# in the environment sets another bound); bootsan drops connections
# that read nothing for 30 s while their peers still hold them, and the
# module unloads with no hung task. LIO runs the same
# case first in the same VM, on its own portal, for reference (its lines
# are "# LIO:" comments); bootsan is what is checked. Runs in the test VM
# as root; wants about 3 GiB of memory (LIO copies every read: 1.2 GiB),
# so scripts/check gives the VM 4 GiB.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:slow-readers
LT=iqn.2003-01.org.linux-iscsi.bootsan:slow-readers
I=iqn.2024-01.org.bootsan.test:slow-reader
PORT=3271
LPORT=3272
SESSIONS=${SLOW_READERS_SESSIONS:-300}
HOLD=90
IMG=/tmp/slow-readers.img
CFG=/sys/kernel/config/target

echo "TAP version 13"
rmmod bootsan 2>/dev/null
modprobe bootsan || { echo "Bail out! bootsan does not load"; exit 1; }
dmesg -c >/dev/null
# LIO logs every login; on a TCG console that is slow.
echo 3 >/proc/sys/kernel/printk
/usr/bin/dd if=/dev/urandom of=$IMG bs=1M count=16 2>/dev/null

lio_up() {
	set -e
	modprobe crc32c_generic 2>/dev/null || true
	lio_available
	grep -q configfs /proc/mounts || mount -t configfs none /sys/kernel/config
	mkdir -p /var/target/pr
	bs=$CFG/core/fileio_1/slow
	mkdir -p $bs
	echo "fd_dev_name=$IMG,fd_dev_size=$((16 << 20)),fd_buffered_io=1" >$bs/control
	echo 1 >$bs/enable
	tpg=$CFG/iscsi/$LT/tpgt_1
	mkdir -p $tpg/np/127.0.0.1:$LPORT $tpg/lun/lun_0
	ln -s $bs $tpg/lun/lun_0/storage
	mkdir -p $tpg/acls/$I/lun_0
	ln -s $tpg/lun/lun_0 $tpg/acls/$I/lun_0/lun0
	echo 0 >$tpg/attrib/authentication
	echo 1 >$tpg/enable
}
lio_down() {
	tpg=$CFG/iscsi/$LT/tpgt_1
	echo 0 >$tpg/enable
	rm -f $tpg/acls/$I/lun_0/lun0
	rmdir $tpg/acls/$I/lun_0 $tpg/acls/$I
	rm -f $tpg/lun/lun_0/storage
	rmdir $tpg/lun/lun_0 $tpg/np/127.0.0.1:$LPORT $tpg $CFG/iscsi/$LT &&
		rmdir $CFG/core/fileio_1/slow $CFG/core/fileio_1 &&
		rmdir $CFG/iscsi && wait_for 60 rmmod iscsi_target_mod
}

# The reference: LIO, one TX thread per connection, blocks only that thread.
if (lio_up) >/tmp/slow-lio.log 2>&1; then
	TAP_BASE=0 ./slow_readers 127.0.0.1 $LPORT $LT $I "$SESSIONS" 2>&1 | sed 's/^/# LIO: /'
	(lio_down) >/tmp/slow-lio-down.log 2>&1 &
	down_pid=$!
	wait_for 120 sh -c "! kill -0 $down_pid"
	if ! kill -0 $down_pid 2>/dev/null && wait $down_pid; then
		echo "# LIO: configuration removed and iscsi_target_mod unloaded"
	else
		echo "# LIO: teardown failed or hung:"
		sed 's/^/#   /' /tmp/slow-lio-down.log
	fi
else
	echo "# LIO: not available here:"
	sed 's/^/#   /' /tmp/slow-lio.log
fi

check "portal (1000 connections), target (1000 sessions, queue depth 32), 16 MiB LUN" sh -c "
	./bsnl portal-new 127.0.0.1 $PORT max-connections 1000 &&
	./bsnl target-new $T allow-any 1 max-sessions 1000 queue-depth 32 && ./bsnl lun-new $T 0 $IMG"

# What the target's side of every connection left still holds (from
# /proc/net/tcp: state, send and receive queue, timer, retransmissions),
# counted: it tells which drop failed.
left_sockets() {
	awk -v p=":$(printf '%04X' $PORT)" '$2 ~ p"$" {
		split($5, q, ":"); split($6, t, ":")
		print "st " $4 " tx_queue " (q[1] != "00000000") " rx_queue " (q[2] != "00000000") \
			" timer " t[1] " retransmits " ($7 != "00000000")
	}' /proc/net/tcp | sort | uniq -c
}
# The stuck connections stay open a while: bootsan drops a connection
# whose peer reads nothing for 30 s (LIO has no such deadline).
SLOW_READERS_HOLD=$HOLD TAP_BASE=$tap_n ./slow_readers 127.0.0.1 $PORT $T $I "$SESSIONS" \
	>/tmp/slow-readers.out 2>&1 &
pid=$!
wait_for 600 sh -c "grep -q '^# holding' /tmp/slow-readers.out || ! kill -0 $pid"
held=$(date +%s)
at_hold=$(./bsnl sessions | wc -l)
wait_for $((HOLD - 5)) sh -c "[ -z \"\$(./bsnl sessions)\" ]"
gone=$(date +%s)
sessions_left=$(./bsnl sessions | wc -l)
left_diag=
[ "$sessions_left" = 0 ] || left_diag=$(left_sockets)
wait $pid
rc=$?
out=$(cat /tmp/slow-readers.out)
printf '%s\n' "$out"
tap_n=$((tap_n + $(printf '%s\n' "$out" | grep -c -E '^(not )?ok ')))
[ $rc = 0 ] || tap_failed=1
printf '%s\n' "$left_diag" | grep . | sed 's/^/# target socket: /'
check "connections that read nothing for 30 s are dropped while their peers hold them" \
	sh -c "echo '$at_hold sessions when the hold began, $sessions_left left $((gone - held)) s into it'
		[ $sessions_left = 0 ]"

check "the stuck sessions are gone once their initiators closed" \
	wait_for 60 sh -c "[ -z \"\$(./bsnl sessions)\" ]"
check "target and portal removed" sh -c "
	./bsnl target-del $T force && ./bsnl portal-del 127.0.0.1 $PORT force"
check "the module unloads" timeout 60 rmmod bootsan
check "no hung task, warning or oops" sh -c \
	"! dmesg | grep -E 'blocked for more than|WARNING:|BUG:|Oops|general protection'"
modprobe bootsan
tap_done
