#!/bin/sh
# Connections that never finish a login cannot lock initiators out
# (login_flood.c): 300 silent connections, a flood from one source address,
# a flood from twenty, partial logins and half headers are all held while a
# real login (the raw client, and open-iscsi) must get in; a connection that
# does not log in is closed at its portal's login deadline, a session is
# not. Every case runs against LIO in the same VM first: its results are
# reported as "# LIO:" lines, bootsan's are the TAP lines. Runs in the test
# VM as root.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:flood
LT=iqn.2003-01.org.linux-iscsi.bootsan:flood
I=iqn.2024-01.org.bootsan.test:flood-iscsiadm
IMG=/tmp/flood.img
CFG=/sys/kernel/config/target
BPORT=3281		# bootsan, login deadline 60 s: the floods outlive their cases
DPORT=3282		# bootsan, login deadline 3 s
LPORT=3283		# LIO
LIO_DEADLINE=5		# LIO's shortest login_timeout
# Twenty source addresses on the loopback device (all of 127/8 is local).
MANY=$(i=2; while [ $i -le 21 ]; do printf '127.0.0.%d,' $i; i=$((i + 1)); done)

# lio_run COMMAND...: the same against LIO, its checks as "# LIO:" lines.
lio_run() {
	"$@" | sed -e 's/^\(not ok\|ok\) [0-9]* /# LIO: \1: /' -e 's/^# \([^L]\)/# LIO: \1/'
}

# The flood cases against one target: TARGET PORT RUN (tap_run or lio_run)
# [PER_SOURCE PER_PORTAL]: with the last two, how many connections that
# have not logged in the target may keep from one address, and in all.
# shellcheck disable=SC2086 # $one and $all are words, or nothing
flood_cases() {
	one=${4:+env FLOOD_MAX_HELD=$4} all=${5:+env FLOOD_MAX_HELD=$5}
	$3 $one ./login_flood flood 127.0.0.1 "$2" "$1" silent 300 127.0.0.1
	$3 $one ./login_flood flood 127.0.0.1 "$2" "$1" silent 300 127.0.0.1 127.0.0.2
	$3 $all ./login_flood flood 127.0.0.1 "$2" "$1" silent 600 "$MANY" 127.0.0.1
	$3 $one ./login_flood flood 127.0.0.1 "$2" "$1" partial 300 127.0.0.1
	$3 $one ./login_flood flood 127.0.0.1 "$2" "$1" half 300 127.0.0.1
}

# open-iscsi logs in to TARGET at PORT while 300 silent connections are held.
iscsiadm_login() {
	./login_flood hold 127.0.0.1 "$2" silent 300 127.0.0.1 120 >/tmp/hold.out &
	hold_pid=$!
	wait_for 20 grep -q held /tmp/hold.out
	sed 's/^/# /' /tmp/hold.out
	timeout 60 iscsiadm -m discovery -t sendtargets -p "127.0.0.1:$2" | grep -q "$1" &&
		timeout 60 iscsiadm -m node -T "$1" -p "127.0.0.1:$2" --login
	rc=$?
	timeout 30 iscsiadm -m node -T "$1" -p "127.0.0.1:$2" --logout >/dev/null 2>&1
	iscsiadm -m node -o delete >/dev/null 2>&1
	kill "$hold_pid" 2>/dev/null
	wait "$hold_pid" 2>/dev/null
	return $rc
}

echo "TAP version 13"
rmmod bootsan 2>/dev/null
modprobe bootsan || { echo "Bail out! bootsan does not load"; exit 1; }
modprobe crc32c_generic 2>/dev/null
modprobe iscsi_tcp && modprobe sd_mod || { echo "Bail out! open-iscsi modules missing"; exit 1; }
truncate -s 16M $IMG
./bsnl portal-new 127.0.0.1 $BPORT login-timeout 60 &&
	./bsnl portal-new 127.0.0.1 $DPORT login-timeout 3 &&
	./bsnl target-new $T allow-any 1 && ./bsnl lun-new $T 0 $IMG ||
	{ echo "Bail out! bootsan setup failed"; exit 1; }

mkdir -p /etc/iscsi /var/lib/iscsi /run/lock/iscsi
echo "InitiatorName=$I" >/etc/iscsi/initiatorname.iscsi
setsid iscsid -f >/tmp/iscsid-flood.log 2>&1 &
iscsid_pid=$!
# LIO logs every login on the console, which is slow in TCG.
echo 3 >/proc/sys/kernel/printk

lio=0
if lio_available; then
	grep -q configfs /proc/mounts || mount -t configfs none /sys/kernel/config
	mkdir -p /var/target/pr
	bs=$CFG/core/fileio_0/flood
	tpg=$CFG/iscsi/$LT/tpgt_1
	# Any initiator may log in (generated ACLs), as on bootsan's target.
	mkdir -p $bs && echo "fd_dev_name=$IMG,fd_dev_size=16777216" >$bs/control &&
		echo 1 >$bs/enable && mkdir -p $tpg/np/127.0.0.1:$LPORT $tpg/lun/lun_0 &&
		ln -s $bs $tpg/lun/lun_0/storage && echo 0 >$tpg/attrib/authentication &&
		echo 1 >$tpg/attrib/generate_node_acls && echo 1 >$tpg/attrib/cache_dynamic_acls &&
		echo 0 >$tpg/attrib/demo_mode_write_protect && echo 1 >$tpg/enable && lio=1
fi
if [ $lio = 1 ]; then
	echo "# LIO: default login_timeout $(cat $tpg/attrib/login_timeout) s"
	flood_cases $LT $LPORT lio_run
	if iscsiadm_login $LT $LPORT >/tmp/lio-iscsiadm.log 2>&1; then
		echo "# LIO: ok: open-iscsi logs in while 300 silent connections are held"
	else
		echo "# LIO: not ok: open-iscsi logs in while 300 silent connections are held"
		sed 's/^/# LIO: /' /tmp/lio-iscsiadm.log | tail -n 5
	fi
	echo $LIO_DEADLINE >$tpg/attrib/login_timeout
	lio_run ./login_flood deadline 127.0.0.1 $LPORT $LT silent $LIO_DEADLINE
	lio_run ./login_flood deadline 127.0.0.1 $LPORT $LT partial $LIO_DEADLINE
	echo 0 >$tpg/enable
	rm $tpg/lun/lun_0/storage
	rmdir $tpg/lun/lun_0 $tpg/np/127.0.0.1:$LPORT $tpg $CFG/iscsi/$LT $bs $CFG/core/fileio_0
else
	echo "# LIO modules missing: bootsan only"
fi

# bootsan's bounds: prelogin_per_source 16 and prelogin_max 256 (defaults).
flood_cases $T $BPORT tap_run 16 256
check "open-iscsi logs in while 300 silent connections are held" iscsiadm_login $T $BPORT
tap_run ./login_flood deadline 127.0.0.1 $DPORT $T silent 3
tap_run ./login_flood deadline 127.0.0.1 $DPORT $T half 3
tap_run ./login_flood deadline 127.0.0.1 $DPORT $T partial 3
check "no connection is left on the portals" wait_for 30 sh -c \
	"! ./bsnl portals | grep -v 'connections=0 ' || { ./bsnl sessions; false; }"

# The next tests start their own iscsid, with their own initiator name.
kill "$iscsid_pid" 2>/dev/null
wait_for 10 sh -c '! pidof iscsid'
./bsnl target-del $T force
./bsnl portal-del 127.0.0.1 $BPORT force
./bsnl portal-del 127.0.0.1 $DPORT force
tap_done
