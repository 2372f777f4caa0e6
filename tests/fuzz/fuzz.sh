#!/bin/sh
# fuzz.sh: builds the libFuzzer targets with clang (ASan + UBSan) and runs
# each for FUZZ_SECONDS. Run by `make fuzz` (see Makefile.am), which sets:
#   srcdir        the source directory
#   FUZZ_CC       clang
#   FUZZ_CFLAGS   include paths and the libraries' flags
#   FUZZ_LIBS     the libraries to link
#   FUZZ_CXX      clang++ (src/jv_simd.cc)
#   FUZZ_CXXFLAGS its flags for that file
#   FUZZ_SOURCES  the engine's and formats' .c and .cc files, relative to
#                 srcdir
#   FUZZ_READERS  reader names (formats/readers.c) to build a target for
#   FUZZ_TARGETS  which targets to run (default: all)
#   FUZZ_SECONDS  how long each runs (default 60)
#   FUZZ_JOBS     fuzzing processes per target (default 1)
#   IMGMETA       the program, to write the shard targets' seeds
# Work files go to tests/fuzz/ in the build directory: corpus-TARGET/
# (what the fuzzer found, kept between runs), seeds-*/ (made from
# samples/ and tests/cases/, tests/fuzz/seeds.py), TARGET.log, and crash-TARGET-* on a crash.
set -eu
: "${FUZZ_SECONDS:=60}"
: "${FUZZ_JOBS:=1}"
: "${PYTHON3:=python3}"
out=tests/fuzz
mkdir -p "$out/obj"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $san"

command -v "$FUZZ_CC" >/dev/null 2>&1 || {
	echo "fuzz: $FUZZ_CC not found (apt-get install clang libclang-rt-14-dev)" >&2
	exit 1
}

objs=
for src in $FUZZ_SOURCES; do
	obj=$out/obj/$(echo "$src" | tr / _ | sed 's/\.cc*$/.o/')
	case $src in
	*.cc)
		echo "  CXX (fuzz) $src"
		$FUZZ_CXX -g -O1 -std=c++17 $san -fno-sanitize=vptr \
		    -fsanitize=fuzzer-no-link $FUZZ_CXXFLAGS \
		    -c "$srcdir/$src" -o "$obj" ;;
	*)
		echo "  CC (fuzz) $src"
		$FUZZ_CC $cflags -fsanitize=fuzzer-no-link $FUZZ_CFLAGS \
		    -c "$srcdir/$src" -o "$obj" ;;
	esac
	objs="$objs $obj"
done

all="fuzz_capture fuzz_har fuzz_shard_json fuzz_shard_sqlite fuzz_jv"
for r in $FUZZ_READERS; do
	all="$all fuzz_reader_$r"
done
for t in $all; do
	echo "  CCLD (fuzz) $out/$t"
	case $t in
	fuzz_capture|fuzz_har|fuzz_shard_*|fuzz_jv)
		$FUZZ_CC $cflags -fsanitize=fuzzer $FUZZ_CFLAGS \
		    "$srcdir/tests/fuzz/$t.c" $objs $FUZZ_LIBS \
		    -o "$out/$t" ;;
	fuzz_reader_*)
		$FUZZ_CC $cflags -fsanitize=fuzzer $FUZZ_CFLAGS \
		    -DFUZZ_READER="\"${t#fuzz_reader_}\"" \
		    "$srcdir/tests/fuzz/fuzz_reader.c" $objs $FUZZ_LIBS \
		    -o "$out/$t" ;;
	esac
done

"$PYTHON3" "$srcdir/tests/fuzz/seeds.py" "$srcdir" "$out" "$IMGMETA"

# Parallel jobs log to fuzz-N.log in the current directory.
jobs=
[ "$FUZZ_JOBS" -gt 1 ] && jobs="-jobs=$FUZZ_JOBS -workers=$FUZZ_JOBS"
status=0
for t in ${FUZZ_TARGETS:-$all}; do
	case $t in
	fuzz_capture) seeds=$out/seeds-capture ;;
	fuzz_har) seeds=$out/seeds-har ;;
	fuzz_shard_json) seeds=$out/seeds-shard-json ;;
	fuzz_shard_sqlite) seeds=$out/seeds-shard-sqlite ;;
	fuzz_jv) seeds=$out/seeds-jv ;;
	*) seeds=$out/seeds-reader ;;
	esac
	mkdir -p "$out/corpus-$t"
	echo "  FUZZ $t for $FUZZ_SECONDS s (log: $out/$t.log)"
	if "$out/$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
	    -rss_limit_mb=4096 -max_len=262144 -print_final_stats=1 \
	    $jobs \
	    -dict="$srcdir/tests/fuzz/imgmeta.dict" \
	    -artifact_prefix="$out/crash-$t-" \
	    "$out/corpus-$t" "$seeds" > "$out/$t.log" 2>&1; then
		grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done)' \
		    "$out/$t.log" | sed 's/^/    /'
	else
		echo "  FUZZ $t FAILED:" >&2
		tail -60 "$out/$t.log" >&2
		status=1
	fi
done
exit $status
