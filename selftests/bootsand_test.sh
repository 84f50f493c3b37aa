#!/bin/sh
# bootsand and bootsanctl with the real module: an image and a target made
# through the REST API (bootsanctl), an open-iscsi login, then
#   - kill -9 of bootsand and a restart while the initiator writes and
#     reads back continuously: no I/O error, every pass verifies, the
#     session is never interrupted; /metrics shows the LUN's and the
#     target's I/O and the session;
#   - rmmod bootsan (after a logout) and modprobe: bootsand's watcher puts
#     the target back by itself (with its NOP-In interval, and a portal
#     with its connection limit), a new login sees the same bytes;
#   - a blockio LUN on a RAM disk made through the API holds what the
#     initiator wrote, and deleting the target releases the device;
#   - an overlay made through the API (bootsanctl image create
#     --overlay-of) over a golden with a known pattern: open-iscsi reads
#     the golden's bytes through it and writes its own (unaligned, so the
#     kernel copies up), the golden stays the same byte for byte and
#     cannot be written or served read-write meanwhile, and a flatten
#     makes it an ordinary image holding golden and writes, served again.
#   - a target made on an image still being cloned (as enrollment does):
#     its LUN reaches the kernel when the clone ends, not before.
# Runs in the test VM as root; skipped when bootsand is not in the image.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:api-disk
I=iqn.2024-01.org.bootsan.test:api-initiator
STATE=/tmp/bootsand-state
PASSES=/tmp/io-passes

command -v bootsand >/dev/null && command -v bootsanctl >/dev/null ||
	{ echo "1..0 # SKIP bootsand or bootsanctl is not in this image"; exit 4; }

echo "TAP version 13"
# A clean module: earlier tests may have left objects behind.
rmmod bootsan 2>/dev/null
modprobe bootsan && modprobe crc32c_generic 2>/dev/null; modprobe iscsi_tcp &&
	modprobe sd_mod || { echo "Bail out! modules missing"; exit 1; }

export BOOTSAN_URL=http://127.0.0.1:8080
export BOOTSAN_TOKEN_FILE=$STATE/api-token
# Not under check: that runs its command in a subshell, and bsd_pid must
# stay in this one.
start_bootsand() {
	bootsand --state-dir $STATE --listen 127.0.0.1:8080 --log-level debug \
		>>/tmp/bootsand.log 2>&1 &
	bsd_pid=$!
}
in_sync() {
	wait_for 30 sh -c "bootsanctl status | grep -q 'kernel.in_sync: yes'"
}
rm -rf $STATE
start_bootsand
check "bootsand starts and is in sync with the module" in_sync
check "image create through bootsanctl" bootsanctl image create disk --size 64M
check "target create through bootsanctl" \
	bootsanctl target create $T --lun disk --acl $I --alias "api disk" \
	--nop-in-interval 30
check "the target is listed by bootsanctl" \
	sh -c "bootsanctl target list | grep -q '^$T  disk  none  $I'"
check "the kernel has the target's LUN" sh -c "./bsnl stats | grep -q '^$T 0 '"
# Settings the REST API stores and reconcile applies to the module.
nop_in_kernel() {
	./bsnl targets | grep -q "^$T .* nop_in_interval=30 "
}
limit_in_kernel() {
	./bsnl portals | grep -q '^127.0.0.1 3261 tpgt=1 connections=0 max_connections=4$'
}
check "the target's nop_in_interval from the REST API is in the kernel" nop_in_kernel
# A limit set and then taken back to 0 (the module's default) reaches the
# kernel both times; 0 once counted as matching whatever the kernel held.
limits_in_kernel() {
	./bsnl targets | grep -q "^$T max_sessions=$1 queue_depth=$2 "
}
check "target set --max-sessions 2 --queue-depth 8 through bootsanctl" \
	bootsanctl target set $T --max-sessions 2 --queue-depth 8
check "the kernel has those limits" limits_in_kernel 2 8
check "target set --max-sessions 0 --queue-depth 0: the module's defaults again" \
	bootsanctl target set $T --max-sessions 0 --queue-depth 0
check "the kernel has its defaults again (4096 sessions, queue depth 32)" limits_in_kernel 4096 32
check "portal add with --max-connections through bootsanctl" \
	bootsanctl portal add 127.0.0.1:3261 --max-connections 4
check "the portal's max_connections from the REST API is in the kernel" limit_in_kernel

