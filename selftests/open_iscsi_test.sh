#!/bin/sh
# open-iscsi (the Linux initiator) against bootsan.ko: discovery, login,
# byte-exact data both ways, a filesystem that survives a logout and a new
# login, sessions and events over netlink, EBUSY and forced deletion, and
# refused logins. Runs in the test VM as root.
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
check "target with a file LUN" sh -c "./bsnl target-new $T && ./bsnl lun-new $T 0 $IMG"

mkdir -p /etc/iscsi /var/lib/iscsi /run/lock/iscsi
echo "InitiatorName=$I" >/etc/iscsi/initiatorname.iscsi
./bsnl events 4 120 >/tmp/events 2>&1 &
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
check "events: session up, down by logout, up, down by kill" sh -c "
	sed -n 2p /tmp/events | grep -q 'session-up target=$T initiator=$I' &&
	sed -n 3p /tmp/events | grep -q 'session-down.*reason=0' &&
	sed -n 4p /tmp/events | grep -q 'session-up' &&
	sed -n 5p /tmp/events | grep -q 'session-down.*reason=1'"

./bsnl events 1 60 >/tmp/events2 2>&1 &
events_pid=$!
wait_for 5 grep -q subscribed /tmp/events2
check "login to a target that does not exist is refused" \
	sh -c "! iscsiadm -m node -T $T -p 127.0.0.1 --login"
wait "$events_pid"
check "a login-failed event names target and initiator" \
	grep -q "login-failed target=$T initiator=$I failure=0" /tmp/events2

killall iscsid 2>/dev/null
tap_done
