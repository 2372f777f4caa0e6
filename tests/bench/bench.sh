#!/bin/sh
# bench.sh: make bench. Generates the corpus (tests/bench/gen.py) for each
# size in BENCH_SIZES, runs imgmeta and the tools an operator would glue
# together instead (jq, the sqlite3 shell, DuckDB), side by side, and
# prints one table per size: tool, task, seconds, CPU seconds, images/s,
# MB/s, peak RSS, and imgmeta's ratio to each other tool (imgmeta's images/s over
# the tool's, on the same task: at its default -j against a tool at its
# default, at -j 1 against DuckDB at one thread); with two sizes or more,
# a last table of how the time of the merged run grows with the size. With BENCH_ONE_FILE=N,
# also one bare detail file of N images (the single huge export): peak
# RSS is the point there. BENCH_REPEAT=N runs everything N times, in
# rounds (every command of every size once, then again), and keeps each
# command's shortest time and largest peak RSS (default 1): a virtual
# machine's speed drifts by 10-20% over minutes, and in rounds the tools
# and sizes compared share its slow and fast spells. Needs jq, sqlite3
# and GNU time (apt-get install jq sqlite3 time); not part of make check.
# DuckDB comes from npm (BENCH_DUCKDB, the package spec to install, by
# default the version pinned below; "no" leaves DuckDB out): installed at
# set-up into $work/duckdb, never into the project, and run through
# tests/bench/duckdb.mjs with node. With BENCH_BASELINE=PATH, an earlier
# imgmeta binary runs imgmeta's tasks too, in the same rounds ("imgmeta
# baseline" rows; "imgmeta ×" is then how many times faster imgmeta is).
# Its seconds (wall-clock and CPU) are
# the engine's, timed inside the node process; the wall-clock seconds of
# the whole process are printed under the table. Without node or npm, or when the install fails, the bench
# runs without DuckDB and says why.
set -eu
: "${BENCH_SIZES:=100000}"
: "${BENCH_ONE_FILE:=}"
: "${BENCH_REPEAT:=1}"
: "${PYTHON3:=python3}"
: "${BENCH_DUCKDB:=@duckdb/node-api@1.5.6-r.1}"
: "${BENCH_BASELINE:=}"
imgmeta=${IMGMETA:-src/imgmeta}
work=${BENCH_DIR:-bench-work}
for t in jq sqlite3 /usr/bin/time; do
	command -v "$t" >/dev/null 2>&1 || { echo "bench: $t missing (apt-get install jq sqlite3 time)" >&2; exit 1; }
done
mkdir -p "$work"
# DuckDB: $duck is the node command that runs it, empty when it cannot
# be had ($duck_why says why); the install is kept for the next bench
# while the package spec is the same
duck=
duck_why=
duck_setup() {
	d="$work/duckdb"
	if [ "$BENCH_DUCKDB" = no ]; then
		duck_why="BENCH_DUCKDB=no"; return
	fi
	for t in node npm; do
		command -v $t >/dev/null 2>&1 ||
		    { duck_why="$t missing (apt-get install nodejs npm)"; return; }
	done
	if [ "$(cat "$d/spec" 2>/dev/null)" != "$BENCH_DUCKDB" ] ||
	    [ ! -d "$d/node_modules/@duckdb/node-api" ]; then
		rm -rf "$d" && mkdir -p "$d"
		if ! (cd "$d" && npm install --no-save --no-package-lock \
		    --no-audit --no-fund --loglevel=error "$BENCH_DUCKDB") \
		    > "$work/npm.log" 2>&1; then
			duck_why="npm install $BENCH_DUCKDB failed: $(grep -m1 -i err "$work/npm.log")"
			return
		fi
		echo "$BENCH_DUCKDB" > "$d/spec"
	fi
	cp "$srcdir/tests/bench/duckdb.mjs" "$d/duckdb.mjs"
	if ! v=$(node "$d/duckdb.mjs" version 2> "$work/npm.log"); then
		duck_why="DuckDB does not run under node $(node --version): $(head -1 "$work/npm.log")"
		return
	fi
	duck="node $d/duckdb.mjs"
	duck_version="DuckDB ${v% *} (${v#* } threads by default; npm $BENCH_DUCKDB, node $(node --version))"
}
duck_setup
if [ -z "$duck" ]; then
	echo "bench: DuckDB left out: $duck_why" >&2
	duck_version="DuckDB not measured: $duck_why"
