#!/bin/sh
# Who may log in, and what ends a session when that changes: an empty ACL
# refuses every initiator unless the target allows any explicitly; removing
# an ACL entry, turning allow-any off, adding or changing the CHAP
# credentials ends the sessions that no longer qualify (reason revoked).
# CHAP with each algorithm open-iscsi offers (SHA3-256, SHA-256, SHA-1, MD5),
# one-way and mutual; a mutual secret equal to the initiator's is refused
# at configuration time; per-initiator credentials on ACL entries.
# Runs in the test VM as root, with open-iscsi.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:acl
I=iqn.2024-01.org.bootsan.test:initiator
J=iqn.2024-01.org.bootsan.test:other
IMG=/tmp/acl.img
SECRET=initiator-secret-1
SECRET2=initiator-secret-2
MSECRET=target-secret-01
REVOKED=5

echo "TAP version 13"
modprobe bootsan && modprobe crc32c_generic 2>/dev/null; modprobe iscsi_tcp && modprobe sd_mod ||
	{ echo "Bail out! modules missing"; exit 1; }

truncate -s 16M $IMG
mkdir -p /etc/iscsi /var/lib/iscsi /run/lock/iscsi
echo "InitiatorName=$I" >/etc/iscsi/initiatorname.iscsi
./bsnl portal-new 127.0.0.1 3260 && ./bsnl target-new $T && ./bsnl lun-new $T 0 $IMG ||
	{ echo "Bail out! no target"; exit 1; }
./bsnl events 100 900 >/tmp/acl-events 2>&1 &
events_pid=$!
wait_for 5 grep -q subscribed /tmp/acl-events
# An iscsid left by an earlier test in this VM would log in under that
# test's initiator name: this test's iscsid must be the only one.
iscsiadm -m node -U all >/dev/null 2>&1
iscsiadm -m node -o delete >/dev/null 2>&1
killall iscsid 2>/dev/null
wait_for 10 sh -c '! pidof iscsid >/dev/null'
setsid iscsid -f >/tmp/iscsid.log 2>&1 &
sleep 1
# The node record, made without discovery (which must not show the target).
iscsiadm -m node -o new -T $T -p 127.0.0.1:3260 >/dev/null

# Helpers run by check directly: "sh -c" would not see them (and busybox
# has applets named login and logout).
node() { iscsiadm -m node -T $T -p 127.0.0.1 "$@"; }
set_node() { node -o update -n "$1" -v "$2" >/dev/null; }
do_login() { node --login >/tmp/login.out 2>&1 || { tail -n 3 /tmp/login.out; return 1; }; }
refused() { ! do_login; }
do_logout() { node --logout >/dev/null 2>&1; true; }
one_session() { [ "$(./bsnl sessions | grep -c " $T ")" = 1 ]; }
no_session() { [ "$(./bsnl sessions | grep -c " $T ")" = 0 ]; }
logout_all() { do_logout; wait_for 10 no_session >/dev/null; }
# revoked N: N session-down events with reason revoked so far.
revoked() { [ "$(grep -c "session-down target=$T .*reason=$REVOKED" /tmp/acl-events)" -ge "$1" ]; }
# ended_by N WHAT...: run WHAT with one session up; it must end, revoked.
ended_by() {
	n=$1
	shift
	one_session && "$@" && wait_for 20 no_session && wait_for 5 revoked "$n"
}
# then_login WHAT...: run WHAT, then log in: one session.
then_login() { "$@" && do_login && one_session; }
# login_with KEY VALUE: set a node setting, log in: one session.
login_with() { set_node "$1" "$2" && do_login && one_session; }
refused_with() { set_node "$1" "$2" && refused; }
undisturbed_by() { "$@" && sleep 2 && one_session; }
not_discovered() { ! iscsiadm -m discovery -t sendtargets -p 127.0.0.1 2>/dev/null | grep -q "$T"; }
refused_with_reason() { ! "$@" 2>/tmp/err && cat /tmp/err && grep -q 'must differ from the chap secret' /tmp/err; }

check "no ACL entries and no allow-any: the login is refused" refused
check "... with status authorization failure (0x0202), event not-authorized" \
	wait_for 5 grep -q "login-failed target=$T initiator=$I failure=1" /tmp/acl-events
do_logout
check "... and discovery does not list the target" not_discovered
check "the target reports allow-any 0" sh -c "./bsnl targets | grep '$T' | grep -q 'allow-any=0'"

check "allow-any 1: the login succeeds" then_login ./bsnl target-set $T allow-any 1
check "allow-any back to 0 with an empty ACL ends the session" \
	ended_by 1 ./bsnl target-set $T allow-any 0
logout_all

