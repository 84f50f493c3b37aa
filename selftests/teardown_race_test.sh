#!/bin/sh
# The target's teardown paths under load (teardown_race.c): a portal deleted
# with force while sessions and connections that never logged in use it;
# LUNs deleted and added back while sessions send LOGICAL UNIT RESETs and
# TARGET WARM RESETs; sessions reinstating each other as fast as they can
# log in, on a target that arms a NOP-In ping at every login. The target
# must end what it should, and go on serving. A stock kernel reports little
# of what can go wrong here (sleeping under a spinlock or in an RCU read
# section, work left pending on freed memory): run under the debug kernel.
# Runs in the test VM as root.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:teardown
IMG=/tmp/teardown
PORT=3267
PORT2=3268

# tap_out FILE: the TAP lines a program wrote to FILE, numbered on.
tap_out() {
	grep -v '^READY$' "$1"
	tap_n=$((tap_n + $(grep -c -E '^(not )?ok ' "$1")))
	grep -q '^not ok' "$1" && tap_failed=1
}

echo "TAP version 13"
modprobe bootsan || { echo "Bail out! bootsan.ko missing"; exit 1; }
for i in 0 1 2 3 4 5 6 7; do
	truncate -s 1M $IMG$i
done
check "portals, and a target with 8 LUNs that pings every second" sh -c "
	./bsnl portal-new 127.0.0.1 $PORT && ./bsnl portal-new 127.0.0.1 $PORT2 &&
	./bsnl target-new $T allow-any 1 nop-in-interval 1 &&
	for i in 0 1 2 3 4 5 6 7; do ./bsnl lun-new $T \$i $IMG\$i || exit 1; done"

# A portal deleted with force ends every connection that came through it.
TAP_BASE=$tap_n ./teardown_race hold 127.0.0.1 $PORT $T 16 >/tmp/teardown-hold 2>&1 &
hold_pid=$!
wait_for 120 grep -q READY /tmp/teardown-hold
./bsnl portal-del 127.0.0.1 $PORT force
del_rc=$?
wait $hold_pid
tap_out /tmp/teardown-hold
check "portal-del with force while 32 connections use it" [ $del_rc = 0 ]
check "no session is left of them" wait_for 20 sh -c "[ -z \"\$(./bsnl sessions)\" ]"

# LUNs go and come back while two sessions reset them.
TAP_BASE=$tap_n ./teardown_race tmf-storm 127.0.0.1 $PORT2 $T 20 >/tmp/teardown-tmf1 2>&1 &
tmf1=$!
TAP_BASE=$((tap_n + 2)) ./teardown_race tmf-storm 127.0.0.1 $PORT2 $T 20 >/tmp/teardown-tmf2 2>&1 &
tmf2=$!
lun_churn() {
	end=$(($(date +%s) + 18))
	rounds=0
	while [ "$(date +%s)" -lt $end ]; do
		for i in 0 1 2 3 4 5 6 7; do
			./bsnl lun-del $T $i force && ./bsnl lun-new $T $i $IMG$i || return 1
		done
		rounds=$((rounds + 1))
	done
	echo "# $rounds rounds of deleting and adding the 8 LUNs"
}
lun_churn >/tmp/teardown-churn 2>&1
churn_rc=$?
wait $tmf1
wait $tmf2
tap_out /tmp/teardown-tmf1
tap_out /tmp/teardown-tmf2
cat /tmp/teardown-churn
check "every LUN delete and add succeeded under the resets" [ $churn_rc = 0 ]

# Sessions reinstating each other, each login arming a ping.
TAP_BASE=$tap_n ./teardown_race reinstate 127.0.0.1 $PORT2 $T 15 >/tmp/teardown-reinstate 2>&1
tap_out /tmp/teardown-reinstate
check "no session is left after the reinstatements" \
	wait_for 20 sh -c "[ -z \"\$(./bsnl sessions)\" ]"
# Pings armed by connections that are gone would fire now.
sleep 3
check "the target still serves a new session" \
	./teardown_race reinstate 127.0.0.1 $PORT2 $T 1

# A portal deleted and added while connections arrive with data: TCP makes
# each from the listener, callbacks included, and their data must never
# reach the portal (a WARNING in __queue_work, or worse, once it is gone).
TAP_BASE=$tap_n ./teardown_race spray 127.0.0.1 $PORT $T 15 >/tmp/teardown-spray 2>&1 &
spray=$!
portal_churn() {
	end=$(($(date +%s) + 14))
	rounds=0
	while [ "$(date +%s)" -lt $end ]; do
		./bsnl portal-new 127.0.0.1 $PORT && ./bsnl portal-del 127.0.0.1 $PORT force ||
			return 1
		rounds=$((rounds + 1))
	done
	echo "# $rounds rounds of adding and deleting a portal"
}
portal_churn >/tmp/teardown-pchurn 2>&1
pchurn_rc=$?
wait $spray
tap_out /tmp/teardown-spray
cat /tmp/teardown-pchurn
check "every portal add and delete succeeded under the connections" [ $pchurn_rc = 0 ]
check "the target still serves a new session after the portal churn" \
	./teardown_race reinstate 127.0.0.1 $PORT2 $T 1

# Connections ended by their first PDU while the accept that made them may
# still be finishing: the accept must not touch one after its io_work could
# have run (a WARNING in __queue_work on 6.1, a use after free under KASAN).
TAP_BASE=$tap_n ./teardown_race slam 127.0.0.1 $PORT2 $T 20 >/tmp/teardown-slam 2>&1
tap_out /tmp/teardown-slam
check "the target still serves a new session after the slammed connections" \
	./teardown_race reinstate 127.0.0.1 $PORT2 $T 1
check "no warning from the slammed connections" sh -c \
	"! dmesg | grep -E 'WARNING:|BUG:|Oops|general protection'"

./bsnl target-del $T force
./bsnl portal-del 127.0.0.1 $PORT2 force
rm -f $IMG[0-7]
tap_done
