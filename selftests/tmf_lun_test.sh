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

raw_start $IMG
check "portal, target and LUN 0" raw_portal_target $PORT $T $IMG
tap_run ./tmf_lun 127.0.0.1 $PORT $T
raw_end $PORT $IMG $T
tap_done
