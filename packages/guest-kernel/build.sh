#!/bin/sh
# Build the Guest kernel reproducibly.
#   ./build.sh            -> prebuilt/guest.elf
#   ./build.sh OUTDIR     -> OUTDIR/guest.elf
# Same compiler + same sources => same bytes: no timestamps, no build ids,
# source paths in the debug info rewritten to a fixed prefix, fixed link order.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/prebuilt}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
OBJDIR=$(mktemp -d)
trap 'rm -rf "$OBJDIR"' EXIT
CC=${CC:-gcc}
LD=${LD:-ld}

CFLAGS="-m32 -march=i686 -mno-mmx -mno-sse -mno-sse2 -mno-80387 -msoft-float
 -ffreestanding -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables
 -fno-builtin -O2 -nostdlib -std=gnu11 -Wall -Wextra -Werror -g
 -ffile-prefix-map=$HERE=/littleguest/packages/guest-kernel"
SOURCES="boot.S entry.S user.S lguest_data.c main.c console.c lib.c mm.c traps.c proc.c virtio_console.c fs.c file.c syscall.c signal.c virtio_blk.c"

export SOURCE_DATE_EPOCH=0 LC_ALL=C
cd "$HERE"
OBJS=""
for src in $SOURCES; do
	obj="$OBJDIR/${src%.*}.o"
	# shellcheck disable=SC2086
	$CC $CFLAGS -c "src/$src" -o "$obj"
	OBJS="$OBJS $obj"
done
# shellcheck disable=SC2086
$LD -m elf_i386 -nostdlib --build-id=none -T link.ld -o "$OUT/guest.elf" $OBJS
echo "built $OUT/guest.elf ($(wc -c <"$OUT/guest.elf") bytes)"

# The bundled initramfs: /init (the demo) and /bin/hello, static i386 programs without a
# C library, packed by GNU cpio with fixed owners, modes and times.
UFLAGS="-m32 -march=i686 -mno-mmx -mno-sse -mno-sse2 -ffreestanding -fno-pic -fno-pie
 -fno-stack-protector -fno-asynchronous-unwind-tables -fno-builtin -O2 -nostdlib -static
 -Wall -Wextra -Werror -Wl,--build-id=none -ffile-prefix-map=$HERE=/littleguest/packages/guest-kernel"
ROOT="$OBJDIR/rootfs"
mkdir -p "$ROOT/bin"
# shellcheck disable=SC2086
$CC $UFLAGS -o "$ROOT/init" user/demo.c
# shellcheck disable=SC2086
$CC $UFLAGS -o "$ROOT/bin/hello" user/hello.c
chmod 0755 "$ROOT" "$ROOT/bin" "$ROOT/init" "$ROOT/bin/hello"
find "$ROOT" -exec touch -h -d @0 {} +
(cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --reproducible --owner=0:0 --quiet) >"$OUT/initramfs.cpio"
echo "built $OUT/initramfs.cpio ($(wc -c <"$OUT/initramfs.cpio") bytes)"
