#!/bin/sh
# Build the benchmark kernel reproducibly.
#   ./build.sh            -> prebuilt/bench.elf
#   ./build.sh OUTDIR     -> OUTDIR/bench.elf
# Objects go to a temporary directory that is removed afterwards.
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
 -fno-builtin -O2 -nostdlib -std=gnu11 -Wall -Wextra -Werror -g -fno-if-conversion -fno-if-conversion2
 -ffile-prefix-map=$HERE=/littleguest/bench/kernel"
SOURCES="boot.S main.c serial.c cmdline.c paging.c loops.c"

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
$LD -m elf_i386 -nostdlib --build-id=none -T link.ld -o "$OUT/bench.elf" $OBJS
echo "built $OUT/bench.elf ($(wc -c <"$OUT/bench.elf") bytes)"
