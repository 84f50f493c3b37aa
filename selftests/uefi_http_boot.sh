#!/bin/bash
# UEFI HTTP Boot with no TFTP anywhere, with real firmware. Runs on the host:
# a SAN VM runs bootsand, which runs dnsmasq for DHCP settings set over its
# REST API (full mode, TFTP off); a diskless client VM runs Debian's OVMF
# with a virtio NIC that has no option ROM, so the firmware's own HTTP Boot
# runs (its PXE is turned off through fw_cfg). DHCP answers the firmware's
# HTTPClient request with the URL of ipxe.efi, which bootsand serves from
# Debian's ipxe package; iPXE asks DHCP again, fetches the boot script,
# bootsand gives the registered client its profile, and the script that
# profile chains to prints a marker with iPXE's ${platform} on the console.
#
#   selftests/uefi_http_boot.sh --kver K
#
# Addresses are from 198.18.0.0/24 (reserved for testing) on the VMs' own
# link, a TCP socket on 127.0.0.1.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
kver=
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	*) echo "uefi_http_boot: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[ -n "$kver" ] || { echo "uefi_http_boot: --kver is required" >&2; exit 2; }
logs=$top/build/vm/$kver
mkdir -p "$logs"
work=$(mktemp -d)
client_pid=
trap '[ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null; rm -rf "$work"' EXIT

CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
MAC=52:54:00:b0:07:61
MARKER=BOOTSAN-UEFI-HTTP-OK
for f in "$CODE" "$VARS" /usr/lib/ipxe/ipxe.efi /usr/sbin/dnsmasq; do
	[ -e "$f" ] || { echo "not ok 1 UEFI HTTP Boot # $f missing (scripts/setup-deps)"; exit 1; }
done

cd "$top" || exit 2
make -s -C "$top/daemon" bootsand >"$work/build.log" 2>&1 || {
	tail -n 20 "$work/build.log" >&2
	echo "not ok 1 UEFI HTTP Boot # bootsand does not build"
	exit 1
}
# bootsand and dnsmasq in the SAN VM; the iPXE binary as Debian installs
# it (its ipxe.efi is a symlink into /boot: the file itself goes in).
"$top/scripts/vm/mkinitramfs" --kver "$kver" --out "$work/san.img" --kmod e1000 \
	--bin daemon/bootsand --bin /usr/sbin/dnsmasq --bin /usr/bin/curl \
	--file scripts/vm/san-lib.sh:/san-lib.sh \
	--file "$(readlink -f /usr/lib/ipxe/ipxe.efi):/usr/lib/ipxe/ipxe.efi" \
	>"$work/mkinitramfs.log" 2>&1 || {
	tail -n 20 "$work/mkinitramfs.log" >&2
	echo "not ok 1 UEFI HTTP Boot # the SAN VM's initramfs"
	exit 1
}

cat >"$work/san.sh" <<SAN
set -e
. /san-lib.sh
san_link 198.18.0.1/24
san_bootsand --log-level debug
mkdir -p /var/lib/bootsand/assets
printf '#!ipxe\necho $MARKER platform=\${platform} buildarch=\${buildarch}\nsleep 600\n' \\
	>/var/lib/bootsand/assets/uefi-ok.ipxe
# Each answer on a line of its own on the console.
api POST /profiles '{"name": "uefi-ok", "kind": "chain",
	"url": "http://198.18.0.1:8080/assets/uefi-ok.ipxe"}'
echo
api POST /clients '{"name": "uefi42", "mac": ["$MAC"], "profile": "uefi-ok"}'
echo
# Full DHCP on the link, no TFTP: UEFI HTTP Boot needs none.
api PUT /dhcp '{"mode": "full", "interface": "eth0", "server_address": "198.18.0.1",
	"range_start": "198.18.0.100", "range_end": "198.18.0.150",
	"netmask": "255.255.255.0", "tftp": false}'
echo
for i in \$(seq 50); do
	api GET /dhcp/status | grep -q '"running": *true' && break
	sleep 0.2