mkdir -p /etc/iscsi /var/lib/iscsi /run/lock/iscsi
echo "InitiatorName=$I" >/etc/iscsi/initiatorname.iscsi
# Its own session: iscsid signals its whole process group when it stops.
setsid iscsid -f >/tmp/iscsid.log 2>&1 &
sleep 1
login() {
	iscsiadm -m discovery -t sendtargets -p 127.0.0.1 >/dev/null &&
		iscsiadm -m node -T $T -p 127.0.0.1 --login >/dev/null &&
		wait_for 30 test -b /dev/sda
}
check "open-iscsi logs in" login
check "bootsanctl lists the session" \
	sh -c "bootsanctl session list | grep -q ' $T  $I '"

# Continuous I/O: write 16 MiB, read it back and compare, again and again,
# until told to stop. One line per pass: "ok" or what failed.
/usr/bin/dd if=/dev/urandom of=/tmp/pattern bs=1M count=16 2>/dev/null
io_loop() {
	: >$PASSES
	while [ ! -e /tmp/io-stop ]; do
		if ! /usr/bin/dd if=/tmp/pattern of=/dev/sda bs=64k oflag=direct \
			2>/tmp/io-err; then
			echo "write failed: $(cat /tmp/io-err)" >>$PASSES
		elif ! /usr/bin/dd if=/dev/sda bs=64k count=256 iflag=direct 2>/tmp/io-err |
			/usr/bin/cmp -s - /tmp/pattern; then
			echo "read back differs: $(cat /tmp/io-err)" >>$PASSES
		else
			echo ok >>$PASSES
		fi
	done
}
rm -f /tmp/io-stop
io_loop &
io_pid=$!
wait_for 60 sh -c "[ \$(wc -l <$PASSES) -ge 1 ]"
before=$(wc -l <$PASSES)
kill -9 "$bsd_pid"
wait "$bsd_pid" 2>/dev/null
check "kill -9 of bootsand during I/O" sh -c "! bootsanctl status"
start_bootsand
check "bootsand restarts and is in sync again" in_sync
# The I/O goes on meanwhile: two more passes after the restart.
wait_for 120 sh -c "[ \$(wc -l <$PASSES) -ge $((before + 2)) ]"
touch /tmp/io-stop
wait "$io_pid"
sed 's/^/# pass: /' $PASSES | sort | uniq -c
check "the I/O ran on through the restart" sh -c "[ \$(wc -l <$PASSES) -ge $((before + 2)) ]"
check "every pass wrote and read back the same bytes" sh -c "! grep -v '^ok$' $PASSES"
check "the session survived (still one, listed after the restart)" \
	sh -c "[ \$(bootsanctl --json session list | grep -c '\"initiator\"') = 1 ]"
check "the restart reconciled without removing the target" \
	sh -c "bootsanctl target show $T | grep -q 'sessions: 1'"
# /metrics: the LUN's and the target's I/O and sessions, as the module counts them.
wget -q -O /tmp/metrics http://127.0.0.1:8080/metrics
grep "^bootsan_" /tmp/metrics | grep -v "^bootsan_kernel" | sed 's/^/# /'
check "metrics: the LUN's bytes read and written" sh -c \
	"grep -q '^bootsan_lun_read_bytes_total{target=\"$T\",lun=\"0\"} [1-9]' /tmp/metrics &&
	 grep -q '^bootsan_lun_written_bytes_total{target=\"$T\",lun=\"0\"} [1-9]' /tmp/metrics &&
	 grep -q '^bootsan_lun_read_commands_total{target=\"$T\",lun=\"0\"} [1-9]' /tmp/metrics &&
	 grep -q '^bootsan_lun_command_seconds_total{target=\"$T\",lun=\"0\"} [0-9.]*$' /tmp/metrics"
check "metrics: the target's bytes and its one session" sh -c \
	"grep -q '^bootsan_target_read_bytes_total{target=\"$T\"} [1-9]' /tmp/metrics &&
	 grep -q '^bootsan_target_sessions{target=\"$T\"} 1$' /tmp/metrics &&
	 grep -q '^bootsan_sessions 1$' /tmp/metrics"

check "logout" iscsiadm -m node -T $T -p 127.0.0.1 --logout
check "rmmod bootsan while bootsand runs" rmmod bootsan
check "bootsand reports the module gone" \
	wait_for 20 sh -c "bootsanctl status | grep -q 'kernel.available: no'"
check "modprobe bootsan" modprobe bootsan
check "bootsand's watcher puts the target back by itself" \
	wait_for 30 sh -c "./bsnl stats | grep -q '^$T 0 ' &&
		bootsanctl status | grep -q 'kernel.in_sync: yes'"