check "an ACL entry for the initiator: the login succeeds" then_login ./bsnl acl-new $T $I
check "an entry for another initiator leaves the session alone" undisturbed_by ./bsnl acl-new $T $J
check "removing the initiator's ACL entry ends its session" ended_by 2 ./bsnl acl-del $T $I
logout_all

check "allow-any 1 with an ACL: an initiator not in it logs in" \
	then_login ./bsnl target-set $T allow-any 1
check "requiring CHAP ends a session that did not authenticate" \
	ended_by 3 ./bsnl target-set $T auth chap chap user1 $SECRET
logout_all

set_node node.session.auth.authmethod CHAP
set_node node.session.auth.username user1
set_node node.session.auth.password $SECRET
for alg in SHA3-256 SHA256 SHA1 MD5; do
	check "CHAP with chap_algs=$alg" login_with node.session.auth.chap_algs $alg
	logout_all
done
check "CHAP with a wrong secret is refused" refused_with node.session.auth.password wrong-secret-00
do_logout
set_node node.session.auth.password $SECRET

set_node node.session.auth.chap_algs SHA3-256,SHA256,SHA1,MD5
check "CHAP with all four offered logs in" then_login true
check "re-sending the same credentials leaves a CHAP session alone" \
	undisturbed_by ./bsnl target-set $T auth chap chap user1 $SECRET
check "changing the CHAP secret ends the session" \
	ended_by 4 ./bsnl target-set $T chap user1 $SECRET2
logout_all
set_node node.session.auth.password $SECRET2

check "a mutual secret equal to the initiator secret is refused, with a reason" \
	refused_with_reason ./bsnl target-set $T auth mutual-chap mutual target1 $SECRET2
check "mutual CHAP set up" ./bsnl target-set $T auth mutual-chap mutual target1 $MSECRET
set_node node.session.auth.username_in target1
set_node node.session.auth.password_in $MSECRET
for alg in SHA256 SHA3-256 MD5; do
	check "mutual CHAP with chap_algs=$alg" login_with node.session.auth.chap_algs $alg
	logout_all
done
check "mutual CHAP: a wrong target secret on the initiator's side fails the login" \
	refused_with node.session.auth.password_in not-the-target1
do_logout

# Per-initiator credentials: each ACL entry with its own secret; one
# initiator's secret does not log in as the other.
T2=iqn.2024-01.org.bootsan.test:per-initiator
per_initiator_setup() {
	./bsnl target-new $T2 auth chap chap shared shared-secret-1 && ./bsnl lun-new $T2 0 $IMG &&
	./bsnl acl-new $T2 $I chap user-i secret-of-i-01 &&
	./bsnl acl-new $T2 $J chap user-j secret-of-j-01 &&
	iscsiadm -m iface -I other -o new >/dev/null &&
	iscsiadm -m iface -I other -o update -n iface.initiatorname -v $J >/dev/null &&
	iscsiadm -m node -o new -T $T2 -p 127.0.0.1:3260 -I other >/dev/null &&
	iscsiadm -m node -T $T2 -p 127.0.0.1 -I other -o update -n node.session.auth.authmethod -v CHAP &&
	iscsiadm -m node -T $T2 -p 127.0.0.1 -I other -o update -n node.session.auth.chap_algs -v SHA256
}
check "per-initiator credentials set up" per_initiator_setup
with_creds() {
	iscsiadm -m node -T $T2 -p 127.0.0.1 -I other -o update -n node.session.auth.username -v "$1" &&
	iscsiadm -m node -T $T2 -p 127.0.0.1 -I other -o update -n node.session.auth.password -v "$2" &&
	iscsiadm -m node -T $T2 -p 127.0.0.1 -I other --login >/dev/null 2>&1
}
other_refused_with() { ! with_creds "$@"; }
other_logout() { iscsiadm -m node -T $T2 -p 127.0.0.1 -I other --logout >/dev/null 2>&1; true; }
check "$J with $I's credentials is refused" other_refused_with user-i secret-of-i-01
other_logout
check "$J with the target-wide credentials is refused" other_refused_with shared shared-secret-1
other_logout
check "$J with its own credentials logs in" with_creds user-j secret-of-j-01
other_logout

kill "$events_pid" 2>/dev/null
sed 's/^/# /' /tmp/acl-events
# Leave nothing behind for the tests that follow in the same VM.
iscsiadm -m node -o delete >/dev/null 2>&1
iscsiadm -m iface -I other -o delete >/dev/null 2>&1
killall iscsid 2>/dev/null
./bsnl target-del $T force; ./bsnl target-del $T2 force; ./bsnl portal-del 127.0.0.1 3260 force
tap_done
