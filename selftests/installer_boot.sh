#!/bin/bash
# Debian's installer boots over HTTP from bootsand with a preseed bootsand
# serves. Runs on the host: a SAN VM runs bootsand (the installer's linux
# and initrd.gz from Debian's debian-installer-12-netboot-amd64 as its
# assets, a linux profile with a preseed) and dnsmasq on a private link; a
# diskless client VM with Debian's iPXE ROM gets the boot script, iPXE
# boots the installer, and the installer fetches its preseed from the
# url= its script gave it and runs the preseed's early_command, which
# prints a marker on the serial console and powers the client off (qemu
# ends there; vm/run looks for the marker then). Passes when the client prints
# the marker and bootsand logged the fetch and put it in the client's
# boot history.
#
# With --iso, the seed's other installer path instead: a small ISO (built
# here with xorriso and ISOLINUX, which print a marker on the serial
# port) booted over HTTP through `memdisk iso raw` from an iso profile;
# memdisk (package syslinux-common) is served as the asset "memdisk".
#
#   selftests/installer_boot.sh --kver K [--iso]
#
# DHCP gives the boot script's URL to iPXE only (user class iPXE): the
# installer takes an http:// boot file name from DHCP for a preseed URL
# and would fetch the iPXE script as its preseed. Addresses are from
# 198.18.0.0/24 (reserved for testing) on the VMs' own link.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
kver= iso=0
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--iso) iso=1; shift ;;
	*) echo "installer_boot: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[ -n "$kver" ] || { echo "installer_boot: --kver K" >&2; exit 2; }
di=/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64
for f in "$di/linux" "$di/initrd.gz" /usr/sbin/dnsmasq /usr/lib/syslinux/memdisk \
	/usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32; do
	[ -e "$f" ] || { echo "installer_boot: $f is missing (scripts/setup-deps)" >&2; exit 1; }
done
logs=$top/build/vm/$kver
mkdir -p "$logs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
MARKER=BOOTSAN-PRESEED-EARLY-COMMAND
MAC=52:54:00:b0:07:51
suffix=
[ $iso = 0 ] || suffix=-iso

cd "$top" || exit 1
make -s "build/$kver/kmod/bootsan.ko" daemon >"$work/build.log" 2>&1 || {
	tail -n 30 "$work/build.log" >&2
	exit 1
}
scripts/vm/mkinitramfs --kver "$kver" --out "$work/san.img" \
	--ko "build/$kver/kmod/bootsan.ko" --kmod e1000 \
	--bin daemon/bootsand --bin /usr/bin/curl --bin /usr/sbin/dnsmasq \
	--file scripts/vm/san-lib.sh:/san-lib.sh >"$work/mk.log" 2>&1 || {
	cat "$work/mk.log" >&2
	exit 1
}

# The preseed: only what proves the installer read it. The marker is
# written split in two so that the preseed's own text, if it were ever
# echoed, is not taken for the command having run.
python3 - "$work/profile.json" "$MARKER" <<'PY'
import json, sys
path, marker = sys.argv[1], sys.argv[2]
half = len(marker) // 2
preseed = ("# bootsan installer_boot.sh\n"
           "d-i debian-installer/locale string en_US\n"
           "d-i keyboard-configuration/xkb-keymap select us\n"
           f"d-i preseed/early_command string echo {marker[:half]}\"\"{marker[half:]} >/dev/ttyS0;"
           " sleep 1; echo o >/proc/sysrq-trigger\n")
json.dump({"name": "installer", "kind": "linux", "title": "Debian 12 installer",
           "kernel": "debian/12/linux", "initrds": ["debian/12/initrd.gz"],
           "args": "console=ttyS0", "preseed": preseed}, open(path, "w"))
PY
# The --iso variant: an ISO whose ISOLINUX prints the marker on COM1.
ISO_MARKER=BOOTSAN-ISO-BOOTED-BY-MEMDISK
mkdir -p "$work/iso/isolinux"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/{ldlinux,libcom32,poweroff}.c32 \
	"$work/iso/isolinux/"
# poweroff.c32 (APM) ends qemu: vm/run looks for the marker then.
printf '%s\n' "SERIAL 0 115200" "SAY $ISO_MARKER" "DEFAULT off" "PROMPT 0" \
	"LABEL off" "  COM32 poweroff.c32" >"$work/iso/isolinux/isolinux.cfg"
xorriso -as mkisofs -quiet -o "$work/test.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
	-no-emul-boot -boot-load-size 4 -boot-info-table "$work/iso" 2>"$work/xorriso.log" || exit 1
printf '%s' '{"name": "iso", "kind": "iso", "image": "iso/test.iso", "memdisk": true}' \
	>"$work/iso-profile.json"
PROFILE=installer
if [ $iso = 1 ]; then
	MARKER=$ISO_MARKER
	PROFILE=iso
	cp "$work/iso-profile.json" "$work/profile.json"
