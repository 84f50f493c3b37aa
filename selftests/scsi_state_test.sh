#!/bin/sh
# Per-LUN state seen by Linux (open-iscsi) with two sessions under two
# initiator names: RESERVE(6) and persistent reservations make the other
# session's commands fail with RESERVATION CONFLICT, and a lun-resize over
# netlink reaches both as a CAPACITY DATA HAS CHANGED unit attention and a
# new size after a rescan. sg3-utils send the commands. Runs in the test VM.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:state
IA=iqn.2024-01.org.bootsan.test:initiator-a
IB=iqn.2024-01.org.bootsan.test:initiator-b
IMG=/tmp/state.img

echo "TAP version 13"
for b in sg_raw sg_persist sg_readcap; do
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
setsid iscsid -f >/tmp/iscsid-state.log 2>&1 &
iscsid_pid=$!
sleep 1

check "two interfaces with their own initiator names" two_initiators if "$IA" "$IB"
check "login through both" sh -c "
	iscsiadm -m node -T $T -p 127.0.0.1 -I ifa --login &&
	iscsiadm -m node -T $T -p 127.0.0.1 -I ifb --login"

check "both disks appear" wait_for 30 sh -c "[ \$(ls -d /sys/block/sd* 2>/dev/null | wc -l) -ge 2 ]"
DA=$(disk_of $IA)
DB=$(disk_of $IB)
echo "# $IA: $DA, $IB: $DB"
check "each session has its disk" sh -c "[ -b '$DA' ] && [ -b '$DB' ] && [ '$DA' != '$DB' ]"

# Clear what the logins may have left pending (none is expected).
sg_raw "$DA" 00 00 00 00 00 00 >/dev/null 2>&1
sg_raw "$DB" 00 00 00 00 00 00 >/dev/null 2>&1

# conflicts DISK CDB...: the command ends in RESERVATION CONFLICT.
conflicts() {
	disk=$1
	shift
	sg_raw "$disk" "$@" >/tmp/sg.out 2>&1
	cat /tmp/sg.out
	grep -qi "reservation conflict" /tmp/sg.out
}
good() {
	disk=$1
	shift
	sg_raw -r 4096 "$disk" "$@"
}

check "RESERVE(6) from A" good "$DA" 16 00 00 00 00 00
check "TEST UNIT READY from B: RESERVATION CONFLICT" conflicts "$DB" 00 00 00 00 00 00
check "READ(10) from B: RESERVATION CONFLICT" conflicts "$DB" 28 00 00 00 00 00 00 00 01 00
check "RESERVE(6) from B: RESERVATION CONFLICT" conflicts "$DB" 16 00 00 00 00 00
check "READ(10) from A works" good "$DA" 28 00 00 00 00 00 00 00 01 00
check "INQUIRY from B works" good "$DB" 12 00 00 00 24 00
check "RELEASE(6) from A" good "$DA" 17 00 00 00 00 00
check "READ(10) from B works again" good "$DB" 28 00 00 00 00 00 00 00 01 00

check "PR: both register a key" sh -c "
	sg_persist --out --register --param-sark=0xa $DA &&
	sg_persist --out --register --param-sark=0xb $DB"
check "PR: READ KEYS lists both" sh -c "
	sg_persist --in --read-keys $DB >/tmp/keys; cat /tmp/keys;
	grep -q 0xa /tmp/keys && grep -q 0xb /tmp/keys"
check "PR: A reserves Exclusive Access" \
	sg_persist --out --reserve --param-rk=0xa --prout-type=3 "$DA"
check "PR: READ RESERVATION names key 0xa, Exclusive Access" sh -c "
	sg_persist --in --read-reservation $DB >/tmp/resv; cat /tmp/resv;
	grep -q 0xa /tmp/resv && grep -qi 'exclusive access' /tmp/resv"
check "PR: READ(10) from B: RESERVATION CONFLICT" conflicts "$DB" 28 00 00 00 00 00 00 00 01 00
check "PR: RESERVE(6) from A conflicts with registrations" conflicts "$DA" 16 00 00 00 00 00
check "PR: B preempts A and holds Write Exclusive" \
	sg_persist --out --preempt --param-rk=0xb --param-sark=0xa --prout-type=1 "$DB"
check "PR: A's key is gone" sh -c "
	sg_persist --in --read-keys $DB >/tmp/keys; cat /tmp/keys; ! grep -q 0xa /tmp/keys"
check "PR: A gets REGISTRATIONS PREEMPTED" sh -c "
	sg_raw $DA 00 00 00 00 00 00 >/tmp/sg.out 2>&1; cat /tmp/sg.out;
	grep -qi 'registrations preempted' /tmp/sg.out"
check "PR: under Write Exclusive A reads but cannot write" sh -c "
	sg_raw -r 512 $DA 28 00 00 00 00 00 00 00 01 00 &&
	sg_raw -s 512 -i /dev/zero $DA 2a 00 00 00 00 00 00 00 01 00 >/tmp/sg.out 2>&1;
	cat /tmp/sg.out; grep -qi 'reservation conflict' /tmp/sg.out"
check "PR: B clears everything" sg_persist --out --clear --param-rk=0xb "$DB"
check "PR: A writes again" sh -c "
	sg_raw $DA 00 00 00 00 00 00 >/dev/null 2>&1;
	sg_raw -s 512 -i /dev/zero $DA 2a 00 00 00 00 00 00 00 01 00"

blocks() {
	cat "/sys/block/${1#/dev/}/size"
}
check "both disks have 32 MiB" sh -c "[ $(blocks "$DA") = 65536 ] && [ $(blocks "$DB") = 65536 ]"
truncate -s 48M $IMG
check "lun-resize to 48 MiB" ./bsnl lun-resize $T 0 50331648
for d in "$DA" "$DB"; do
	check "$d: CAPACITY DATA HAS CHANGED on the next command" sh -c "
		sg_raw $d 00 00 00 00 00 00 >/tmp/sg.out 2>&1; cat /tmp/sg.out;
		grep -qi 'capacity data has changed' /tmp/sg.out"
	check "$d: only once" sg_raw "$d" 00 00 00 00 00 00
	check "$d: READ CAPACITY says 48 MiB" sh -c "
		sg_readcap $d >/tmp/cap; cat /tmp/cap; grep -q 'Last LBA=98303' /tmp/cap"
	check "$d: 48 MiB after a rescan" sh -c "
		echo 1 >/sys/block/${d#/dev/}/device/rescan && [ \$(cat /sys/block/${d#/dev/}/size) = 98304 ]"
done

iscsiadm -m node -T $T -p 127.0.0.1 --logout >/dev/null 2>&1
iscsiadm -m node -T $T -o delete >/dev/null 2>&1
iscsiadm -m iface -I ifa -o delete >/dev/null 2>&1
iscsiadm -m iface -I ifb -o delete >/dev/null 2>&1
# The portal on 3260 goes too: open_iscsi_test.sh, run next, opens its own.
raw_end 3260 $IMG $T
kill "$iscsid_pid" 2>/dev/null
tap_done
