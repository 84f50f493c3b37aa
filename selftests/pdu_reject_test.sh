#!/bin/sh
# Malformed PDUs over real TCP (pdu_reject.c): Reject with the RFC 7143
# reason, the connection keeps working, the CmdSN window is the target's
# queue depth. Runs in the test VM as root.
cd "$(dirname "$0")" || exit 1

T=iqn.2024-01.org.bootsan.test:reject
IMG=/tmp/reject.img

modprobe bootsan || { echo "Bail out! bootsan.ko missing"; exit 1; }
truncate -s 16M $IMG
./bsnl portal-new 127.0.0.1 3261 &&
	./bsnl target-new $T queue-depth 4 && ./bsnl lun-new $T 0 $IMG ||
	{ echo "Bail out! target setup failed"; exit 1; }
./pdu_reject 127.0.0.1 3261 $T 4
rc=$?
./bsnl target-del $T force
./bsnl portal-del 127.0.0.1 3261 force
exit $rc