fi
cat >"$work/dnsmasq.conf" <<'DNSMASQ'
interface=eth0
bind-interfaces
port=0
user=root
dhcp-range=198.18.0.100,198.18.0.150,255.255.255.0,10m
# The installer asks for name servers when DHCP gives none: this one
# (nothing answers DNS here; the preseed URL is an address).
dhcp-option=option:dns-server,198.18.0.1
dhcp-userclass=set:ipxe,iPXE
dhcp-boot=tag:ipxe,http://198.18.0.1:8080/boot.ipxe
dhcp-leasefile=/tmp/dnsmasq.leases
pid-file=/tmp/dnsmasq.pid
log-dhcp
DNSMASQ
cat >"$work/san.sh" <<SAN
set -e
. /san-lib.sh
modprobe bootsan
san_link 198.18.0.1/24
# dnsmasq runs as root and looks the user up.
grep -q '^root:' /etc/passwd 2>/dev/null || echo 'root:x:0:0:root:/root:/bin/sh' >>/etc/passwd
grep -q '^root:' /etc/group 2>/dev/null || echo 'root:x:0:' >>/etc/group
san_bootsand --log-level info
mkdir -p /var/lib/bootsand/assets/debian/12 /var/lib/bootsand/assets/iso
if [ $iso = 1 ]; then
	mv /memdisk /var/lib/bootsand/assets/memdisk
	mv /test.iso /var/lib/bootsand/assets/iso/test.iso
else
	mv /linux /initrd.gz /var/lib/bootsand/assets/debian/12/
fi
echo "== profile: \$(api POST /profiles @/profile.json | head -c 200)"
echo "== client: \$(api POST /clients '{"name": "pc51", "mac": ["$MAC"], "profile": "$PROFILE"}')"
dnsmasq --conf-file=/dnsmasq.conf --log-facility=/tmp/dnsmasq.log
echo "== DHCP up; waiting for the client"
if [ $iso = 1 ]; then
	for i in \$(seq 400); do
		api GET /clients/pc51 | grep -q '"served": *"ipxe: profile iso' && break
		sleep 1
	done
	echo "== history: \$(api GET /clients/pc51 | grep -o '"served": *"[^"]*"' | tr '\n' ' ')"
	api GET /clients/pc51 | grep -q '"served": *"ipxe: profile iso' ||
		{ echo "the client never got the iso profile's script"; exit 1; }
	# memdisk and the ISO are fetched after the script: give them time.
	sleep 40
	echo "== SAN done"
	exit 0
fi
for i in \$(seq 400); do
	grep -q "preseed of profile installer" /tmp/bootsand.log && break
	sleep 1
done
grep "boot script\|preseed of" /tmp/bootsand.log | sed 's/^/== log: /'
echo "== history: \$(api GET /clients/pc51 | grep -o '"served": *"[^"]*"' | tr '\n' ' ')"
grep -q "preseed of profile installer for .* (client pc51)" /tmp/bootsand.log ||
	{ echo "no preseed fetch in bootsand's log"; tail -n 20 /tmp/dnsmasq.log; exit 1; }
api GET /clients/pc51 | grep -q '"served": *"preseed: profile installer"' ||
	{ echo "the fetch is not in the client's boot history"; exit 1; }
# The client prints the marker right after the fetch: give it time.
sleep 20
echo "== SAN done"
SAN

# Only what this variant serves goes into the SAN VM.
if [ $iso = 1 ]; then
	files=(--add /usr/lib/syslinux/memdisk:/memdisk --add "$work/test.iso:/test.iso")
else
	files=(--add "$di/linux:/linux" --add "$di/initrd.gz:/initrd.gz")
fi
port=$(scripts/vm/free-port)
start=$(date +%s)
scripts/vm/run --kver "$kver" --initrd "$work/san.img" --timeout 500 --quiet \
	--log "$logs/installer-san$suffix.log" --link "listen:$port" --mac 52:54:00:b0:07:50 \
	"${files[@]}" \
	--add "$work/profile.json:/profile.json" --add "$work/dnsmasq.conf:/dnsmasq.conf" \
	--add "$work/san.sh:/san.sh" -- sh /san.sh &
san=$!
sleep 2
scripts/vm/run --ipxe --timeout 480 --mem 1024 --quiet --log "$logs/installer-client$suffix.log" \
	--link "connect:$port" --mac "$MAC" --expect "$MARKER"
client=$?
wait $san
san_rc=$?
echo "# $(( $(date +%s) - start )) s"
if [ $client = 0 ] && [ $san_rc = 0 ]; then
	[ $iso = 1 ] && echo "ok 1 an ISO boots over HTTP from bootsand through memdisk" ||
		echo "ok 1 Debian's installer boots over HTTP from bootsand and runs its preseed"
else
	echo "# client $client (console $logs/installer-client$suffix.log), SAN VM $san_rc (console $logs/installer-san$suffix.log)"
	grep -a '^== \|no preseed\|not in the\|never got' "$logs/installer-san$suffix.log" | tail -n 12 | sed 's/^/# /'
	grep -a -E 'http|preseed|Could not|error' "$logs/installer-client$suffix.log" | tail -n 8 | sed 's/^/# /'
	[ $iso = 1 ] && echo "not ok 1 an ISO boots over HTTP from bootsand through memdisk" ||
		echo "not ok 1 Debian's installer boots over HTTP from bootsand and runs its preseed"
	exit 1
fi
