#!/bin/bash
# Linux with its root on its bootsan iSCSI disk, through the product's own
# path. Runs on the host: the SAN VM runs bootsan.ko and bootsand; through
# the REST API the test makes the client's disk (an ext4 root file system,
# scripts/iscsi-root/disk), a linux profile with "san_root": true and CHAP,
# with a Debian kernel and scripts/iscsi-root/initrd as its assets, and the
# client. Under SeaBIOS (--firmware bios) the client's NIC ROM is Debian's
# iPXE (ipxe-qemu) and busybox udhcpd points it at /boot.ipxe. Under OVMF
# (--firmware uefi) the NIC has no iPXE: the firmware's own UEFI HTTP Boot
# gets the URL of ipxe.efi from bootsand's dnsmasq (full mode, no TFTP, set
# through the REST API) and fetches Debian's ipxe.efi from bootsand's
# /ipxe/, which asks DHCP again and gets /boot.ipxe: what the product ships.
# Either iPXE fetches the client's script, sanhooks its disk (iPXE publishes
# the iBFT), boots the kernel over HTTP (the EFI stub finds its initrd by
# the initrd=<name> bootsand puts on its command line), and the initrd logs
# in again from the iBFT, mounts the root file system, prints the disk's
# marker and writes a file back.
#
#   selftests/iscsi_root.sh --kver K [--firmware bios|uefi] [--target lio]
#                           [--auth chap|none]
#
# Prints one TAP line, the client's times from power-on (qemu released) and
# from its last start of iPXE to each step and to root mounted (the host's
# clock as each step's line reaches the console; scripts/bench/boot reads
# them). --target lio serves the same disk, names and CHAP secrets
# from LIO instead (bootsand still serves the script and the kernel, its
# portal deleted): the same path with the reference target, to compare.
# Addresses are from 198.18.0.0/24 (reserved for testing) on the VMs' link.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
kver= firmware=bios target=bootsan auth=chap
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--firmware) firmware=$2; shift 2 ;;
	--target) target=$2; shift 2 ;;
	--auth) auth=$2; shift 2 ;;
	*) echo "iscsi_root: unknown option '$1'" >&2; exit 2 ;;
	esac
done
case $firmware in
bios) fw_opts=() ;;
uefi) fw_opts=(--uefi --http-boot) ;;
*) echo "iscsi_root: --firmware takes bios or uefi" >&2; exit 2 ;;
esac
[ -n "$kver" ] || { echo "iscsi_root: --kver is required" >&2; exit 2; }
case $auth in
chap|none) ;;
*) echo "iscsi_root: --auth takes chap or none" >&2; exit 2 ;;
esac
case $target in
bootsan) lio_mods=() ;;
lio) lio_mods=(--kmod configfs --kmod target_core_mod --kmod target_core_file
	       --kmod iscsi_target_mod --kmod crc32c_generic) ;;
*) echo "iscsi_root: --target takes bootsan or lio" >&2; exit 2 ;;
esac
cache=${BOOTSAN_KERNEL_CACHE:-/var/cache/bootsan/kernels}
kernel=$cache/$kver/boot/vmlinuz-$kver
logs=$top/build/vm/$kver
mkdir -p "$logs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$top"
start=$(date +%s)

MAC=52:54:00:b0:07:43
MARKER=BOOTSAN-ROOT-FS-$RANDOM$RANDOM
scripts/iscsi-root/disk --out "$work/disk.img" --text "$MARKER" || exit 1
scripts/iscsi-root/initrd --kver "$kver" --out "$work/initrd.gz" || exit 1
scripts/vm/mkinitramfs --kver "$kver" --out "$work/san.img" \
	--ko "build/$kver/kmod/bootsan.ko" --kmod e1000 "${lio_mods[@]}" \
	--bin daemon/bootsand --bin build/selftests/bsnl --bin /usr/bin/curl \
	--bin /usr/sbin/dnsmasq --file scripts/vm/san-lib.sh:/san-lib.sh \
	--file "$(readlink -f /usr/lib/ipxe/ipxe.efi):/usr/lib/ipxe/ipxe.efi" || exit 1

