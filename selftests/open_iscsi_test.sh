#!/bin/sh
# open-iscsi (the Linux initiator) against bootsan.ko: discovery, login,
# byte-exact data both ways, fio with crc32c verification at queue depth 32,
# recovery after iscsid is killed, a filesystem that survives a logout and
# a new login, sessions and events over netlink, EBUSY and forced deletion,
# refused logins and the session limit. Runs in the test VM as root.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:disk0
I=iqn.2024-01.org.bootsan.test:initiator
IMG=/tmp/disk0.img

echo "TAP version 13"
modprobe bootsan && modprobe crc32c_generic 2>/dev/null; modprobe iscsi_tcp && modprobe sd_mod &&
	modprobe ext4 || { echo "Bail out! modules missing"; exit 1; }

truncate -s 64M $IMG
check "portal on 127.0.0.1:3260" ./bsnl portal-new 127.0.0.1 3260
check "target with a file LUN" sh -c "./bsnl target-new $T allow-any 1 && ./bsnl lun-new $T 0 $IMG"

mkdir -p /etc/iscsi /var/lib/iscsi /run/lock/iscsi
echo "InitiatorName=$I" >/etc/iscsi/initiatorname.iscsi
./bsnl events 6 600 >/tmp/events 2>&1 &
events_pid=$!
wait_for 5 grep -q subscribed /tmp/events
# Its own session: iscsid signals its whole process group when it stops.
setsid iscsid -f >/tmp/iscsid.log 2>&1 &
sleep 1

check "SendTargets discovery lists the target" \
	sh -c "iscsiadm -m discovery -t sendtargets -p 127.0.0.1 | grep -q '127.0.0.1:3260,1 $T'"
check "login" iscsiadm -m node -T $T -p 127.0.0.1 --login
check "the disk appears" wait_for 30 test -b /dev/sda
check "the session is listed over netlink" sh -c "./bsnl sessions | grep -q '$T $I'"
check "deleting a target with a session fails with EBUSY" \
	sh -c "! ./bsnl target-del $T 2>/tmp/err && grep -q 'has sessions' /tmp/err"

/usr/bin/dd if=/dev/urandom of=/tmp/pattern bs=1M count=8 2>/dev/null
check "8 MiB written through the initiator" \
	/usr/bin/dd if=/tmp/pattern of=/dev/sda bs=1M oflag=direct
check "the image holds exactly those bytes" \
	sh -c "/usr/bin/dd if=$IMG bs=1M count=8 2>/dev/null | /usr/bin/cmp - /tmp/pattern"
check "reading back gives the same bytes" \
	sh -c "/usr/bin/dd if=/dev/sda bs=1M count=8 iflag=direct 2>/dev/null | /usr/bin/cmp - /tmp/pattern"
check "odd-sized and unaligned reads match the image" \
	sh -c "/usr/bin/dd if=/dev/sda bs=4096 skip=3 count=7 iflag=direct 2>/dev/null | \
		/usr/bin/cmp - /tmp/pattern -i 0:12288 -n 28672"
fio_verify() {
	/usr/bin/fio --name=verify --filename=/dev/sda --ioengine=libaio --direct=1 \
		--rw=randwrite --bs=4k --iodepth=32 --size=4M --verify=crc32c \
		--do_verify=1 --verify_fatal=1 --output=/tmp/fio.log &&
		grep -q "err= 0" /tmp/fio.log
}
check "fio random writes at queue depth 32, verified with crc32c" fio_verify
sed -n 's/^ *\(write\|read\): */# fio /p' /tmp/fio.log

