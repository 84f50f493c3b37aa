#!/bin/sh
# Discovery sessions take Text, NOP-Out and Logout only (discovery_abuse.c):
# an unauthenticated initiator that sends a task management request, a SCSI
# command, a Data-Out, a SNACK or a Login in one gets a Reject and keeps a
# working session; the target never dereferences the target a discovery
# session does not have. A later login request cannot turn a normal login
# into a discovery one or the reverse. The same PDUs go to LIO in the same
# VM, which must survive them too (what it answers is printed). Runs in the
# test VM as root.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:discovery-abuse
LT=iqn.2003-01.org.linux-iscsi.bootsan:discovery-abuse
IMG=/tmp/discovery-abuse.img
LIMG=/tmp/discovery-abuse-lio.img
CFG=/sys/kernel/config/target
PORT=3265
LPORT=3266

raw_start $IMG $LIMG
check "bootsan: portal, target and LUN" raw_portal_target $PORT $T $IMG
tap_run ./discovery_abuse strict 127.0.0.1 $PORT
tap_run ./discovery_abuse late-session-type 127.0.0.1 $PORT $T
check "bootsan: no session is left" wait_for 10 sh -c "[ -z \"\$(./bsnl sessions)\" ]"
./bsnl target-del $T force
./bsnl portal-del 127.0.0.1 $PORT force

lio_setup() {
	set -e
	mkdir -p /var/target/pr
	bs=$CFG/core/fileio_9/discovery
	mkdir -p $bs
	echo "fd_dev_name=$LIMG,fd_dev_size=16777216" >$bs/control
	echo 1 >$bs/enable
	tpg=$CFG/iscsi/$LT/tpgt_1
	mkdir -p $tpg/np/127.0.0.1:$LPORT $tpg/lun/lun_0
	ln -s $bs $tpg/lun/lun_0/storage
	echo 0 >$tpg/attrib/authentication
	echo 1 >$tpg/attrib/generate_node_acls
	echo 1 >$tpg/enable
}
lio_teardown() {
	tpg=$CFG/iscsi/$LT/tpgt_1
	echo 0 >$tpg/enable
	rm -f $tpg/lun/lun_0/storage
	rmdir $tpg/lun/lun_0 $tpg/np/127.0.0.1:$LPORT $tpg $CFG/iscsi/$LT
	rmdir $CFG/core/fileio_9/discovery $CFG/core/fileio_9
}
if lio_available; then
	grep -q configfs /proc/mounts || mount -t configfs none /sys/kernel/config
	check "LIO: fileio backstore, demo-mode ACLs, portal 127.0.0.1:$LPORT" lio_setup
	tap_run ./discovery_abuse survive 127.0.0.1 $LPORT
	lio_teardown
else
	echo "# LIO modules missing: the reference run is skipped"
fi
rm -f $IMG $LIMG
tap_done
