#!/bin/bash
# Host tests of scripts/efi-disk, without a VM (the VM test is
# selftests/uefi_sanboot.sh). TAP.
#   - marker-efi makes a PE32+ EFI application whose one section holds the
#     text, and refuses text it cannot hold;
#   - disk lays out GPT with an EFI system partition holding the loader as
#     \EFI\BOOT\BOOTX64.EFI and further files at nested paths, and with
#     --root-text an ext4 root partition (label root) with that text;
#   - bad options are refused with status 2 and a message.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MTOOLS_SKIP_CHECK=1
# check NAME COMMAND...: one TAP line (the selftests' own helper).
. "$here/../../selftests/lib.sh"

# refused CMD...: exits 2 with a message on stderr.
refused() {
	local rc
	"$@" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] && [ -s "$tmp/err" ] || { echo "status $rc, stderr: $(cat "$tmp/err")"; return 1; }
}

marker_app() {
	"$here/marker-efi" --text HELLO-EFI --out "$tmp/m.efi" || return 1
	objdump -p "$tmp/m.efi" | grep -q "Magic.*020b" || { echo "not PE32+"; return 1; }
	objdump -p "$tmp/m.efi" | grep -q "Subsystem.*EFI application" || { echo "not an EFI application"; return 1; }
	objdump -h "$tmp/m.efi" | grep -q " \.text " || { echo "no .text"; return 1; }
	grep -aq HELLO-EFI "$tmp/m.efi" || { echo "no text"; return 1; }
}
check "marker-efi makes an EFI application holding its text" marker_app
check "marker-efi refuses text longer than its section" \
	refused "$here/marker-efi" --text "$(printf '%0479d' 0)" --out "$tmp/x.efi"
check "marker-efi refuses text that is not printable ASCII" \
	refused "$here/marker-efi" --text "$(printf 'a\tb')" --out "$tmp/x.efi"

esp_disk() {
	echo "default root.conf" >"$tmp/loader.conf"
	"$here/disk" --out "$tmp/d.img" --loader "$tmp/m.efi" \
		--file "$tmp/loader.conf:/loader/loader.conf" \
		--file "$tmp/loader.conf:/loader/entries/root.conf" || return 1
	sfdisk -d "$tmp/d.img" >"$tmp/layout" || return 1
	grep -q "^label: gpt" "$tmp/layout" || { cat "$tmp/layout"; return 1; }
	grep -q "img1 : start= *2048,.*type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B" "$tmp/layout" ||
		{ cat "$tmp/layout"; return 1; }
	[ "$(grep -c 'img[0-9] :' "$tmp/layout")" = 1 ] || { cat "$tmp/layout"; return 1; }
	mcopy -i "$tmp/d.img@@1M" ::/EFI/BOOT/BOOTX64.EFI "$tmp/back.efi" &&
		cmp "$tmp/m.efi" "$tmp/back.efi" || return 1
	mcopy -i "$tmp/d.img@@1M" ::/loader/entries/root.conf "$tmp/back.conf" &&
		cmp "$tmp/loader.conf" "$tmp/back.conf" || return 1
	minfo -i "$tmp/d.img@@1M" :: | grep -q "BOOTSAN-ESP" || { echo "no label"; return 1; }
}
check "disk: GPT, one ESP with the loader at the removable path and nested files" esp_disk

root_disk() {
	"$here/disk" --out "$tmp/r.img" --loader "$tmp/m.efi" --root-text ROOT-TEXT-42 \
		--root-mb 8 || return 1
	sfdisk -d "$tmp/r.img" >"$tmp/layout" || return 1
	grep -q "img2 : .*size= *16384, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4" "$tmp/layout" ||
		{ cat "$tmp/layout"; return 1; }
	start=$(sed -n 's/.*img2 : start= *\([0-9]*\),.*/\1/p' "$tmp/layout")
	dd if="$tmp/r.img" of="$tmp/root.fs" bs=512 skip="$start" count=16384 status=none
	[ "$(debugfs -R 'cat /etc/bootsan-root' "$tmp/root.fs" 2>/dev/null)" = ROOT-TEXT-42 ] ||
		{ echo "no root text"; return 1; }
	[ "$(blkid -o value -s LABEL "$tmp/root.fs")" = root ] || { echo "no label root"; return 1; }
}
check "disk --root-text: an ext4 root partition after the ESP holding the text" root_disk
check "disk refuses a missing loader" refused "$here/disk" --out "$tmp/x.img" --loader "$tmp/none.efi"
check "disk refuses a missing --file source" \
	refused "$here/disk" --out "$tmp/x.img" --loader "$tmp/m.efi" --file "$tmp/none:/x"
check "disk refuses a size too small" refused "$here/disk" --out "$tmp/x.img" --loader "$tmp/m.efi" --size-mb 3
check "disk refuses an unknown option" refused "$here/disk" --bogus

echo "1..$tap_n"
exit $tap_failed
