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
SOURCES="boot.S entry.S user.S lguest_data.c main.c console.c lib.c mm.c traps.c proc.c virtio_console.c fs.c file.c syscall.c signal.c"

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
