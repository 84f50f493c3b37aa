#!/bin/sh
# Logins a plain initiator never sends (login_abuse.c): login text split
# over requests with the Continue bit, at a key boundary and inside a key
# and a value, and continued text that never ends; mutual CHAP with an
# initiator challenge shorter than 16 bytes or the target's own challenge
# reflected; more discovery sessions from one address than the module's
# discovery_per_source. Runs in the test VM as root.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:login-abuse
TC=iqn.2024-01.org.bootsan.test:login-abuse-chap
IMG=/tmp/login-abuse.img
PORT=3267
PARAM=/sys/module/bootsan/parameters/discovery_per_source

# The portal, $T without and $TC with mutual CHAP.
targets() {
	raw_portal_target $PORT $T $IMG &&
		raw_target $TC $IMG auth mutual-chap chap user1 initiator-secret-1 \
			mutual target1 target-secret-01
}

raw_start $IMG
check "portal, a target without and one with mutual CHAP" targets

tap_run ./login_abuse continue 127.0.0.1 $PORT $T
tap_run ./login_abuse chap 127.0.0.1 $PORT $TC user1 initiator-secret-1 target1 target-secret-01

check "discovery_per_source is a module parameter, 8 by default" \
	sh -c "[ \"\$(cat $PARAM)\" = 8 ]"
old=$(cat $PARAM 2>/dev/null)
echo 3 >$PARAM 2>/dev/null
tap_run ./login_abuse discovery-limit 127.0.0.1 $PORT 3
[ -n "$old" ] && echo "$old" >$PARAM

raw_end $PORT $IMG $T $TC
tap_done