cat >"$work/san.sh" <<SAN
set -e
. /san-lib.sh
modprobe bootsan
san_link 198.18.0.1/24
san_bootsand --log-level info
mkdir -p /var/lib/bootsand/assets/root
cp /vmlinuz /initrd.gz /var/lib/bootsand/assets/root/
api POST /images "{\"name\": \"pc43\", \"size_bytes\": \$(stat -c %s /disk.img)}" >/dev/null
cat /disk.img >/var/lib/bootsand/images/pc43.img
echo "== profile: \$(api POST /profiles '{"name": "root-disk", "kind": "linux", "san_root": true,
	"chap": "$auth", "kernel": "root/vmlinuz",
	"initrds": [{"path": "root/initrd.gz", "name": "initrd.gz"}],
	"args": "console=ttyS0 quiet panic=-1 no_timer_check"}')"
echo "== client: \$(api POST /clients '{"name": "pc43", "mac": ["$MAC"], "profile": "root-disk", "image": "pc43"}')"
echo "== its target: \$(api GET /targets/iqn.2026-01.org.bootsan:pc43 | sed 's/"secret": *"[^"]*"/"secret": "..."/g')"
if [ $target = lio ]; then
	# The client's names and secrets, as its script hands them to iPXE.
	wget -q -O /tmp/script "http://127.0.0.1:8080/boot/ipxe?mac=$MAC&platform=pcbios"
	user=\$(sed -n 's/^set username //p' /tmp/script)
	secret=\$(sed -n 's/^set password //p' /tmp/script)
	init=\$(sed -n 's/^set initiator-iqn //p' /tmp/script)
	T=iqn.2026-01.org.bootsan:pc43
	api DELETE /portals/0.0.0.0:3260
	modprobe -a crc32c_generic target_core_mod target_core_file iscsi_target_mod
	mount -t configfs none /sys/kernel/config
	mkdir -p /var/target/pr
	echo 3 >/proc/sys/kernel/printk
	CFG=/sys/kernel/config/target
	bs=\$CFG/core/fileio_0/pc43
	mkdir -p \$bs
	echo "fd_dev_name=/var/lib/bootsand/images/pc43.img,fd_dev_size=\$(stat -c %s /disk.img),fd_buffered_io=1" >\$bs/control
	echo 1 >\$bs/enable
	echo 1 >\$bs/attrib/emulate_tpu
	echo 1 >\$bs/attrib/emulate_tpws
	tpg=\$CFG/iscsi/\$T/tpgt_1
	mkdir -p \$tpg/np/198.18.0.1:3260 \$tpg/lun/lun_0 \$tpg/acls/\$init/lun_0
	ln -s \$bs \$tpg/lun/lun_0/storage
	ln -s \$tpg/lun/lun_0 \$tpg/acls/\$init/lun_0/lun0
	if [ $auth = chap ]; then
		printf %s "\$user" >\$tpg/acls/\$init/auth/userid
		printf %s "\$secret" >\$tpg/acls/\$init/auth/password
		echo 1 >\$tpg/attrib/authentication
	else
		echo 0 >\$tpg/attrib/authentication
	fi
	echo 1 >\$tpg/enable
	echo "== LIO serves \$T to \$init, auth $auth"
fi
if [ $firmware = uefi ]; then
	# bootsand's own DHCP, full mode, no TFTP: HTTPClient gets ipxe.efi's
	# URL, iPXE the boot script's.
	api PUT /dhcp '{"mode": "full", "interface": "eth0", "server_address": "198.18.0.1",
		"range_start": "198.18.0.100", "range_end": "198.18.0.150",
		"netmask": "255.255.255.0", "tftp": false}' >/dev/null
	for i in \$(seq 50); do
		api GET /dhcp/status | grep -q '"running": *true' && break
		sleep 0.2
	done
	echo "== dhcp: \$(api GET /dhcp/status)"
else
	cat >/tmp/udhcpd.conf <<DHCP
start 198.18.0.100
end 198.18.0.150
interface eth0
boot_file http://198.18.0.1:8080/boot.ipxe
option subnet 255.255.255.0
option lease 600
lease_file /tmp/udhcpd.leases
DHCP
	touch /tmp/udhcpd.leases
	udhcpd /tmp/udhcpd.conf
