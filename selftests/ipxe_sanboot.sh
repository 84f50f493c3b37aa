#!/bin/bash
# A real iPXE client sanboots from bootsan. Runs on the host: it starts the
# SAN VM (bootsan.ko, busybox udhcpd and httpd on a private link) and a
# diskless client VM with Debian's iPXE ROM. DHCP points the client at a
# boot script on the SAN VM; the script sanboots LUN 0, whose first sector
# is a tiny boot program that prints a marker on the serial port and ends
# qemu. Once without authentication and once with one-way and mutual CHAP.
#
#   selftests/ipxe_sanboot.sh --kver K --initrd IMG [--auth none|chap|mutual]
#                             [--disk FILE --expect TEXT]
#
# --disk sanboots another image (e.g. the demo's golden image) and waits for
# TEXT on the client's console instead of the boot sector's marker.
#
# The SAN VM needs e1000, bsnl and bootsan.ko in its initramfs. Addresses
# are from 198.18.0.0/24 (reserved for testing) on the VMs' own link.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
kver= initrd= auth=none disk= expect=
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--auth) auth=$2; shift 2 ;;
	--disk) disk=$2; shift 2 ;;
	--expect) expect=$2; shift 2 ;;
	*) echo "ipxe_sanboot: unknown option '$1'" >&2; exit 2 ;;
	esac
done
logs=$top/build/vm/$kver
mkdir -p "$logs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

T=iqn.2024-01.org.bootsan.test:pc42
I=iqn.2010-04.org.ipxe:pc42
MARKER=BOOTSAN-SANBOOT-OK

# The boot sector (16-bit real mode, loaded at 0:7c00):
#   cld; xor ax,ax; mov ds,ax; sti
#   mov ah,0x86; mov cx,0x000f; mov dx,0x4240; int 0x15  (wait 1 s)
#   mov si,msg; mov dx,0x3f8
#   next: lodsb; test al,al; jz done; out dx,al; jmp next
#   done: mov dx,0xf4; mov al,0x10; out dx,al  (isa-debug-exit: qemu exits 33)
#   hlt; jmp $-1
python3 - "$work/disk.img" "$MARKER" <<'PY'
import sys
path, marker = sys.argv[1], sys.argv[2]
code = bytes.fromhex("fc31c08ed8fb" "b486b90f00ba4042cd15" "be277c" "baf803"
                     "ac84c07403eeebf8" "baf400b010eef4ebfd")
assert len(code) == 0x27
sector = code + ("\r\n" + marker + "\r\n").encode() + b"\0"
sector = sector.ljust(510, b"\0") + b"\x55\xaa"
with open(path, "wb") as f:
    f.write(sector)
    f.truncate(8 << 20)
PY
# Seconds without reads after which the SAN VM stops serving: a boot
# sector needs nothing more; a whole system pauses between its loads.
idle=3
if [ -n "$disk" ]; then
	cp --sparse=always "$disk" "$work/disk.img"
	MARKER=$expect
	idle=20
fi

case $auth in
none)	target_opts=""
	creds="" ;;
chap)	target_opts="auth chap chap pc42 pc42-secret-123"
	creds="set username pc42
set password pc42-secret-123" ;;
mutual)	target_opts="auth mutual-chap chap pc42 pc42-secret-123 mutual san san-secret-4567"
	creds="set username pc42
set password pc42-secret-123
set reverse-username san
set reverse-password san-secret-4567" ;;
*)	echo "ipxe_sanboot: --auth takes none, chap or mutual" >&2; exit 2 ;;
esac

printf '#!ipxe\nset initiator-iqn %s\n%s\nsanboot iscsi:198.18.0.1::::%s\n' \
	"$I" "$creds" "$T" >"$work/boot.ipxe"
printf '%s\n' "start 198.18.0.100" "end 198.18.0.150" "interface eth0" \
	"boot_file http://198.18.0.1/boot.ipxe" "option subnet 255.255.255.0" \
	"option lease 600" "lease_file /tmp/udhcpd.leases" >"$work/udhcpd.conf"
cat >"$work/san.sh" <<SAN
set -e
modprobe bootsan
modprobe e1000
ip addr add 198.18.0.1/24 dev eth0
ip link set eth0 up
cd /bootsan/selftests
./bsnl portal-new 0.0.0.0 3260
./bsnl target-new $T $target_opts
./bsnl lun-new $T 0 /disk.img
./bsnl acl-new $T $I
touch /tmp/udhcpd.leases
udhcpd /udhcpd.conf
mkdir -p /www && cp /boot.ipxe /www/
httpd -p 80 -h /www
echo BOOTSAN-SAN-READY
# Serve until the client has read from its disk and then stopped reading
# for $idle seconds: it runs from memory now (or has ended).
last=0
quiet=0
for i in \$(seq 420); do
	reads=\$(./bsnl stats | sed -n 's/.*read_cmds=\([0-9]*\).*/\1/p')
	if [ "\${reads:-0}" -gt 0 ] && [ "\$reads" = "\$last" ]; then
		quiet=\$((quiet + 1))
		if [ \$quiet -ge $idle ]; then
			./bsnl sessions
			exit 0
		fi
	else
		quiet=0
	fi
	last=\${reads:-0}
	sleep 1
done
echo "the client never read from its disk, or never stopped"
exit 1
SAN

port=$("$top/scripts/vm/free-port")
"$top/scripts/vm/run" --kver "$kver" --initrd "$initrd" --timeout 420 --quiet \
	--log "$logs/ipxe-san-$auth.log" --link "listen:$port" --mac 52:54:00:b0:07:01 \
	--add "$work/disk.img:/disk.img" --add "$work/boot.ipxe:/boot.ipxe" \
	--add "$work/udhcpd.conf:/udhcpd.conf" --add "$work/san.sh:/san.sh" -- sh /san.sh &
san=$!
# The client connects to the SAN VM's end of the link right away: a link
# joined only after the SAN VM has brought its interface up was seen to
# carry no DHCP replies. iPXE retries DHCP long enough for the SAN VM.
sleep 2
"$top/scripts/vm/run" --ipxe --timeout 420 --quiet --log "$logs/ipxe-client-$auth.log" \
	--link "connect:$port" --mac 52:54:00:b0:07:02 --expect "$MARKER"
client=$?
wait $san
san_rc=$?
if [ $client = 0 ] && [ $san_rc = 0 ]; then
	echo "ok 1 iPXE sanboots from bootsan (auth: $auth)"
else
	echo "# client $client (console $logs/ipxe-client-$auth.log), SAN VM $san_rc (console $logs/ipxe-san-$auth.log)"
	grep -a -E 'iscsi|iSCSI|sanboot|Could not|http' "$logs/ipxe-client-$auth.log" |
		tail -n 8 | sed 's/^/# /'
	echo "not ok 1 iPXE sanboots from bootsan (auth: $auth)"
	exit 1
fi
