#!/bin/sh
# Raw iSCSI over real TCP (pdu_reject.c): malformed PDUs get a Reject with
# the RFC 7143 reason and the connection keeps working; the CmdSN window is
# the target's queue depth; NOP-In pings are harmless to initiators that do
# not answer; a session left without a logout goes away, also when the
# client vanishes without closing its connection (keepalive); session and
# connection limits refuse a login with status 0x0206 and an event, and a
# reinstatement still gets in; data digest errors are rejected and fail
# only what they belong to, a header digest error ends the connection. Runs in the test VM as root.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:reject
T1=iqn.2024-01.org.bootsan.test:raw-one-session
IMG=/tmp/reject.img

raw_start $IMG
./bsnl portal-new 127.0.0.1 3261 &&
	./bsnl target-new $T allow-any 1 queue-depth 4 nop-in-interval 1 && ./bsnl lun-new $T 0 $IMG &&
	./bsnl target-new $T1 allow-any 1 max-sessions 1 && ./bsnl lun-new $T1 0 $IMG ||
	{ echo "Bail out! target setup failed"; exit 1; }

./bsnl events 2 60 >/tmp/reject-events 2>&1 &
events_pid=$!
wait_for 5 grep -q subscribed /tmp/reject-events
tap_run ./pdu_reject reject 127.0.0.1 3261 $T 4
wait "$events_pid"
check "the session was up, then down by logout" grep -q "session-down target=$T .* reason=0" \
	/tmp/reject-events

./bsnl events 2 60 >/tmp/idle-events 2>&1 &
events_pid=$!
wait_for 5 grep -q subscribed /tmp/idle-events
tap_run ./pdu_reject idle 127.0.0.1 3261 $T
wait "$events_pid"
sed 's/^/# /' /tmp/idle-events
check "a session left without a logout goes: session-down, connection lost" \
	grep -q "session-down target=$T .* reason=2" /tmp/idle-events
check "no session is left" wait_for 10 sh -c "[ -z \"\$(./bsnl sessions)\" ]"

# A client that vanishes without a FIN or RST: keepalive (60 s idle) finds
# the connection dead and the session ends ($T1 sends no NOP-In pings).
./bsnl events 2 120 >/tmp/vanish-events 2>&1 &
events_pid=$!
wait_for 5 grep -q subscribed /tmp/vanish-events
tap_run ./pdu_reject vanish 127.0.0.1 3261 $T1
check "the session is still there at first" sh -c "./bsnl sessions | grep -q '$T1 '"
check "keepalive ends the vanished client's session" \
	wait_for 100 sh -c "! ./bsnl sessions | grep -q '$T1 '"
wait "$events_pid"
sed 's/^/# /' /tmp/vanish-events
check "session-down: connection lost or expired" \
	grep -q -E "session-down target=$T1 .* reason=(2|4)" /tmp/vanish-events

./bsnl events 4 60 >/tmp/limit-events 2>&1 &
events_pid=$!
wait_for 5 grep -q subscribed /tmp/limit-events
tap_run ./pdu_reject session-limit 127.0.0.1 3261 $T1
wait "$events_pid"
sed 's/^/# /' /tmp/limit-events
check "the refused login is a login-failed event, too many sessions" \
	grep -q "login-failed target=$T1 initiator=iqn.2024-01.org.bootsan.test:second failure=3" \
	/tmp/limit-events
check "the reinstated session went down with reason reinstated" \
	grep -q "session-down target=$T1 initiator=iqn.2024-01.org.bootsan.test:first reason=3" \
	/tmp/limit-events

tap_run ./pdu_reject digest 127.0.0.1 3261 $T1
check "no session is left after the header digest error" \
	wait_for 10 sh -c "[ -z \"\$(./bsnl sessions)\" ]"

./bsnl portal-new 127.0.0.1 3262 max-connections 1 ||
	{ echo "Bail out! portal setup failed"; exit 1; }
tap_run ./pdu_reject connection-limit 127.0.0.1 3262 $T
check "no session is left" wait_for 10 sh -c "[ -z \"\$(./bsnl sessions)\" ]"

./bsnl target-del $T force
./bsnl target-del $T1 force
./bsnl portal-del 127.0.0.1 3261 force
./bsnl portal-del 127.0.0.1 3262 force
tap_done