fi
# what the figures were measured with, for BENCHMARKS.md
[ -z "$BENCH_BASELINE" ] ||
    echo "# baseline: $BENCH_BASELINE ($("$BENCH_BASELINE" --version))"
echo "# $(date -u +%F), $("$imgmeta" --version), $(jq --version), sqlite3 $(sqlite3 --version | cut -d' ' -f1), $duck_version, $(nproc) processors ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo 2>/dev/null | head -1)); best of $BENCH_REPEAT in rounds"
# add GROUP NAME BASE TASK IMAGES MB OUTPUT CMD: one command to measure,
# a line of $work/plan; GROUP names the table it goes into, BASE the
# imgmeta row of the same task its ratio is taken against (empty: none)
: > "$work/plan"
add() {
	printf '%s|%s|%s|%s|%s|%s|%s|%s\n' "$@" >> "$work/plan"
}
# once K OUTPUT CMD: runs command K of the plan once, removing OUTPUT
# first and writing out what earlier commands left dirty in the page
# cache (untimed: the kernel would otherwise write it back 30 s later,
# in the middle of a later command); a line "K seconds rss" in
# $work/times, or "K failed" (a non-zero exit, or an error said on
# standard error: the sqlite3 shell says "Runtime error" and goes on).
# The line is "K seconds rss cpu-seconds" (user and system); a command
# that times its work itself (DuckDB's engine) writes its wall-clock and
# CPU seconds to $work/engine, and the line is then "K engine-seconds
# rss engine-cpu-seconds process-seconds"
once() {
	rm -f "$2" "$work/engine"
	sync
	if /usr/bin/time -f '%e %M %U %S' -o "$work/time" sh -c "$3" >/dev/null 2>"$work/err" &&
	    ! grep -qi error "$work/err"; then
		set -- "$1" $(cat "$work/time")
		if [ -s "$work/engine" ]; then
			echo "$1 $(cut -d' ' -f1 "$work/engine") $3 $(cut -d' ' -f2 "$work/engine") $2" >> "$work/times"
		else
			echo "$1 $2 $3 $(echo "$4 $5" | awk '{ print $1 + $2 }')" >> "$work/times"
		fi
	else
		sed 's/^/  /' "$work/err" | head -5 >&2
		echo "$1 failed" >> "$work/times"
	fi
}
# rows GROUP: the rows of that group,
# name|task|seconds|images|MB|rss|base|process-seconds|cpu-seconds, each
# command's shortest time, largest peak RSS and least CPU time over the
# rounds (process-seconds: the shortest whole process of a command that
# timed itself, else empty)
rows() {
	awk -F'|' -v g="$1" 'FNR == NR { split($0, t, " "); k = t[1];
	    if (t[2] == "failed") bad[k] = 1;
	    else { if (!(k in s) || t[2] + 0 < s[k]) s[k] = t[2] + 0;
	    if (t[3] + 0 > m[k]) m[k] = t[3] + 0;
	    if (!(k in c) || t[4] + 0 < c[k]) c[k] = t[4] + 0;
	    if (t[5] != "" && (!(k in p) || t[5] + 0 < p[k])) p[k] = t[5] + 0 } next }
	    $1 == g { k = FNR; printf "%s|%s|%s|%s|%s|%s|%s|%s|%s\n", $2, $4,
	    (k in bad || !(k in s)) ? "failed" : s[k], $5, $6, m[k] + 0, $3,
	    (k in p) ? p[k] : "", c[k] + 0 }' \
	    "$work/times" "$work/plan"
}
# table TITLE GROUP: the group's rows as a markdown table; "imgmeta ×" =
# the images/s of the row's base (an imgmeta row of the same task) over
# the row's ("—" when either failed); then the whole process's seconds of
# the rows that timed their own work
table() {
	echo
	echo "## $1"
	echo
	echo "| tool | task | seconds | CPU s | images/s | MB/s | peak RSS MB | imgmeta × |"
	echo "|---|---|---|---|---|---|---|---|"
	rows "$2" | awk -F'|' '{ n++; line[n] = $0;
	    ips[$1 "|" $2] = ($3 != "failed" && $3 > 0) ? $4 / $3 : 0 }
	    END { for (i = 1; i <= n; i++) { split(line[i], f, "|");
	    if (f[3] == "failed") { printf "| %s | %s | failed | | | | | |\n", f[1], f[2]; continue }
	    x = ips[f[1] "|" f[2]]; b = (f[7] == "") ? -1 : ips[f[7] "|" f[2]];
	    printf "| %s | %s | %.2f | %.2f | %.0f | %.1f | %.0f | %s |\n", f[1], f[2], f[3], f[9], x,
	    (f[3] > 0) ? f[5] / f[3] : 0, f[6] / 1024,
	    (b < 0) ? "" : (b > 0 && x > 0) ? sprintf("%.2f", b / x) : "—" }
	    for (i = 1; i <= n; i++) { split(line[i], f, "|");
	    if (f[8] != "") p = p sprintf("%s%s %.2f s", (p == "") ? "" : ", ", f[1], f[8]) }
	    if (p != "") printf "\nThe DuckDB rows give the engine'"'"'s seconds and CPU seconds; the whole node process (its start and the library'"'"'s load included): %s.\n", p }'
}
: > "$work/titles"
for n in $BENCH_SIZES; do
	c="$work/corpus-$n"
	[ -d "$c" ] || "$PYTHON3" "$srcdir/tests/bench/gen.py" "$n" "$c"
	mb=$(cat "$c"/* | wc -c | awk '{printf "%.1f", $1 / 1e6}')
	echo "$mb" > "$work/mb-$n"	# for the merged run's line below
	nova="$c/v21-detail-*.json"
	nn=$((n * 8 / 10))
	nmb=$(cat $nova | wc -c | awk '{printf "%.1f", $1 / 1e6}')
	add $n "jq" "imgmeta" "v2.1 pages -> csv" "$nn" "$nmb" "$work/jq.csv" \
	    "for f in $nova; do jq -r '.images[] | [.id, .name, .status, .\"OS-EXT-IMG-SIZE:size\", .minRam, .minDisk, .created, .updated, (.metadata|tojson)] | @csv' \$f; done > $work/jq.csv"
	add $n "imgmeta" "" "v2.1 pages -> csv" "$nn" "$nmb" "$work/im.csv" \
	    "$imgmeta -q -o $work/im.csv $nova"
	add $n "imgmeta -j 1" "" "v2.1 pages -> csv" "$nn" "$nmb" "$work/im.csv" \
	    "$imgmeta -q -j 1 -o $work/im.csv $nova"
	if [ -n "$BENCH_BASELINE" ]; then
		add $n "imgmeta baseline" "imgmeta" "v2.1 pages -> csv" "$nn" \
		    "$nmb" "$work/base.csv" \
		    "$BENCH_BASELINE -q -o $work/base.csv $nova"
	fi
	if [ -n "$duck" ]; then
		add $n "duckdb" "imgmeta" "v2.1 pages -> csv" "$nn" "$nmb" \
		    "$work/duck.csv" "$duck default '$nova' $work/duck.csv $work/engine"
		add $n "duckdb threads=1" "imgmeta -j 1" "v2.1 pages -> csv" "$nn" \
		    "$nmb" "$work/duck.csv" "$duck 1 '$nova' $work/duck.csv $work/engine"
	fi
	add $n "sqlite3" "imgmeta" "v2.1 pages -> sqlite" "$nn" "$nmb" "$work/flat.db" \
	    "{ echo 'BEGIN; CREATE TABLE images(id, name, status, size, min_ram, min_disk, created, updated, metadata);'; for f in $nova; do echo \"INSERT INTO images SELECT value->>'id', value->>'name', value->>'status', value->>'OS-EXT-IMG-SIZE:size', value->>'minRam', value->>'minDisk', value->>'created', value->>'updated', value->>'metadata' FROM json_each(readfile('\$f'), '\\\$.images');\"; done; echo 'COMMIT;'; } | sqlite3 $work/flat.db"
	add $n "imgmeta" "" "v2.1 pages -> sqlite" "$nn" "$nmb" "$work/im.db" \
	    "$imgmeta -q -o $work/im.db $nova"
	if [ -n "$BENCH_BASELINE" ]; then
		add $n "imgmeta baseline" "imgmeta" "v2.1 pages -> sqlite" \
		    "$nn" "$nmb" "$work/base.db" \
		    "$BENCH_BASELINE -q -o $work/base.db $nova"
	fi
	echo "$n|$n images ($mb MB of captures; v2.1 pages: $nn images, $nmb MB)" >> "$work/titles"
done
# the merged runs of every size next to each other in each round: the
# growth table compares them round by round
for n in $BENCH_SIZES; do
	add $n "imgmeta" "" "all calls, merged -> json.gz" "$n" \
	    "$(cat "$work/mb-$n")" "$work/all.jsonl.gz" \
	    "$imgmeta -q -o $work/all.jsonl.gz $work/corpus-$n"
done
for n in $BENCH_SIZES; do
	if [ -n "$BENCH_BASELINE" ]; then
		add $n "imgmeta baseline" "imgmeta" \
		    "all calls, merged -> json.gz" "$n" "$(cat "$work/mb-$n")" \
		    "$work/base.jsonl.gz" \
		    "$BENCH_BASELINE -q -o $work/base.jsonl.gz $work/corpus-$n"
	fi
	add $n "imgmeta" "" "all calls, merged -> sqlite" "$n" \
	    "$(cat "$work/mb-$n")" "$work/all.db" \
	    "$imgmeta -q -o $work/all.db $work/corpus-$n"
	if [ -n "$BENCH_BASELINE" ]; then
		add $n "imgmeta baseline" "imgmeta" \
		    "all calls, merged -> sqlite" "$n" "$(cat "$work/mb-$n")" \
		    "$work/base-all.db" \
		    "$BENCH_BASELINE -q -o $work/base-all.db $work/corpus-$n"
	fi
done

if [ -n "$BENCH_ONE_FILE" ]; then
	n=$BENCH_ONE_FILE
	one="$work/one-$n.json"
	[ -f "$one" ] || "$PYTHON3" "$srcdir/tests/bench/gen.py" --one-file "$n" "$one"
	mb=$(wc -c < "$one" | awk '{printf "%.1f", $1 / 1e6}')
	add one "jq" "imgmeta" "one file -> csv" "$n" "$mb" "$work/one-jq.csv" \
	    "jq -r '.images[] | [.id, .name, .status, .\"OS-EXT-IMG-SIZE:size\", .minRam, .minDisk, .created, .updated, (.metadata|tojson)] | @csv' $one > $work/one-jq.csv"
	add one "imgmeta" "" "one file -> csv" "$n" "$mb" "$work/one-im.csv" \
	    "$imgmeta -q -o $work/one-im.csv $one"
	add one "sqlite3" "imgmeta" "one file -> sqlite" "$n" "$mb" "$work/one-flat.db" \
	    "{ echo 'BEGIN; CREATE TABLE images(id, name, status, size, min_ram, min_disk, created, updated, metadata);'; echo \"INSERT INTO images SELECT value->>'id', value->>'name', value->>'status', value->>'OS-EXT-IMG-SIZE:size', value->>'minRam', value->>'minDisk', value->>'created', value->>'updated', value->>'metadata' FROM json_each(readfile('$one'), '\\\$.images');\"; echo 'COMMIT;'; } | sqlite3 $work/one-flat.db"
	add one "imgmeta" "" "one file -> sqlite" "$n" "$mb" "$work/one-im.db" \
	    "$imgmeta -q -o $work/one-im.db $one"
	echo "one|one file of $n images ($mb MB, one {\"images\": [...]} body)" >> "$work/titles"
fi

# the rounds: every command once in each, in the plan's order
: > "$work/times"
i=0
while [ "$i" -lt "$BENCH_REPEAT" ]; do
	i=$((i + 1))
	k=0
	while IFS='|' read -r _ _ _ _ _ _ out cmd; do
		k=$((k + 1))
		once "$k" "$out" "$cmd" < /dev/null
	done < "$work/plan"
done
while IFS='|' read -r g title; do
	table "$title" "$g"
done < "$work/titles"

# how the merged run's time grows with the size: each size's shortest
# time against the smallest size's, next to how the images and bytes
# grow; and, since a short run's shortest time catches a fast spell of
# the machine more easily than a long run's, the ratio of the two runs
# of the same round (adjacent in it), as the median and range over the
# rounds
if [ "$(echo $BENCH_SIZES | wc -w)" -gt 1 ]; then
	echo
	echo "## growth: all calls, merged -> json.gz"
	echo
	echo "| images | MB | seconds | images × | MB × | seconds × | seconds × round by round: median (range) |"
	echo "|---|---|---|---|---|---|---|"
	for n in $BENCH_SIZES; do
		rows "$n" | awk -F'|' '$2 == "all calls, merged -> json.gz"'
	done > "$work/growth"
	awk -F'|' '$4 == "all calls, merged -> json.gz" { print FNR }' \
	    "$work/plan" > "$work/growth-k"
	# per round: the seconds of each size's merged run, in size order
	awk 'FNR == NR { want[$1] = ++nk; next }
	    ($1 in want) { r = ++seen[$1]; t[r, want[$1]] = $2 }
	    END { for (r = 1; (r, 1) in t; r++) { line = "";
	    for (j = 1; j <= nk; j++) line = line (j > 1 ? " " : "") t[r, j];
	    print line } }' "$work/growth-k" "$work/times" > "$work/growth-rounds"
	awk -F'|' -v rounds="$work/growth-rounds" '
	    BEGIN { nr = 0; while ((getline l < rounds) > 0) { nr++;
	    nf = split(l, f, " "); for (j = 1; j <= nf; j++) t[nr, j] = f[j] } }
	    { j = NR }
	    $3 == "failed" { printf "| %s | %s | failed | | | | |\n", $4, $5; next }
	    j == 1 || !(n0 > 0) { n0 = $4; m0 = $5; s0 = $3 }
	    { n = 0; for (r = 1; r <= nr; r++)
	    if (t[r, 1] != "failed" && t[r, j] != "failed" && t[r, 1] > 0)
	    q[++n] = t[r, j] / t[r, 1];
	    for (a = 1; a <= n; a++) for (b = a + 1; b <= n; b++)
	    if (q[b] < q[a]) { x = q[a]; q[a] = q[b]; q[b] = x }
	    med = (n == 0) ? 0 : (n % 2) ? q[(n + 1) / 2] : (q[n / 2] + q[n / 2 + 1]) / 2;
	    printf "| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f (%.2f-%.2f) |\n", $4, $5, $3, $4 / n0, (m0 > 0) ? $5 / m0 : 0, (s0 > 0) ? $3 / s0 : 0, med, q[1], q[n] }' \
	    "$work/growth"
fi