# Recovery: iscsid is killed with the session up. A new iscsid drops the
# connection and logs in again with the same ISID: the old session goes
# (connection lost, or reinstated if the login comes first), one is left.
session_id() { ./bsnl sessions | awk -v t="$T" '$0 ~ t { print $1; exit }'; }
old_session=$(session_id)
./bsnl events 2 90 >/tmp/events-reinstate 2>&1 &
events_pid=$!
wait_for 5 grep -q subscribed /tmp/events-reinstate
reinstate() {
	kill -9 "$(pidof iscsid)" && sleep 1 &&
	{ setsid iscsid -f >>/tmp/iscsid.log 2>&1 & } &&
	wait_for 60 sh -c "[ -n \"\$(./bsnl sessions | grep '$T')\" ] &&
		[ \"\$(./bsnl sessions | awk '{ print \$1 }')\" != '$old_session' ]" &&
	/usr/bin/dd if=/dev/sda of=/dev/null bs=1M count=4 iflag=direct
}
check "iscsid killed with -9 and restarted: the session comes back, I/O goes on" reinstate
wait "$events_pid"
check "the old session went down, a new one came up" sh -c "
	grep -q 'session-down target=$T .*reason=[23]' /tmp/events-reinstate &&
	grep -q 'session-up target=$T' /tmp/events-reinstate"
check "exactly one session after the recovery" sh -c "[ \"\$(./bsnl sessions | wc -l)\" = 1 ]"
check "data written before the recovery reads back" \
	sh -c "/usr/bin/fio --name=verify --filename=/dev/sda --ioengine=libaio --direct=1 \
		--rw=randread --bs=4k --iodepth=32 --size=4M --verify=crc32c \
		--verify_only=1 --verify_fatal=1 --output=/tmp/fio2.log"

check "mkfs.ext4 on the disk" /usr/sbin/mke2fs -q -F -t ext4 /dev/sda
mkdir -p /mnt/disk
check "mount and write files" sh -c "mount /dev/sda /mnt/disk &&
	/usr/bin/dd if=/dev/urandom of=/mnt/disk/blob bs=1M count=3 2>/dev/null &&
	/usr/bin/sha256sum /mnt/disk/blob >/tmp/blob.sum && umount /mnt/disk"
check "logout" iscsiadm -m node -T $T -p 127.0.0.1 --logout
check "no session is left" wait_for 10 sh -c "[ -z \"\$(./bsnl sessions)\" ]"
check "login again" iscsiadm -m node -T $T -p 127.0.0.1 --login
files_intact() {
	wait_for 30 test -b /dev/sda && mount /dev/sda /mnt/disk &&
		(cd / && /usr/bin/sha256sum -c /tmp/blob.sum) && umount /mnt/disk
}
check "the files are intact" files_intact
forced_delete() {
	./bsnl target-del $T force && wait_for 10 sh -c '[ -z "$(./bsnl sessions)" ]'
}
check "a forced delete ends the session" forced_delete
iscsiadm -m node -T $T -p 127.0.0.1 --logout >/dev/null 2>&1
wait "$events_pid"
sed 's/^/# /' /tmp/events
check "events: session up, recovered, down by logout, up, down by kill" sh -c "
	sed -n 2p /tmp/events | grep -q 'session-up target=$T initiator=$I' &&
	sed -n 3,4p /tmp/events | grep -q 'session-down.*reason=[23]' &&
	sed -n 3,4p /tmp/events | grep -q 'session-up' &&
	sed -n 5p /tmp/events | grep -q 'session-down.*reason=0' &&
	sed -n 6p /tmp/events | grep -q 'session-up' &&
	sed -n 7p /tmp/events | grep -q 'session-down.*reason=1'"

./bsnl events 1 60 >/tmp/events2 2>&1 &
events_pid=$!
wait_for 5 grep -q subscribed /tmp/events2
check "login to a target that does not exist is refused" \
	sh -c "! iscsiadm -m node -T $T -p 127.0.0.1 --login"
wait "$events_pid"
check "a login-failed event names target and initiator" \
	grep -q "login-failed target=$T initiator=$I failure=0" /tmp/events2

# A target with room for one session: a second initiator is refused.
T1=iqn.2024-01.org.bootsan.test:one-session
limit() {
	./bsnl target-new $T1 allow-any 1 max-sessions 1 && ./bsnl lun-new $T1 0 $IMG &&
	iscsiadm -m iface -I second -o new >/dev/null &&
	iscsiadm -m iface -I second -o update -n iface.initiatorname \
		-v iqn.2024-01.org.bootsan.test:second >/dev/null &&
	iscsiadm -m discovery -t sendtargets -p 127.0.0.1 -I default -I second >/dev/null &&
	iscsiadm -m node -T $T1 -p 127.0.0.1 -I default --login
}
check "max-sessions 1: the first initiator logs in" limit
./bsnl events 1 60 >/tmp/events3 2>&1 &
events_pid=$!
wait_for 5 grep -q subscribed /tmp/events3
check "max-sessions 1: a second initiator is refused" \
	sh -c "! iscsiadm -m node -T $T1 -p 127.0.0.1 -I second --login"
wait "$events_pid"
check "max-sessions 1: a login-failed event, too many sessions" \
	grep -q "login-failed target=$T1 initiator=iqn.2024-01.org.bootsan.test:second failure=3" \
	/tmp/events3
check "max-sessions 1: the first session is still there" \
	sh -c "[ \"\$(./bsnl sessions | grep -c '$T1 $I')\" = 1 ]"
iscsiadm -m node -T $T1 -p 127.0.0.1 --logout >/dev/null 2>&1
iscsiadm -m iface -I second -o delete >/dev/null 2>&1
./bsnl target-del $T1 force

killall iscsid 2>/dev/null
tap_done