done
echo "== dhcp: \$(api GET /dhcp/status)"
echo BOOTSAN-SAN-READY
# Serve until the client fetched the script its profile chains to.
for i in \$(seq 600); do
	grep -q 'GET /assets/uefi-ok.ipxe 200' /tmp/bootsand.log && break
	sleep 1
done
sleep 2
grep -E 'dnsmasq|DHCP|GET /ipxe/|boot.ipxe|/boot/ipxe|uefi-ok' /tmp/bootsand.log | head -n 60
grep -q 'GET /ipxe/ipxe.efi 200' /tmp/bootsand.log
grep -q 'GET /assets/uefi-ok.ipxe 200' /tmp/bootsand.log
SAN

port=$("$top/scripts/vm/free-port")
start=$(date +%s)
"$top/scripts/vm/run" --kver "$kver" --initrd "$work/san.img" --timeout 540 --quiet \
	--log "$logs/uefi-san.log" --link "listen:$port" --mac 52:54:00:b0:07:01 \
	--add "$work/san.sh:/san.sh" -- sh /san.sh &
san=$!

# The client: OVMF, virtio NIC without option ROM, PXE off, network first.
cp "$VARS" "$work/vars.fd"
for _ in $(seq 600); do
	[ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ] && break
	sleep 0.2
done
clog=$logs/uefi-client.log
raw=$work/client-serial.log
: >"$raw"
timeout -k 5 480 qemu-system-x86_64 -accel tcg -machine q35 -m 1024 -smp 1 \
	-display none -serial "file:$raw" -monitor none -nic none -no-reboot \
	-drive if=pflash,format=raw,readonly=on,file="$CODE" \
	-drive if=pflash,format=raw,file="$work/vars.fd" \
	-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=n \
	-fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=n \
	-netdev "socket,id=n0,connect=127.0.0.1:$port" \
	-device "virtio-net-pci,netdev=n0,mac=$MAC,romfile=,bootindex=1" \
	</dev/null >"$work/qemu.log" 2>&1 &
client_pid=$!
client=1
for _ in $(seq 480); do
	if grep -qa "$MARKER platform=" "$raw"; then
		client=0
		break
	fi
	kill -0 "$client_pid" 2>/dev/null || break
	if ! kill -0 "$san" 2>/dev/null; then
		# The SAN VM is done (2 s after serving the script) or gave up.
		# Under load the client's echo can come later than that: seen
		# once, the marker on the console and the test failed.
		sleep 5
		grep -qa "$MARKER platform=" "$raw" && client=0
		break
	fi
	sleep 1
done
# timeout(1) passes the TERM on to its qemu.
kill "$client_pid" 2>/dev/null
wait "$client_pid" 2>/dev/null
client_pid=
sed 's/\r//g; s/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' "$raw" >"$clog"
cat "$work/qemu.log" >>"$clog"
wait $san
san_rc=$?
took=$(($(date +%s) - start))
line=$(grep -a -o "$MARKER platform=[a-z]* buildarch=[a-z0-9_]*" "$clog" | head -n 1)
echo "# client: $line (${took} s)"
if [ $client = 0 ] && [ $san_rc = 0 ] && [ "$line" = "$MARKER platform=efi buildarch=x86_64" ]; then
	echo "ok 1 UEFI HTTP Boot: OVMF fetches ipxe.efi from bootsand (DHCP by bootsand's dnsmasq, no TFTP), iPXE runs the machine's script"
else
	echo "# client $client (console $clog), SAN VM $san_rc (console $logs/uefi-san.log)"
	grep -a -i -E 'http|boot|dhcp|ipxe|error|fail' "$clog" | tail -n 12 | sed 's/^/# /'
	tail -n 30 "$logs/uefi-san.log" | sed 's/^/# san: /'
	echo "not ok 1 UEFI HTTP Boot: OVMF fetches ipxe.efi from bootsand, iPXE runs the machine's script"
	exit 1
fi