check "with its nop_in_interval" nop_in_kernel
check "and the portal with its max_connections" limit_in_kernel
check "portal delete through bootsanctl" bootsanctl portal delete 127.0.0.1:3261
check "a fresh login works" login
check "the disk holds the last pattern written" \
	sh -c "/usr/bin/dd if=/dev/sda bs=64k count=256 iflag=direct 2>/dev/null |
		/usr/bin/cmp - /tmp/pattern"
check "logout again" iscsiadm -m node -T $T -p 127.0.0.1 --logout
check "target delete through bootsanctl" bootsanctl target delete $T
check "the kernel no longer has it" sh -c "! ./bsnl stats | grep -q '^$T '"
check "image delete through bootsanctl" bootsanctl image delete disk

# A block device LUN through the REST API ({"lun": 0, "device": ...}):
# the bytes an initiator writes are on the device, and deleting the target
# releases the device (bootsan holds it exclusively while it is a LUN).
TB=iqn.2024-01.org.bootsan.test:api-block
blockio_target() {
	modprobe brd rd_nr=1 rd_size=16384 && wait_for 5 test -b /dev/ram0 &&
		bootsanctl target create $TB --lun /dev/ram0 --acl $I
}
check "a blockio target on /dev/ram0 through bootsanctl" blockio_target
check "the kernel has its LUN" sh -c "./bsnl stats | grep -q '^$TB 0 '"
check "the REST API shows the LUN's device" \
	sh -c "bootsanctl --json target show $TB | grep -q '\"device\": *\"/dev/ram0\"'"
blockio_io() {
	iscsiadm -m discovery -t sendtargets -p 127.0.0.1 >/dev/null &&
		iscsiadm -m node -T $TB -p 127.0.0.1 --login >/dev/null &&
		wait_for 30 test -b /dev/sda &&
		/usr/bin/dd if=/tmp/pattern of=/dev/sda bs=64k oflag=direct 2>/dev/null &&
		iscsiadm -m node -T $TB -p 127.0.0.1 --logout >/dev/null &&
		/usr/bin/cmp /dev/ram0 /tmp/pattern
}
check "16 MiB written through open-iscsi are on /dev/ram0" blockio_io
check "target delete releases the device (brd unloads)" sh -c "
	bootsanctl target delete $TB && rmmod brd"

# Overlays (issue 19) through the API, with a real initiator.
TO=iqn.2024-01.org.bootsan.test:api-overlay
GOLD=$STATE/images/ogold.img
/usr/bin/dd if=/dev/urandom of=/tmp/golden-pattern bs=1M count=16 2>/dev/null
golden_made() {
	bootsanctl image create ogold --size 16M >/dev/null &&
		/usr/bin/dd if=/tmp/golden-pattern of=$GOLD bs=1M conv=notrunc 2>/dev/null
}
check "a golden image with a known pattern" golden_made
check "an overlay of it through bootsanctl, made at once" \
	sh -c "bootsanctl image create opc --overlay-of ogold | grep -q '^golden: ogold'"
check "a target on the overlay" bootsanctl target create $TO --lun opc --acl $I
check "the kernel has its LUN" sh -c "./bsnl stats | grep -q '^$TO 0 '"
check "the golden's version cannot be opened for writing while the overlay's LUN uses it" \
	sh -c "! sh -c 'echo x >>$STATE/images/ogold@1.img' 2>/dev/null"
check "a read-write LUN on the golden is refused, saying why" sh -c "
	! bootsanctl target create $TO-gold --lun ogold 2>/tmp/ovl-err &&
	grep -q read_only /tmp/ovl-err"
ologin() {
	iscsiadm -m discovery -t sendtargets -p 127.0.0.1 >/dev/null &&
		iscsiadm -m node -T $TO -p 127.0.0.1 --login >/dev/null &&
		wait_for 30 test -b /dev/sda
}
check "open-iscsi logs in to the overlay" ologin
check "it reads the golden's bytes" sh -c "
	/usr/bin/dd if=/dev/sda bs=64k iflag=direct 2>/dev/null | /usr/bin/cmp - /tmp/golden-pattern"
