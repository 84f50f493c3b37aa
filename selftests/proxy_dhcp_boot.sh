#!/bin/bash
# Network boot next to a DHCP server that is not ours (ProxyDHCP), with
# real firmware. Runs on the host, three VMs on one virtual link:
#
#   site VM    the site's network: a switch (a Linux bridge between its two
#              NICs) and its DHCP server (busybox udhcpd), which hands out
#              addresses from 198.18.0.200-220 and no boot information;
#   SAN VM     bootsan.ko and bootsand; its DHCP is set over the REST API
#              to proxy mode, so the dnsmasq bootsand runs adds only the
#              boot information (ProxyDHCP, ports 67 and 4011);
#   client VM  diskless. --firmware bios: SeaBIOS and the NIC's iPXE ROM
#              (Debian's ipxe-qemu); its address comes from the site's
#              offer, its boot file from bootsand's proxy: a one-item PXE
#              menu, then bootsand's boot server (port 4011) names
#              /boot.ipxe; bootsand gives the registered client its sanboot
#              profile, and the first sector of its disk prints a marker on
#              the serial port and ends qemu. --firmware uefi: Debian's
#              OVMF, a virtio NIC without option ROM, so the firmware's own
#              PXE runs; the proxy's offer names snponly.efi, fetched by
#              TFTP from bootsand's dnsmasq (the iPXE binaries only); that
#              iPXE asks DHCP again, gets /boot.ipxe from the proxy, and
#              runs the script its profile chains to, which prints a marker
#              with ${platform} (Debian's iPXE cannot sanboot under UEFI).
#
#   selftests/proxy_dhcp_boot.sh --kver K [--firmware bios|uefi]
#
# Asserted: the client's address is from the site's range (its console and
# the site's lease table); bootsand's dnsmasq answered it as a proxy; what
# it gave (the boot server's answer for BIOS, snponly.efi by TFTP for UEFI,
# its log and the client's console); bootsand served it its profile (the
# client's console and its boot history); it reached its marker. 65 s
# (load 5) to 2 min (load 8) each in TCG here. Addresses are from
# 198.18.0.0/24 (reserved for testing) on the VMs' own link, TCP sockets
# on 127.0.0.1.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
kver= firmware=bios
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--firmware) firmware=$2; shift 2 ;;
	*) echo "proxy_dhcp_boot: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[ -n "$kver" ] || { echo "proxy_dhcp_boot: --kver is required" >&2; exit 2; }
CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
case $firmware in
bios)	MAC=52:54:00:b0:07:44 NAME=pc44
	MARKER=BOOTSAN-PROXY-SANBOOT-$RANDOM$RANDOM
	what="a BIOS iPXE client boots through ProxyDHCP: address from the site's DHCP VM, script from bootsand, sanboot" ;;
uefi)	MAC=52:54:00:b0:07:45 NAME=pc45
	MARKER=BOOTSAN-PROXY-UEFI-$RANDOM$RANDOM
	what="a UEFI PXE client boots through ProxyDHCP: address from the site's DHCP VM, snponly.efi by TFTP, script from bootsand" ;;
