#!/bin/sh
# Task management under load, as Linux (open-iscsi) sends it: a LUN RESET
# and a TARGET WARM RESET while fio keeps 32 verified writes in flight on
# one session. Linux retries what the reset aborted, so fio must end with
# no error and every block verified; the session stays up; the other
# session of the LUN learns of each reset from one UNIT ATTENTION.
# sg_reset asks the SCSI midlayer for the reset. Runs in the test VM.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:tmf
IA=iqn.2024-01.org.bootsan.test:tmf-a
IB=iqn.2024-01.org.bootsan.test:tmf-b
IMG=/tmp/tmf.img

echo "TAP version 13"
for b in sg_raw sg_reset /usr/bin/fio; do
	command -v $b >/dev/null || { echo "Bail out! $b missing"; exit 1; }
done
# A fresh module: earlier tests may have left portals and targets behind.
rmmod bootsan 2>/dev/null
modprobe bootsan && modprobe crc32c_generic 2>/dev/null; modprobe iscsi_tcp && modprobe sd_mod ||
	{ echo "Bail out! modules missing"; exit 1; }

truncate -s 32M $IMG
check "portal, target and a 32 MiB LUN" sh -c "
	./bsnl portal-new 127.0.0.1 3260 && ./bsnl target-new $T allow-any 1 && ./bsnl lun-new $T 0 $IMG"

mkdir -p /etc/iscsi /var/lib/iscsi /run/lock/iscsi
echo "InitiatorName=$IA" >/etc/iscsi/initiatorname.iscsi
setsid iscsid -f >/tmp/iscsid-tmf.log 2>&1 &
iscsid_pid=$!
sleep 1

check "two interfaces with their own initiator names" two_initiators tmf "$IA" "$IB"
check "login through both" sh -c "
	iscsiadm -m node -T $T -p 127.0.0.1 -I tmfa --login &&
	iscsiadm -m node -T $T -p 127.0.0.1 -I tmfb --login"

check "both disks appear" wait_for 30 sh -c "[ \$(ls -d /sys/block/sd* 2>/dev/null | wc -l) -ge 2 ]"
DA=$(disk_of $IA)
DB=$(disk_of $IB)
echo "# $IA: $DA, $IB: $DB"
check "each session has its disk" sh -c "[ -b '$DA' ] && [ -b '$DB' ] && [ '$DA' != '$DB' ]"
sessions_before=$(./bsnl sessions | awk '{ print $1 }' | sort | tr '\n' ' ')

# reset_under_load KIND: fio writes with verification on A's disk while
# sg_reset sends the reset once writes are in flight.
reset_under_load() {
	/usr/bin/fio --name=tmf --filename="$DA" --ioengine=libaio --direct=1 \
		--rw=randwrite --bs=4k --iodepth=32 --size=8M --verify=crc32c \
		--do_verify=1 --verify_fatal=1 --output=/tmp/fio-tmf.log &
	fio_pid=$!
	sleep 3
	sg_reset "$1" "$DA" || { wait $fio_pid; return 1; }
	wait $fio_pid || { cat /tmp/fio-tmf.log; return 1; }
	grep -q "err= 0" /tmp/fio-tmf.log
}
# reset_seen_by_b: B's next command reports the reset, the one after is clean.
reset_seen_by_b() {
	sg_raw "$DB" 00 00 00 00 00 00 >/tmp/sg.out 2>&1
	cat /tmp/sg.out
	grep -qi 'bus device reset' /tmp/sg.out && sg_raw "$DB" 00 00 00 00 00 00
}

check "LUN RESET while fio has 32 writes in flight: fio verifies, no error" \
	reset_under_load --device
check "the other session gets BUS DEVICE RESET FUNCTION OCCURRED once" reset_seen_by_b
check "TARGET WARM RESET while fio has 32 writes in flight: fio verifies, no error" \
	reset_under_load --target
check "the other session gets BUS DEVICE RESET FUNCTION OCCURRED once" reset_seen_by_b
check "both sessions are the ones that logged in" sh -c "
	[ \"\$(./bsnl sessions | awk '{ print \$1 }' | sort | tr '\n' ' ')\" = '$sessions_before' ]"
check "the data fio wrote reads back verified" \
	/usr/bin/fio --name=tmf --filename="$DA" --ioengine=libaio --direct=1 \
		--rw=randread --bs=4k --iodepth=32 --size=8M --verify=crc32c \
		--verify_only=1 --verify_fatal=1 --output=/tmp/fio-tmf2.log

iscsiadm -m node -T $T -p 127.0.0.1 --logout >/dev/null 2>&1
iscsiadm -m node -T $T -o delete >/dev/null 2>&1
iscsiadm -m iface -I tmfa -o delete >/dev/null 2>&1
iscsiadm -m iface -I tmfb -o delete >/dev/null 2>&1
check "no session is left" wait_for 10 sh -c "[ -z \"\$(./bsnl sessions)\" ]"
kill "$iscsid_pid" 2>/dev/null
rm -f $IMG
tap_done
