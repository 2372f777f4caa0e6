#!/bin/sh
# bench.sh: make bench. Generates the corpus (tests/bench/gen.py) for each
# size in BENCH_SIZES, runs imgmeta and the tools an operator would glue
# together instead, side by side, and prints one table per size: tool,
# task, seconds, images/s, MB/s, peak RSS, ratio (images/s against the
# baseline of the same task). With BENCH_ONE_FILE=N, also one bare
# detail file of N images (the single huge export): peak RSS is the
# point there. BENCH_REPEAT=N runs every command N times and keeps its
# shortest time and largest peak RSS (default 1; a virtual machine's
# figures vary by 10-20% from run to run). Needs jq, sqlite3 and GNU
# time (apt-get install jq sqlite3 time); not part of make check.
set -eu
: "${BENCH_SIZES:=100000}"
: "${BENCH_ONE_FILE:=}"
: "${BENCH_REPEAT:=1}"
: "${PYTHON3:=python3}"
imgmeta=${IMGMETA:-src/imgmeta}
work=${BENCH_DIR:-bench-work}
for t in jq sqlite3 /usr/bin/time; do
	command -v "$t" >/dev/null 2>&1 || { echo "bench: $t missing (apt-get install jq sqlite3 time)" >&2; exit 1; }
done
mkdir -p "$work"
# what the figures were measured with, for BENCHMARKS.md
echo "# $(date -u +%F), $("$imgmeta" --version), $(jq --version), sqlite3 $(sqlite3 --version | cut -d' ' -f1), $(nproc) processors ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo 2>/dev/null | head -1)); best of $BENCH_REPEAT"
# run NAME TASK IMAGES MB OUTPUT CMD...: one row; runs CMD
# BENCH_REPEAT times, removing OUTPUT before each (untimed), and prints
# the shortest time and the largest peak RSS, or "failed" (a non-zero
# exit, or an error said on standard error: the sqlite3 shell says
# "Runtime error" and goes on)
run() {
	r_name=$1 r_task=$2 r_imgs=$3 r_mb=$4 r_out=$5; shift 5
	secs=1e9 rss=0 i=0
	while [ "$i" -lt "$BENCH_REPEAT" ]; do
		i=$((i + 1))
		rm -f "$r_out"
		if /usr/bin/time -f '%e %M' -o "$work/time" sh -c "$*" >/dev/null 2>"$work/err" &&
		    ! grep -qi error "$work/err"; then
			read -r s m < "$work/time"
			secs=$(echo "$secs $s" | awk '{ print ($2 < $1) ? $2 : $1 }')
			[ "$m" -gt "$rss" ] && rss=$m
		else
			sed 's/^/  /' "$work/err" | head -5 >&2
			secs=failed rss=0
			break
		fi
	done
	echo "$r_name|$r_task|$secs|$r_imgs|$r_mb|$rss"
}
# table TITLE ROWS: the rows as a markdown table; ratio = images/s
# against the first row of the same task
table() {
	echo
	echo "## $1"
	echo
	echo "| tool | task | seconds | images/s | MB/s | peak RSS MB | ratio |"
	echo "|---|---|---|---|---|---|---|"
	awk -F'|' '$3 == "failed" { printf "| %s | %s | failed | | | | |\n", $1, $2; next }
	    { ips = ($3 > 0) ? $4 / $3 : 0; if (!($2 in base)) base[$2] = ips;
	    printf "| %s | %s | %.2f | %.0f | %.1f | %.0f | %.2f |\n", $1, $2, $3, ips, ($3 > 0) ? $5 / $3 : 0, $6 / 1024, (base[$2] > 0) ? ips / base[$2] : 0 }' "$2"
}
for n in $BENCH_SIZES; do
	c="$work/corpus-$n"
	[ -d "$c" ] || "$PYTHON3" "$srcdir/tests/bench/gen.py" "$n" "$c"
	mb=$(cat "$c"/* | wc -c | awk '{printf "%d", $1 / 1e6}')
	nova="$c/v21-detail-*.json"
	nn=$((n * 8 / 10))
	nmb=$(cat $nova | wc -c | awk '{printf "%d", $1 / 1e6}')
	{
	run "jq" "v2.1 pages -> csv" "$nn" "$nmb" "$work/jq.csv" \
	    "for f in $nova; do jq -r '.images[] | [.id, .name, .status, .\"OS-EXT-IMG-SIZE:size\", .minRam, .minDisk, .created, .updated, (.metadata|tojson)] | @csv' \$f; done > $work/jq.csv"
	run "imgmeta" "v2.1 pages -> csv" "$nn" "$nmb" "$work/im.csv" \
	    "$imgmeta -q -o $work/im.csv $nova"
	run "sqlite3" "v2.1 pages -> sqlite" "$nn" "$nmb" "$work/flat.db" \
	    "{ echo 'BEGIN; CREATE TABLE images(id, name, status, size, min_ram, min_disk, created, updated, metadata);'; for f in $nova; do echo \"INSERT INTO images SELECT value->>'id', value->>'name', value->>'status', value->>'OS-EXT-IMG-SIZE:size', value->>'minRam', value->>'minDisk', value->>'created', value->>'updated', value->>'metadata' FROM json_each(readfile('\$f'), '\\\$.images');\"; done; echo 'COMMIT;'; } | sqlite3 $work/flat.db"
	run "imgmeta" "v2.1 pages -> sqlite" "$nn" "$nmb" "$work/im.db" \
	    "$imgmeta -q -o $work/im.db $nova"
	run "imgmeta" "all calls, merged -> json.gz" "$n" "$mb" \
	    "$work/all.jsonl.gz" \
	    "$imgmeta -q -o $work/all.jsonl.gz $c"
	} > "$work/rows-$n"
	table "$n images ($mb MB of captures; v2.1 pages: $nn images, $nmb MB)" \
	    "$work/rows-$n"
done

if [ -n "$BENCH_ONE_FILE" ]; then
	n=$BENCH_ONE_FILE
	one="$work/one-$n.json"
	[ -f "$one" ] || "$PYTHON3" "$srcdir/tests/bench/gen.py" --one-file "$n" "$one"
	mb=$(wc -c < "$one" | awk '{printf "%d", $1 / 1e6}')
	{
	run "jq" "one file -> csv" "$n" "$mb" "$work/one-jq.csv" \
	    "jq -r '.images[] | [.id, .name, .status, .\"OS-EXT-IMG-SIZE:size\", .minRam, .minDisk, .created, .updated, (.metadata|tojson)] | @csv' $one > $work/one-jq.csv"
	run "imgmeta" "one file -> csv" "$n" "$mb" "$work/one-im.csv" \
	    "$imgmeta -q -o $work/one-im.csv $one"
	run "sqlite3" "one file -> sqlite" "$n" "$mb" "$work/one-flat.db" \
	    "{ echo 'BEGIN; CREATE TABLE images(id, name, status, size, min_ram, min_disk, created, updated, metadata);'; echo \"INSERT INTO images SELECT value->>'id', value->>'name', value->>'status', value->>'OS-EXT-IMG-SIZE:size', value->>'minRam', value->>'minDisk', value->>'created', value->>'updated', value->>'metadata' FROM json_each(readfile('$one'), '\\\$.images');\"; echo 'COMMIT;'; } | sqlite3 $work/one-flat.db"
	run "imgmeta" "one file -> sqlite" "$n" "$mb" "$work/one-im.db" \
	    "$imgmeta -q -o $work/one-im.db $one"
	} > "$work/rows-one-$n"
	table "one file of $n images ($mb MB, one {\"images\": [...]} body)" \
	    "$work/rows-one-$n"
fi
