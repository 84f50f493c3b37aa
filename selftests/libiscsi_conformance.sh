#!/bin/sh
# libiscsi conformance: `iscsi-test-cu --dataloss` against bootsan and, on
# an identical 64 MiB image in the same VM, against LIO (the kernel's own
# target, configured through configfs). bootsan must pass more tests than
# LIO, and every test it still fails must be listed, with the reason, in
# libiscsi_known_failures.txt. Without LIO (BOOTSAN_SELFTEST_NO_LIO=1, see
# lio_available in lib.sh) bootsan runs alone and only the known failures
# are checked; BOOTSAN_LIBISCSI_LIO=0 does the same for this test alone
# (about 40 s less on an idle machine, more under load: LIO's half is the
# slower). Runs in the test VM as root.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:conformance
LT=iqn.2003-01.org.linux-iscsi.bootsan:lio
I1=iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test
I2=iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test-2
IMG=/tmp/conformance.img
LIMG=/tmp/lio.img
KNOWN=./libiscsi_known_failures.txt
CFG=/sys/kernel/config/target

echo "TAP version 13"
command -v iscsi-test-cu >/dev/null || { echo "Bail out! iscsi-test-cu missing"; exit 1; }
# A fresh module: earlier tests may have left portals and targets behind.
rmmod bootsan 2>/dev/null
modprobe bootsan || { echo "Bail out! bootsan does not load"; exit 1; }
modprobe crc32c_generic 2>/dev/null
lio=0
if [ "${BOOTSAN_SELFTEST_NO_LIO:-0}" = 1 ]; then
	echo "# BOOTSAN_SELFTEST_NO_LIO=1: bootsan alone, no comparison with LIO"
elif [ "${BOOTSAN_LIBISCSI_LIO:-1}" = 0 ]; then
	echo "# BOOTSAN_LIBISCSI_LIO=0: bootsan alone, no comparison with LIO"
elif lio_available; then
	lio=1
else
	echo "Bail out! LIO modules missing"
	exit 1
fi

truncate -s 64M $IMG
check "bootsan: portal 127.0.0.1:3260, target, LUN 0 on a 64 MiB image" sh -c "
	./bsnl portal-new 127.0.0.1 3260 && ./bsnl target-new $T allow-any 1 &&
	./bsnl lun-new $T 0 $IMG"

lio_setup() {
	set -e
	mkdir -p /var/target/pr
	bs=$CFG/core/fileio_0/lio
	mkdir -p $bs
	echo "fd_dev_name=$LIMG,fd_dev_size=67108864" >$bs/control
	echo 1 >$bs/enable
	echo 1 >$bs/attrib/emulate_tpu
	echo 1 >$bs/attrib/emulate_tpws
	tpg=$CFG/iscsi/$LT/tpgt_1
	mkdir -p $tpg/np/127.0.0.1:3261 $tpg/lun/lun_0
	ln -s $bs $tpg/lun/lun_0/storage
	for i in $I1 $I2; do
		mkdir -p $tpg/acls/$i/lun_0
		ln -s $tpg/lun/lun_0 $tpg/acls/$i/lun_0/lun0
	done
	echo 0 >$tpg/attrib/authentication
	echo 1 >$tpg/enable
}
if [ $lio = 1 ]; then
	grep -q configfs /proc/mounts || mount -t configfs none /sys/kernel/config
	truncate -s 64M $LIMG
	check "LIO: fileio backstore, explicit ACLs, portal 127.0.0.1:3261" lio_setup
fi

# run NAME URL: the whole suite; "Suite.Test" lines of the failures to
# /tmp/NAME.failed, the number of passed tests to /tmp/NAME.pass, the
# seconds it took to /tmp/NAME.time.
run() {
	t0=$(date +%s)
	iscsi-test-cu --dataloss -i $I1 -I $I2 "$2" >/tmp/$1.out 2>&1
	echo $(($(date +%s) - t0)) >/tmp/$1.time
	# CUnit's verbose mode: "Suite: S", "  Test: T ...", what the test
	# prints, then "passed" or "FAILED" (on the Test line or on its own).
	# The same suites run in several families: a failure is listed once.
	awk '
		/^Suite: / { suite = substr($0, 8); next }
		/^  Test: / { t = substr($0, 9); sub(/ \.\.\..*$/, "", t) }
		/(^|\.\.\.)FAILED$/ { print suite "." t }' /tmp/$1.out | sort -u >/tmp/$1.failed
	sed -n 's/^ *tests *[0-9]* *[0-9]* *\([0-9]*\) .*/\1/p' /tmp/$1.out >/tmp/$1.pass
}

# LIO logs an error for each out-of-range command the suite sends (tens of
# thousands); printed on a TCG serial console they cost minutes. They stay
# in dmesg, where the VM's splat check looks.
console_level=$(cut -f1 /proc/sys/kernel/printk)
echo 3 >/proc/sys/kernel/printk
# Both at once: the targets and images are separate, and the VM has two CPUs.
run bootsan iscsi://127.0.0.1:3260/$T/0 &
[ $lio = 1 ] && run lio iscsi://127.0.0.1:3261/$LT/0 &
wait
echo "$console_level" >/proc/sys/kernel/printk
b_pass=$(cat /tmp/bootsan.pass) b_time=$(cat /tmp/bootsan.time)
total=$(sed -n 's/^ *tests *\([0-9]*\) .*/\1/p' /tmp/bootsan.out)
echo "# bootsan: ${b_pass:-?} of ${total:-?} tests passed (${b_time} s)"
if [ $lio = 1 ]; then
	l_pass=$(cat /tmp/lio.pass) l_time=$(cat /tmp/lio.time)
	echo "# LIO:     ${l_pass:-?} of $(sed -n 's/^ *tests *\([0-9]*\) .*/\1/p' /tmp/lio.out) tests passed (${l_time} s)"
	echo "# bootsan fails $(wc -l </tmp/bootsan.failed) tests, LIO $(wc -l </tmp/lio.failed)"
else
	echo "# bootsan fails $(wc -l </tmp/bootsan.failed) tests"
fi

# Known failures: the first word of each line that is not a comment.
sed -n 's/^\([^#[:space:]][^[:space:]]*\).*/\1/p' $KNOWN | sort -u >/tmp/known
unlisted= fixed=
for t in $(cat /tmp/bootsan.failed); do
	grep -qxF "$t" /tmp/known || unlisted="$unlisted $t"
done
for t in $(cat /tmp/known); do
	grep -qxF "$t" /tmp/bootsan.failed || fixed="$fixed $t"
done
for t in $(cat /tmp/bootsan.failed); do
	echo "# bootsan fails: $t"
done
for t in $fixed; do
	echo "# listed as failing but passed now: $t"
done
for t in $unlisted; do
	echo "# NOT in $KNOWN: $t"
done
conformance() {
	[ -n "$b_pass" ] && [ -z "$unlisted" ] && [ -s /tmp/bootsan.out ] &&
		{ [ $lio = 0 ] || { [ -n "$l_pass" ] && [ "$b_pass" -gt "$l_pass" ]; }; }
}
if [ $lio = 1 ]; then
	check "bootsan passes more libiscsi tests than LIO ($b_pass > $l_pass), every failure known" \
		conformance
else
	check "bootsan passes $b_pass libiscsi tests, every failure known" conformance
fi

rm -f $IMG $LIMG
tap_done