# 1 MiB + 64 KiB at 4 MiB + 4 KiB: partial chunks at both ends.
/usr/bin/dd if=/dev/urandom of=/tmp/ovl-own bs=64k count=17 2>/dev/null
cp /tmp/golden-pattern /tmp/ovl-want
/usr/bin/dd if=/tmp/ovl-own of=/tmp/ovl-want bs=4096 seek=1025 conv=notrunc 2>/dev/null
check "it writes its own bytes" \
	/usr/bin/dd if=/tmp/ovl-own of=/dev/sda bs=4096 seek=1025 oflag=direct,sync
check "and reads the golden with its writes" sh -c "
	/usr/bin/dd if=/dev/sda bs=64k iflag=direct 2>/dev/null | /usr/bin/cmp - /tmp/ovl-want"
check "the golden is the same byte for byte" /usr/bin/cmp $GOLD /tmp/golden-pattern
check "the API shows what the overlay wrote" \
	sh -c "bootsanctl --json image show opc | grep -q '\"written_bytes\": [1-9]'"
check "flatten with a session logged in is refused" sh -c "! bootsanctl image flatten opc 2>/dev/null"
check "logout" iscsiadm -m node -T $TO -p 127.0.0.1 --logout
check "flatten through bootsanctl (a job)" bootsanctl image flatten opc
check "it is an ordinary image holding the golden and the writes" sh -c "
	! bootsanctl image show opc | grep -q '^golden:' && /usr/bin/cmp $STATE/images/opc.img /tmp/ovl-want &&
	! test -e $STATE/images/opc.delta && ! test -e $STATE/images/ogold@1.img"
served_again() {
	ologin && /usr/bin/dd if=/dev/sda bs=64k iflag=direct 2>/dev/null |
		/usr/bin/cmp - /tmp/ovl-want
}
check "served again, from its new file" served_again
check "logout" iscsiadm -m node -T $TO -p 127.0.0.1 --logout
check "the golden is writable again" sh -c ": >>$GOLD"
check "target and images deleted" sh -c "bootsanctl target delete $TO &&
	bootsanctl image delete opc && bootsanctl image delete ogold"

# A LUN on an image being cloned, as enrollment makes one for a machine it
# provisions: the kernel must not serve the half-made copy, and must serve
# it once the clone is done. Before, the LUN went to the kernel at once:
# served half-copied, or, when the file did not exist yet, refused (the
# reconcile failed) and never retried after the clone, so the machine's
# target had no LUN for good (make demo --provision failed that way: iPXE
# "Could not open SAN device", every boot).
TC=iqn.2024-01.org.bootsan.test:api-clone
cgold_made() {
	bootsanctl image create cgold --size 256M >/dev/null &&
		yes 0123456789abcdef | head -c 268435456 >$STATE/images/cgold.img
}
check "a golden image with 256 MiB of data" cgold_made
# Two clones take both copy slots (IMAGE_CLONES_MAX): the third waits for
# one, and has no file yet when its target is made.
check "three clones of it started, the third one queued" sh -c "
	bootsanctl image create cpa --from cgold --no-wait >/dev/null &&
	bootsanctl image create cpb --from cgold --no-wait >/dev/null &&
	bootsanctl image create cpc --from cgold --no-wait >/dev/null"
check "a target on the third, made while it is being cloned" \
	bootsanctl target create $TC --lun cpc --acl $I
bootsanctl image show cpc | grep '^state' | sed 's/^/# when the target was made: /'
# Seen with the LUN: the state must be ready by then (read after the LUN).
check "the kernel has the target, and no LUN on the clone until it is ready" sh -c "
	./bsnl targets | grep -q '^$TC ' &&
	{ ! ./bsnl stats | grep -q '^$TC 0 ' || ! bootsanctl image show cpc | grep -q '^state: *cloning'; }"
check "once the clone is done, the kernel has its LUN" wait_for 120 sh -c "
	bootsanctl image show cpc | grep -q '^state: *ready' && ./bsnl stats | grep -q '^$TC 0 '"
check "bootsand is in sync with the module" in_sync
check "target and images deleted" sh -c "bootsanctl target delete $TC &&
	bootsanctl image delete cpa && bootsanctl image delete cpb &&
	bootsanctl image delete cpc && bootsanctl image delete cgold"

kill "$bsd_pid"
wait "$bsd_pid"
check "bootsand stops cleanly on SIGTERM" test $? = 0
grep -E 'warning|error' /tmp/bootsand.log | sed 's/^/# bootsand: /' | tail -n 20
killall iscsid 2>/dev/null
# The objects bootsand made stay in the kernel (by design); the next test
# wants a clean module.
rmmod bootsan 2>/dev/null
tap_done
