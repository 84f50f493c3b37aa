#!/bin/sh
# A LOGICAL UNIT RESET whose LUN field does not decode, or names a LUN the
# target does not have, is answered "logical unit does not exist" and
# resets nothing (tmf_lun.c); a reset of a real LUN still reaches the
# other nexus as a unit attention. Runs in the test VM as root.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:tmf-lun
IMG=/tmp/tmf-lun.img
PORT=3268

# tap_run COMMAND...: a program printing its own TAP lines, numbered on.
tap_run() {
	out=$(TAP_BASE=$tap_n "$@")
	rc=$?
	printf '%s\n' "$out"
	tap_n=$((tap_n + $(printf '%s\n' "$out" | grep -c -E '^(not )?ok ')))
	[ $rc = 0 ] || tap_failed=1
}

echo "TAP version 13"
modprobe bootsan || { echo "Bail out! bootsan.ko missing"; exit 1; }
truncate -s 16M $IMG
check "portal, target and LUN 0" sh -c "
	./bsnl portal-new 127.0.0.1 $PORT && ./bsnl target-new $T allow-any 1 &&
	./bsnl lun-new $T 0 $IMG"
tap_run ./tmf_lun 127.0.0.1 $PORT $T
check "no session is left" wait_for 10 sh -c "[ -z \"\$(./bsnl sessions)\" ]"
./bsnl target-del $T force
./bsnl portal-del 127.0.0.1 $PORT force
rm -f $IMG
tap_done