fi
echo BOOTSAN-SAN-READY
# Serve until what the client writes once its root is mounted is in the
# disk's file (through either target's page cache), then 3 s more for its
# unmount.
written=0
for i in \$(seq 400); do
	if grep -aq BOOTSAN-ROOT-WRITTEN /var/lib/bootsand/images/pc43.img; then
		written=1
		sleep 3
		break
	fi
	sleep 1
done
echo "== sessions: \$(api GET /sessions)"
echo "== boot history: \$(api GET /clients/pc43/history | grep -o '"served": *"[^"]*"' | tr '\n' ' ')"
[ \$written = 1 ] || { echo "the client never wrote to its disk"; exit 1; }
SAN

port=$(scripts/vm/free-port)
san_log=$logs/iscsi-root-san-$firmware-$target-$auth.log
client_log=$logs/iscsi-root-client-$firmware-$target-$auth.log
scripts/vm/run --kver "$kver" --initrd "$work/san.img" --timeout 500 --quiet \
	--log "$san_log" --link "listen:$port" --mac 52:54:00:b0:07:01 \
	--add "$work/disk.img:/disk.img" --add "$kernel:/vmlinuz" \
	--add "$work/initrd.gz:/initrd.gz" --add "$work/san.sh:/san.sh" -- sh /san.sh &
san=$!
# The client is held powered off until the SAN VM serves (vm/run
# --hold-until: OVMF, unlike SeaBIOS, does not retry the network once
# every boot option failed). Its boot times below, from that power-on and
# from iPXE's last start (SeaBIOS may still retry) to root mounted, are
# the host's clock as the lines reach its console.
rm -f "$client_log"
scripts/vm/run --ipxe "${fw_opts[@]}" --timeout 600 --quiet --log "$client_log" \
	--link "connect:$port" --mac "$MAC" --expect "$MARKER" --stamps "$work/stamps" \
	--hold-until "$san_log:BOOTSAN-SAN-READY" --hold-pid $san --poweron "$work/poweron"
client=$?
wait $san
san_rc=$?
what="Linux mounts its root from its iSCSI disk ($firmware, $target, auth $auth, sanhook + iBFT)"
if [ $client = 0 ] && [ $san_rc = 0 ] && grep -aq "BOOTSAN-VM-EXIT=0" "$client_log"; then
	grep -a "BOOTSAN-ROOT:" "$client_log" | sed 's/^/# /'
	# On the way, from the console's time stamps: the script fetched, the
	# disk hooked, the kernel loaded, the initrd running and logging in,
	# each first seen after iPXE's last start ("pattern:label").
	[ -s "$work/stamps" ] && awk -v poweron="$(cat "$work/poweron" 2>/dev/null)" '
		BEGIN {
			n = split("boot.ipxe... ok:script|Registered SAN device:sanhook done|" \
				  "initrd.gz...:kernel and initrd loaded|Setting up software interface:initrd running|" \
				  "iscsistart: Logging into:initrd login|BOOTSAN-ROOT: mounted:root mounted", st, "|")
		}
		{ t[NR] = $1; sub(/^[^ ]* /, ""); line[NR] = $0 }
		/Open Source Network Boot Firmware/ { start = NR }
		END {
			if (!start)
				exit
			if (poweron != "")
				printf "# power-on to iPXE started: %.1f s\n", t[start] - poweron
			for (i = 1; i <= n; i++) {
				pat = st[i]; sub(/:[^:]*$/, "", pat)
				label = st[i]; sub(/.*:/, "", label)
				for (j = start; j <= NR; j++)
					if (index(line[j], pat)) {
						printf "# iPXE start to %s: %.1f s\n", label, t[j] - t[start]
						if (poweron != "")
							printf "# power-on to %s: %.1f s\n", label, t[j] - poweron
						break
					}
			}
		}' "$work/stamps"
	echo "# whole run $(( $(date +%s) - start )) s"
	echo "ok 1 $what"
	exit 0
fi
echo "# client $client (console $client_log), SAN VM $san_rc (console $san_log)"
grep -a -E 'BOOTSAN-ROOT|iscsi|iSCSI|sanhook|Could not|http|ibft' "$client_log" | tail -n 12 | sed 's/^/# /'
echo "not ok 1 $what"
exit 1