*)	echo "proxy_dhcp_boot: --firmware takes bios or uefi" >&2; exit 2 ;;
esac
logs=$top/build/vm/$kver
mkdir -p "$logs"
work=$(mktemp -d)
site= san=
# The site VM serves until the end; it and the SAN VM run in sessions of
# their own (setsid), ended here as a whole by session (timeout(1) puts
# itself and qemu in a process group of their own, not a session).
client_pid=
trap 'for g in $site $san; do pkill -TERM -s "$g"; done
	[ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null; rm -rf "$work"' EXIT
cd "$top" || exit 2
start=$(date +%s)
fail() {
	echo "# $*"
	echo "not ok 1 $what"
	exit 1
}

for f in "$CODE" "$VARS" /usr/lib/ipxe/snponly.efi /usr/sbin/dnsmasq; do
	[ -e "$f" ] || fail "$f missing (scripts/setup-deps)"
done
[ -f "build/$kver/kmod/bootsan.ko" ] || fail "build/$kver/kmod/bootsan.ko is not built"
[ -x build/selftests/bsnl ] || make -s selftests >"$work/build.log" 2>&1 || fail "bsnl does not build"
make -s -C daemon bootsand >"$work/build.log" 2>&1 || {
	tail -n 20 "$work/build.log" | sed 's/^/# /'
	fail "bootsand does not build"
}

# The client's disk: a boot sector that prints the marker on COM1 and
# ends qemu through isa-debug-exit (as in ipxe_sanboot.sh).
python3 - "$work/disk.img" "$MARKER" <<'PY'
import sys
path, marker = sys.argv[1], sys.argv[2]
code = bytes.fromhex("fc31c08ed8fb" "b486b90f00ba4042cd15" "be277c" "baf803"
                     "ac84c07403eeebf8" "baf400b010eef4ebfd")
sector = code + ("\r\n" + marker + "\r\n").encode() + b"\0"
sector = sector.ljust(510, b"\0") + b"\x55\xaa"
with open(path, "wb") as f:
    f.write(sector)
    f.truncate(8 << 20)
PY

# One image for the site VM and the SAN VM. The iPXE binaries as Debian
# installs them (bootsand copies them into its TFTP folder).
ipxe_files=()
for f in ipxe.efi snponly.efi undionly.kpxe; do
	ipxe_files+=(--file "$(readlink -f "/usr/lib/ipxe/$f"):/usr/lib/ipxe/$f")
done
scripts/vm/mkinitramfs --kver "$kver" --out "$work/vm.img" \
	--ko "build/$kver/kmod/bootsan.ko" --kmod e1000 --kmod bridge \
	--bin daemon/bootsand --bin build/selftests/bsnl --bin /usr/sbin/dnsmasq \
	--bin /usr/bin/curl --file scripts/vm/san-lib.sh:/san-lib.sh \
	"${ipxe_files[@]}" >"$work/mkinitramfs.log" 2>&1 || {
	tail -n 20 "$work/mkinitramfs.log" | sed 's/^/# /'
	fail "the VMs' initramfs"
}

# The site: a switch between its NICs, DHCP for addresses only (no
# boot_file, no siaddr, no options beyond the subnet and the lease).
cat >"$work/site.sh" <<SITE
set -e
modprobe e1000
modprobe bridge
# Without STP (a bridge's default) its ports forward at once.
brctl addbr br0
for i in eth0 eth1; do
	ip link set \$i up
	brctl addif br0 \$i
done
ip addr add 198.18.0.254/24 dev br0
ip link set br0 up
# auto_time: udhcpd writes its lease table every second for the check
# below. (Signalling it for that instead, SIGUSR1, restarts the 2 s ARP
# probe it makes before each offer: with a signal a second it never
# offered.)
printf '%s\n' "start 198.18.0.200" "end 198.18.0.220" "interface br0" \\
	"option subnet 255.255.255.0" "option lease 600" "auto_time 1" \\
	"lease_file /tmp/udhcpd.leases" >/tmp/udhcpd.conf
touch /tmp/udhcpd.leases
udhcpd -f /tmp/udhcpd.conf 2>&1 | sed 's/^/site-dhcp: /' &
echo BOOTSAN-SITE-READY
# Report the client's lease once, then serve until the host ends this VM.
seen=0
for i in \$(seq 600); do
	sleep 1
	if [ \$seen = 0 ] && dumpleases -f /tmp/udhcpd.leases | grep -qi "$MAC"; then
		echo "BOOTSAN-SITE-LEASE \$(dumpleases -f /tmp/udhcpd.leases | grep -i "$MAC" |
			awk '{ print \$1, \$2 }')"
		seen=1
	fi
done
SITE

cat >"$work/san.sh" <<SAN
set -e
. /san-lib.sh
modprobe bootsan
san_link 198.18.0.1/24
san_bootsand --log-level debug
if [ $firmware = bios ]; then
	# Its own disk, sanbooted.
	api POST /images "{\"name\": \"pc44\", \"size_bytes\": \$(stat -c %s /disk.img)}" >/dev/null
	cat /disk.img >/var/lib/bootsand/images/pc44.img
	api POST /profiles '{"name": "own-disk", "kind": "sanboot"}' >/dev/null
	echo "== client: \$(api POST /clients '{"name": "pc44", "mac": ["$MAC"], "profile": "own-disk", "image": "pc44"}')"
else
	# Debian's iPXE cannot sanboot under UEFI (doc/dhcp.md): a script
	# that prints the marker with iPXE's platform.
	mkdir -p /var/lib/bootsand/assets
	printf '#!ipxe\necho $MARKER platform=\${platform}\nsleep 600\n' \\
		>/var/lib/bootsand/assets/proxy-ok.ipxe
	api POST /profiles '{"name": "proxy-ok", "kind": "chain",
		"url": "http://198.18.0.1:8080/assets/proxy-ok.ipxe"}' >/dev/null
	echo "== client: \$(api POST /clients '{"name": "pc45", "mac": ["$MAC"], "profile": "proxy-ok"}')"
fi
# Proxy mode: the site's DHCP keeps the addresses, bootsand's dnsmasq adds
# the boot information for PXE clients on the site's subnet.
echo "== dhcp: \$(api PUT /dhcp '{"mode": "proxy", "interface": "eth0", "server_address": "198.18.0.1",
	"proxy_subnet": "198.18.0.0", "netmask": "255.255.255.0"}')"
