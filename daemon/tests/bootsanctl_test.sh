#!/bin/sh
# bootsanctl against a real bootsand (temporary state directory, a free port
# on 127.0.0.1, no kernel module): every command family, the table and
# --json output, the clone progress bar, and the exit status for each kind
# of failure (1 API error, 2 usage, 3 connection). Prints TAP.
#
#   daemon/tests/bootsanctl_test.sh [path/to/bootsand] [path/to/bootsanctl]
here=$(cd "$(dirname "$0")" && pwd)
daemon=$(realpath "${1:-$here/../bootsand}")
ctl=$(realpath "${2:-$here/../bootsanctl}")
version=$("$here/../../scripts/version")
tmp=$(mktemp -d)
pid=
. "$here/lib.sh"
prog=$ctl

cleanup() {
	[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
	rm -rf "$tmp"
}
trap cleanup EXIT

# expect_json NAME PYTHON_EXPR -- ARGS...: --json output, checked by a
# Python expression over the decoded value j.
expect_json() {
	name=$1 expr=$2
	shift 3
	out=$("$ctl" --json "$@" 2>&1)
	rc=$?
	if [ "$rc" != 0 ]; then
		not_ok "$name" "exit $rc: $out"
	elif printf '%s' "$out" | python3 -c "import json, sys; j = json.load(sys.stdin); sys.exit(0 if ($expr) else 1)"; then
		ok "$name"
	else
		not_ok "$name" "($expr) is false for: $out"
	fi
}

echo "TAP version 13"

"$daemon" --state-dir "$tmp/state" --listen 127.0.0.1:0 --log-level debug \
	>"$tmp/log" 2>&1 &
pid=$!
port=
for _ in $(seq 200); do
	port=$(sed -n 's#.*listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$tmp/log" | tail -1)
	[ -n "$port" ] && grep -q ready "$tmp/log" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$port" ]; then
	echo "1..0 # SKIP bootsand did not start: $(tail -3 "$tmp/log")"
	exit 1
fi
export BOOTSAN_URL="http://127.0.0.1:$port"
export BOOTSAN_TOKEN_FILE="$tmp/state/api-token"

# usage (exit 2) and connection (exit 3) failures
expect "--help shows usage" 0 "Usage: bootsanctl" -- --help
expect "no command exits 2" 2 "missing command" --
expect "unknown command exits 2" 2 "unknown command 'frobnicate'" -- frobnicate
expect "unknown option exits 2" 2 "unknown option '--bogus'" -- image list --bogus
expect "missing subcommand exits 2" 2 "missing image command" -- image
expect "missing value exits 2" 2 "option '--size' needs a value" -- image create a --size
expect "bad size suffix exits 2" 2 "bad size '12Q'" -- image create a --size 12Q
expect "size and from together exit 2" 2 "one of --size SIZE, --from IMAGE, --overlay-of GOLDEN" -- \
	image create a --size 1M --from b
expect "from and overlay-of together exit 2" 2 "one of --size SIZE" -- \
	image create a --from b --overlay-of c
expect "image update without --from exits 2" 2 "image update needs --from IMAGE" -- image update a
expect "image reset with an unknown option exits 2" 2 "unknown option '--hard'" -- image reset a --hard
expect "a bad --url exits 2" 2 "bad --url 'localhost:1'" -- --url localhost:1 status
expect "an unreadable --token-file exits 2" 2 "cannot read token file '$tmp/none'" -- \
	--token-file "$tmp/none" status
expect "no bootsand listening exits 3" 3 "cannot reach bootsand at http://127.0.0.1:1" -- \
	--url http://127.0.0.1:1 status
echo "not-the-token" >"$tmp/wrong-token"
expect "a wrong token is the API's 401, exit 1" 1 "[HTTP 401]" -- \
	--token-file "$tmp/wrong-token" status

# status
expect "status shows the version" 0 "version: $version" -- status
expect "status shows the kernel side" 0 "kernel.available: no" -- status
expect_json "status --json is the API's JSON" \
	"j['version'] == '$version' and j['kernel']['available'] is False" -- status

# images
expect "image create --size with a suffix" 0 "size_bytes: 1048576" -- \
	image create golden --size 1M
expect "sizes take fractions of a unit" 0 "size_bytes: 1536" -- image create half --size 1.5K
expect "the API's error and field are shown, exit 1" 1 "(field: size_bytes) [HTTP 400]" -- \
	image create odd --size 1000
expect "a duplicate image is a 409" 1 "exists already (field: name) [HTTP 409]" -- \
	image create golden --size 1M
dd if=/dev/urandom of="$tmp/state/images/golden.img" bs=64k count=16 conv=notrunc \
	status=none
out=$(script -qec "$ctl image create pc1 --from golden" /dev/null 2>&1)
if printf '%s' "$out" | grep -q '\] 100% done' && printf '%s' "$out" | grep -q 'state: ready'; then
	ok "a clone waits for its job with a progress bar on a terminal"
else
	not_ok "a clone waits for its job with a progress bar on a terminal" "$out"
fi
if cmp -s "$tmp/state/images/golden.img" "$tmp/state/images/pc1.img"; then
	ok "the clone has the source's bytes"
else
	not_ok "the clone has the source's bytes" "$(ls -l "$tmp/state/images")"
fi
expect "a clone without a terminal prints only the image" 0 "name: pc2" -- \
	image create pc2 --from golden
out=$("$ctl" --json --no-wait image create pc3 --from golden 2>&1)
job=$(printf '%s' "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])' \
	2>/dev/null)
if [ -n "$job" ]; then
	ok "--no-wait returns the job at once"
else
	not_ok "--no-wait returns the job at once" "$out"
fi
for _ in $(seq 50); do
	"$ctl" job show "$job" 2>/dev/null | grep -q "state: done" && break
	sleep 0.1
done
expect "job show follows a job to done" 0 "state: done" -- job show "$job"
expect "job list is a table" 0 "SUBJECT" -- job list

# Overlays: made at once, shown with their golden, reset, versions, flatten.
expect "image create --overlay-of makes one at once" 0 "golden: golden" -- \
	image create ov1 --overlay-of golden
expect "the list has a GOLDEN column" 0 "GOLDEN" -- image list
expect "an overlay of an overlay is refused" 1 "is an overlay itself" -- \
	image create ov2 --overlay-of ov1
expect "image reset" 0 "golden_version: 1" -- image reset ov1
"$ctl" image create gnext --size 1M >/dev/null
expect "image update makes another image the next version" 0 "version: 2" -- \
	image update golden --from gnext
expect "image versions lists both, the new one from gnext" 0 "gnext" -- image versions golden
expect "image flatten waits for its job" 0 "name: ov1" -- image flatten ov1
expect "the flattened image has no golden" 0 "overlays: 0" -- image show golden
"$ctl" image delete ov1 >/dev/null

# At most two clones copy at once; the others wait as "queued", and all end.
# The source is big enough that a copy outlasts the five commands that
# start them (96 MiB did not under ASan: every clone was done before the
# first look, "max running 1, queued seen 0").
"$ctl" image create big --size 320M >/dev/null
dd if=/dev/urandom of="$tmp/state/images/big.img" bs=1M count=320 conv=notrunc status=none
for i in 1 2 3 4 5; do
	"$ctl" --no-wait image create "q$i" --from big >/dev/null
done
max_running=0 seen_queued=0 all_done=0
deadline=$(($(date +%s) + 120))
while [ "$(date +%s)" -lt "$deadline" ]; do
	states=$("$ctl" --json job list | python3 -c '
import json, sys
jobs = [j for j in json.load(sys.stdin)["jobs"] if j["subject"].startswith("q")]
print(sum(j["state"] == "running" for j in jobs), sum(j["state"] == "queued" for j in jobs),
      int(len(jobs) == 5 and all(j["state"] == "done" for j in jobs)))')
	set -- $states
	[ "$1" -gt "$max_running" ] && max_running=$1
	[ "$2" -gt 0 ] && [ "$1" -gt 0 ] && seen_queued=1
	[ "$3" = 1 ] && { all_done=1; break; }
	sleep 0.05
done
if [ "$max_running" -le 2 ] && [ "$seen_queued" = 1 ] && [ "$all_done" = 1 ]; then
	ok "clones beyond two wait queued, then all finish"
else
	not_ok "clones beyond two wait queued, then all finish" \
		"max running $max_running, queued seen $seen_queued, all done $all_done"
fi
same=1
for i in 1 2 3 4 5; do
	cmp -s "$tmp/state/images/big.img" "$tmp/state/images/q$i.img" || same=0
	"$ctl" image delete "q$i" >/dev/null || same=0
done
"$ctl" image delete big >/dev/null || same=0
if [ "$same" = 1 ]; then
	ok "every queued clone has the source's bytes"
else
	not_ok "every queued clone has the source's bytes" "$(ls -l "$tmp/state/images")"
fi
expect_json "status counts running and queued jobs" \
	"j['counts']['jobs_running'] == 0 and j['counts']['jobs_queued'] == 0" -- status
expect "an unknown job is a 404" 1 "[HTTP 404]" -- job show 999
expect "a clone of a missing image fails with the field" 1 "(field: from) [HTTP 400]" -- \
	image create pc9 --from nothing
expect "image list is a table" 0 "NAME    SIZE" -- image list
out=$("$ctl" image list)
if printf '%s\n' "$out" | grep -Eq '^golden +1\.0M|^golden +1M' &&
   printf '%s\n' "$out" | grep -q '^pc3 '; then
	ok "image list has one row per image with human sizes"
else
	not_ok "image list has one row per image with human sizes" "$out"
fi
expect_json "image list --json is the API's JSON" \
	"sorted(i['name'] for i in j['images']) == ['golden', 'half', 'pc1', 'pc2', 'pc3']" -- \
	image list
expect_json "global options also work after the command" "j['name'] == 'golden'" -- \
	image show golden
expect "image resize grows" 0 "size_bytes: 2097152" -- image resize golden --size 2M
expect "image resize does not shrink" 1 "images only grow" -- image resize golden --size 1M
expect "image delete" 0 "image pc3 deleted" -- image delete pc3
expect "a deleted image is gone" 1 "no image 'pc3' [HTTP 404]" -- image show pc3

# portals
expect "portal add ADDRESS:PORT" 0 "port: 3261" -- portal add 127.0.0.1:3261
expect "portal add [IPv6]:PORT" 0 "address: ::1" -- portal add "[::1]:3262" --tpgt 2
expect "portal list" 0 "127.0.0.1  3261" -- portal list
expect "a duplicate portal is a 409" 1 "[HTTP 409]" -- portal add 127.0.0.1:3261
expect "portal delete" 0 "portal 127.0.0.1:3261 deleted" -- portal delete 127.0.0.1:3261
expect "portal delete of an IPv6 portal" 0 "deleted" -- portal delete "[::1]:3262"
expect "portal add --max-connections" 0 "max_connections: 8" -- \
	portal add 127.0.0.1:3263 --max-connections 8
expect "portal list shows the limit" 0 "127.0.0.1  3263  1     8" -- portal list
expect "portal delete of the limited portal" 0 "deleted" -- portal delete 127.0.0.1:3263
expect "portal add --login-timeout" 0 "login_timeout_s: 30" -- \
	portal add 127.0.0.1:3265 --login-timeout 30
expect "portal list shows the login timeout" 0 "127.0.0.1  3265  1     0         30" -- portal list
expect "portal delete of the timed portal" 0 "deleted" -- portal delete 127.0.0.1:3265
expect "portal add --login-timeout out of range is the API's 400" 1 "(field: login_timeout_s)" -- \
	portal add 127.0.0.1:3266 --login-timeout 3601
expect "portal add checks --login-timeout" 2 "bad --login-timeout '15s'" -- \
	portal add 127.0.0.1:3266 --login-timeout 15s
expect "a --max-connections that is no number is a usage error" 2 \
	"bad --max-connections 'many'" -- portal add 127.0.0.1:3264 --max-connections many
expect "a --max-connections out of range is the API's 400" 1 "(field: max_connections)" -- \
	portal add 127.0.0.1:3264 --max-connections=-1

# targets and sessions need the kernel: without it, the API's 503
expect "target list works without the kernel" 0 "IQN" -- target list
expect_json "target list --json is the API's {\"targets\": [...]}" "j == {'targets': []}" -- \
	target list
expect "target create without the kernel is the API's 503" 1 \
	"iSCSI target is unavailable" -- target create iqn.2026-11.test:t1 --lun pc1 \
	--acl iqn.2026-11.test:pc1 --chap-user u --chap-secret 0123456789abcdef
expect "target create --nop-in-interval out of range is the API's 400" 1 \
	"(field: nop_in_interval)" -- target create iqn.2026-11.test:t1 --nop-in-interval 3601
expect "a --nop-in-interval that is no number is a usage error" 2 \
	"bad --nop-in-interval '1m'" -- target create iqn.2026-11.test:t1 --nop-in-interval 1m
expect "target set --allow-any yes: the API's 503 without the kernel (its body is valid)" 1 \
	"iSCSI target is unavailable" -- target set iqn.2026-11.test:t1 --allow-any yes
expect "target set --allow-any no, with the other settings" 1 "iSCSI target is unavailable" -- \
	target set iqn.2026-11.test:t1 --allow-any no --read-only yes --alias x --nop-in-interval 5
expect "target set --max-sessions and --queue-depth: the API's 503 without the kernel" 1 \
	"iSCSI target is unavailable" -- target set iqn.2026-11.test:t1 --max-sessions 0 --queue-depth 8
expect "target set: a negative --max-sessions is the API's 400 on max_sessions" 1 "max_sessions" -- \
	target set iqn.2026-11.test:t1 --max-sessions=-1
expect "target set checks --allow-any" 2 "bad --allow-any 'maybe' (want yes or no)" -- \
	target set iqn.2026-11.test:t1 --allow-any maybe
expect "target set needs a setting" 2 "target set needs" -- target set iqn.2026-11.test:t1
expect "target create checks --lun" 2 "bad --lun 'x='" -- \
	target create iqn.2026-11.test:t1 --lun x=
expect "target create reads a missing secret file" 2 "cannot read secret file" -- \
	target create iqn.2026-11.test:t1 --chap-secret-file "$tmp/none"
expect "session list without the kernel is the API's 503" 1 "[HTTP 503]" -- session list

# profiles and clients
expect "profile create" 0 "kind: sanboot" -- profile create disk --kind sanboot
expect "profile create with --set KEY=JSON" 0 "args: quiet splash" -- \
	profile create lnx --kind linux --set kernel=http://x/vmlinuz \
	--set 'args="quiet splash"'
expect "profile create needs --kind" 2 "needs --kind" -- profile create z
printf 'd-i debian-installer/locale string en_US\nd-i netcfg/get_hostname string pc\n' >"$tmp/preseed"
expect "profile create --preseed FILE" 0 "d-i netcfg/get_hostname string pc" -- \
	profile create inst --kind linux --set kernel=http://x/linux --preseed "$tmp/preseed"
printf 'd-i a/b strnig x\n' >"$tmp/bad-preseed"
expect "profile create --preseed: the API's 400 names the line" 1 "preseed line 1: unknown debconf type" -- \
	profile create inst2 --kind linux --set kernel=http://x/linux --preseed "$tmp/bad-preseed"
expect "profile create --preseed: a missing file" 2 "cannot read --preseed file" -- \
	profile create inst3 --kind linux --preseed "$tmp/none"
expect "profile list" 0 "lnx   linux" -- profile list
expect "profile show" 0 "kernel: http://x/vmlinuz" -- profile show lnx
expect "client create" 0 "labels.room: b12" -- client create pc42 \
	--mac 52:54:00:12:34:56 --profile disk --image pc1 --label room=b12
expect "a bad MAC is the API's 400 with its field" 1 "(field: mac)" -- \
	client create pc43 --mac zz
expect "client list" 0 "52:54:00:12:34:56" -- client list
expect_json "client list --json is the API's {\"clients\": [...]}" \
	"[c['name'] for c in j['clients']] == ['pc42']" -- client list
expect_json "profile list --json is the API's {\"profiles\": [...]}" \
	"sorted(p['name'] for p in j['profiles']) == ['disk', 'inst', 'lnx']" -- profile list
expect_json "client show --json" "j['image'] == 'pc1' and j['profile'] == 'disk'" -- \
	client show pc42
expect "client delete" 0 "client pc42 deleted" -- client delete pc42
# two machines recorded pending under the register policy, by their first boot
python3 - "$port" "$(cat "$tmp/state/api-token")" <<'PY'
import sys, urllib.request
base = "http://127.0.0.1:" + sys.argv[1]
urllib.request.urlopen(urllib.request.Request(base + "/api/v1/settings", method="PUT",
    data=b'{"enrollment": "register"}', headers={"Authorization": "Bearer " + sys.argv[2],
                                                 "Content-Type": "application/json"})).read()
for mac in ("52:54:00:b0:00:01", "52:54:00:b0:00:02"):
    urllib.request.urlopen(base + "/boot/ipxe?mac=" + mac).read()
PY
expect "client list shows a pending machine" 0 "pending" -- client list
expect "client approve" 0 "state: active" -- client approve mac-525400b00001
expect "client approve of an active client is the API's 409" 1 "not pending" -- \
	client approve mac-525400b00001
expect "client deny" 0 "client mac-525400b00002 denied and forgotten" -- \
	client deny mac-525400b00002
expect "client deny of an unknown client is the API's 404" 1 "[HTTP 404]" -- \
	client deny mac-525400b00002
expect "client approve needs a name" 2 "missing client name" -- client approve
expect "profile delete" 0 "profile lnx deleted" -- profile delete lnx

if kill -0 "$pid" 2>/dev/null; then
	ok "bootsand still serves"
else
	not_ok "bootsand still serves" "$(tail -20 "$tmp/log")"
fi
echo "1..$n"
exit $failed