for i in \$(seq 50); do
	api GET /dhcp/status | grep -q '"running": *true' && break
	sleep 0.2
done
echo "== dhcp status: \$(api GET /dhcp/status)"
echo BOOTSAN-SAN-READY
# Serve until the client has read from its disk and then stopped reading
# for 3 s: its boot sector runs (or has ended qemu); under UEFI until it
# fetched the script its profile chains to.
last=0
quiet=0
done=0
for i in \$(seq 400); do
	if [ $firmware = uefi ]; then
		if grep -q 'GET /assets/proxy-ok.ipxe 200' /tmp/bootsand.log; then
			done=1
			sleep 2
			break
		fi
		sleep 1
		continue
	fi
	reads=\$(bsnl stats | sed -n 's/.*read_cmds=\([0-9]*\).*/\1/p')
	if [ "\${reads:-0}" -gt 0 ] && [ "\$reads" = "\$last" ]; then
		quiet=\$((quiet + 1))
		[ \$quiet -ge 3 ] && { done=1; break; }
	else
		quiet=0
	fi
	last=\${reads:-0}
	sleep 1
done
# What bootsand's dnsmasq answered and what bootsand served, for the host.
grep -E 'PXE\(|proxy|dnsmasq-tftp' /tmp/bootsand.log | sed 's/^/bootsand: /'
echo "== boot history: \$(api GET /clients/$NAME/history | grep -o '"served": *"[^"]*"' | tr '\n' ' ')"
[ \$done = 1 ] || { echo "the client never read from its disk, or never stopped"; exit 1; }
SAN

lan=$(scripts/vm/free-port)
lan2=$lan
while [ "$lan2" = "$lan" ]; do
	lan2=$(scripts/vm/free-port)
done
site_log=$logs/proxy-site.log
san_log=$logs/proxy-san.log
client_log=$logs/proxy-client-$firmware.log
rm -f "$site_log" "$san_log" "$client_log"
setsid scripts/vm/run --kver "$kver" --initrd "$work/vm.img" --timeout 400 --quiet \
	--mem 512 --log "$site_log" --link "listen:$lan" --mac 52:54:00:b0:07:fe \
	--qemu-arg -netdev --qemu-arg "socket,id=lan2,listen=127.0.0.1:$lan2" \
	--qemu-arg -device --qemu-arg "e1000,netdev=lan2,mac=52:54:00:b0:07:fd" \
	--add "$work/site.sh:/site.sh" -- sh /site.sh </dev/null &
site=$!
setsid scripts/vm/run --kver "$kver" --initrd "$work/vm.img" --timeout 400 --quiet \
	--log "$san_log" --link "connect:$lan" --mac 52:54:00:b0:07:01 \
	--add "$work/disk.img:/disk.img" --add "$work/san.sh:/san.sh" -- sh /san.sh </dev/null &
san=$!
if [ $firmware = bios ]; then
	# Held powered off until the site and the SAN serve (vm/run
	# --hold-until); never powered on if either gave up.
	scripts/vm/run --ipxe --timeout 360 --quiet --log "$client_log" \
		--link "connect:$lan2" --mac "$MAC" --expect "$MARKER" \
		--hold-until "$san_log:BOOTSAN-SAN-READY" --hold-until "$site_log:BOOTSAN-SITE-READY" \
		--hold-pid $san --hold-pid $site
	client=$?
else
	# The client joins the link at once but is held (-S) until the site and
	# the SAN serve (as vm/run --hold-until does); it is ended if either
	# gave up.
	(
		go=quit
		for _ in $(seq 2000); do
			if grep -aq BOOTSAN-SAN-READY "$san_log" 2>/dev/null &&
				grep -aq BOOTSAN-SITE-READY "$site_log" 2>/dev/null && [ -S "$work/monitor" ]; then
				go=cont
				break
			fi
			kill -0 $san 2>/dev/null && kill -0 $site 2>/dev/null || break
			sleep 0.2
		done
		for _ in $(seq 50); do
			[ -S "$work/monitor" ] && break
			sleep 0.2
		done
		python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
time.sleep(1)' "$work/monitor" "$go"
	) &
	release=$!
	# OVMF's own PXE: a virtio NIC without option ROM, IPv6 PXE off.
	# OVMF does not retry the network once every boot option failed:
	# held (-S) until the site and the SAN serve.
	# qemu keeps a refused connection as a dead link: wait for the
	# site VM's qemu to listen (as scripts/vm/run does).
	for _ in $(seq 600); do
		[ -n "$(ss -Hltn "sport = :$lan2" 2>/dev/null)" ] && break
		sleep 0.2
	done
	cp "$VARS" "$work/vars.fd"
	raw=$work/client-serial.log
	: >"$raw"
	timeout -k 5 360 qemu-system-x86_64 -accel tcg -machine q35 -m 1024 -smp 1 \
		-display none -serial "file:$raw" -nic none -no-reboot -S \
		-monitor "unix:$work/monitor,server=on,wait=off" \
		-drive if=pflash,format=raw,readonly=on,file="$CODE" \
		-drive if=pflash,format=raw,file="$work/vars.fd" \
		-fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=n \
		-netdev "socket,id=n0,connect=127.0.0.1:$lan2" \
		-device "virtio-net-pci,netdev=n0,mac=$MAC,romfile=,bootindex=1" \
		</dev/null >"$work/qemu.log" 2>&1 &
	client_pid=$!
	client=1
	for _ in $(seq 360); do
		if grep -qa "$MARKER platform=" "$raw"; then
			client=0
			break
		fi
		kill -0 "$client_pid" 2>/dev/null || break
		kill -0 "$san" 2>/dev/null || break
		# Every network boot option failed: OVMF's shell.
		grep -qa "EFI Internal Shell" "$raw" && break
		sleep 1
	done
	# timeout(1) passes the TERM on to its qemu.
	kill "$client_pid" 2>/dev/null
	wait "$client_pid" 2>/dev/null
	sed 's/\r//g; s/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' "$raw" >"$client_log"
	cat "$work/qemu.log" >>"$client_log"
	kill $release 2>/dev/null
	wait $release 2>/dev/null
fi
# A client that failed leaves the SAN VM waiting for it: end it.
[ $client = 0 ] || pkill -TERM -s "$san"
wait $san
san_rc=$?
san=
pkill -TERM -s "$site"
wait "$site" 2>/dev/null
site=
took=$(($(date +%s) - start))

# The client's address, as iPXE printed it, and the site's lease for it.
addr=$(grep -a -o 'net0: 198\.18\.0\.[0-9]*' "$client_log" | tail -n 1 | sed 's/net0: //')
lease=$(grep -a -o "BOOTSAN-SITE-LEASE .*" "$site_log" | head -n 1)
echo "# client address $addr; site's lease: ${lease#BOOTSAN-SITE-LEASE }; ${took} s"
grep -a -E 'Filename|Next server|boot.ipxe|ProxyDHCP|PXE' "$client_log" | head -n 8 | sed 's/^/# client: /'
in_range=0
case $addr in 198.18.0.2[0-2][0-9]) [ "${addr##*.}" -le 220 ] && in_range=1 ;; esac
if [ $firmware = bios ]; then
	# iPXE (the NIC's ROM) got a boot menu and asked bootsand's boot
	# server (port 4011) for its item.
	grep -aq "bootsand: .*PXE(eth0) $addr $MAC http://198.18.0.1:8080/boot.ipxe" "$san_log" &&
		grep -aq '== boot history: .*"ipxe: profile own-disk (sanboot)"' "$san_log"
	own=$?
else
	# OVMF's PXE got snponly.efi from the proxy's offer (UEFI firmware
	# gets no menu) and by TFTP from bootsand's dnsmasq; that iPXE asked
	# DHCP again and ran the script of the machine's profile.
	grep -aq "Station IP address is $addr" "$client_log" &&
		grep -aq "NBP filename is snponly.efi" "$client_log" &&
		grep -aq "bootsand: .*dnsmasq-tftp.*sent /run/bootsand/tftp/snponly.efi to $addr" "$san_log" &&
		grep -aq "$MARKER platform=efi" "$client_log" &&
		grep -aq '== boot history: .*"ipxe: profile proxy-ok (chain)"' "$san_log"
	own=$?
fi
if [ $client = 0 ] && [ $san_rc = 0 ] && [ $in_range = 1 ] && [ $own = 0 ] &&
	[ "$lease" = "BOOTSAN-SITE-LEASE $MAC $addr" ] &&
	grep -aq "bootsand: .*PXE(eth0) $MAC proxy" "$san_log" &&
	grep -aq "^Filename: http://198.18.0.1:8080/boot.ipxe" "$client_log" &&
	grep -aq "http://198.18.0.1:8080/boot/ipxe... ok" "$client_log"; then
	echo "ok 1 $what"
	exit 0
fi
echo "# client $client (console $client_log), SAN VM $san_rc (console $san_log), site $site_log"
grep -a -i -E 'dhcp|proxy|http|iscsi|could not|error' "$client_log" | tail -n 12 | sed 's/^/# client: /'
tail -n 30 "$san_log" | sed 's/^/# san: /'
tail -n 10 "$site_log" | sed 's/^/# site: /'
echo "not ok 1 $what"
exit 1
