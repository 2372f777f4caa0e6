#!/bin/sh
# bench.sh: make bench. Generates the corpus (tests/bench/gen.py) for each
# size in BENCH_SIZES, runs imgmeta and the tools an operator would glue
# together instead, side by side, and prints one table per size: tool,
# task, seconds, images/s, MB/s, peak RSS, ratio (images/s against the
# baseline of the same task); with two sizes or more, a last table of how
# the time of the merged run grows with the size. With BENCH_ONE_FILE=N,
# also one bare detail file of N images (the single huge export): peak
# RSS is the point there. BENCH_REPEAT=N runs everything N times, in
# rounds (every command of every size once, then again), and keeps each
# command's shortest time and largest peak RSS (default 1): a virtual
# machine's speed drifts by 10-20% over minutes, and in rounds the tools
# and sizes compared share its slow and fast spells. Needs jq, sqlite3
# and GNU time (apt-get install jq sqlite3 time); not part of make check.
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
echo "# $(date -u +%F), $("$imgmeta" --version), $(jq --version), sqlite3 $(sqlite3 --version | cut -d' ' -f1), $(nproc) processors ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo 2>/dev/null | head -1)); best of $BENCH_REPEAT in rounds"
# add GROUP NAME TASK IMAGES MB OUTPUT CMD: one command to measure, a
# line of $work/plan; GROUP names the table it goes into
: > "$work/plan"
add() {
	printf '%s|%s|%s|%s|%s|%s|%s\n' "$@" >> "$work/plan"
}
# once K OUTPUT CMD: runs command K of the plan once, removing OUTPUT
# first and writing out what earlier commands left dirty in the page
# cache (untimed: the kernel would otherwise write it back 30 s later,
# in the middle of a later command); a line "K seconds rss" in
# $work/times, or "K failed" (a non-zero exit, or an error said on
# standard error: the sqlite3 shell says "Runtime error" and goes on)
once() {
	rm -f "$2"
	sync
	if /usr/bin/time -f '%e %M' -o "$work/time" sh -c "$3" >/dev/null 2>"$work/err" &&
	    ! grep -qi error "$work/err"; then
		echo "$1 $(cat "$work/time")" >> "$work/times"
	else
		sed 's/^/  /' "$work/err" | head -5 >&2
		echo "$1 failed" >> "$work/times"
	fi
}
# rows GROUP: the rows of that group, name|task|seconds|images|MB|rss,
# each command's shortest time and largest peak RSS over the rounds
rows() {
	awk -F'|' -v g="$1" 'FNR == NR { split($0, t, " "); k = t[1];
	    if (t[2] == "failed") bad[k] = 1;
	    else { if (!(k in s) || t[2] + 0 < s[k]) s[k] = t[2] + 0;
	    if (t[3] + 0 > m[k]) m[k] = t[3] + 0 } next }
	    $1 == g { k = FNR; printf "%s|%s|%s|%s|%s|%s\n", $2, $3,
	    (k in bad || !(k in s)) ? "failed" : s[k], $4, $5, m[k] + 0 }' \
	    "$work/times" "$work/plan"
}
# table TITLE GROUP: the group's rows as a markdown table; ratio =
# images/s against the first row of the same task ("—" when that failed)
table() {
	echo
	echo "## $1"
	echo
	echo "| tool | task | seconds | images/s | MB/s | peak RSS MB | ratio |"
	echo "|---|---|---|---|---|---|---|"
	rows "$2" | awk -F'|' '$3 == "failed" { if (!($2 in base)) base[$2] = 0;
	    printf "| %s | %s | failed | | | | |\n", $1, $2; next }
	    { ips = ($3 > 0) ? $4 / $3 : 0; if (!($2 in base)) base[$2] = ips;
	    printf "| %s | %s | %.2f | %.0f | %.1f | %.0f | %s |\n", $1, $2, $3, ips, ($3 > 0) ? $5 / $3 : 0, $6 / 1024, (base[$2] > 0) ? sprintf("%.2f", ips / base[$2]) : "—" }'
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
	add $n "jq" "v2.1 pages -> csv" "$nn" "$nmb" "$work/jq.csv" \
	    "for f in $nova; do jq -r '.images[] | [.id, .name, .status, .\"OS-EXT-IMG-SIZE:size\", .minRam, .minDisk, .created, .updated, (.metadata|tojson)] | @csv' \$f; done > $work/jq.csv"
	add $n "imgmeta" "v2.1 pages -> csv" "$nn" "$nmb" "$work/im.csv" \
	    "$imgmeta -q -o $work/im.csv $nova"
	add $n "sqlite3" "v2.1 pages -> sqlite" "$nn" "$nmb" "$work/flat.db" \
	    "{ echo 'BEGIN; CREATE TABLE images(id, name, status, size, min_ram, min_disk, created, updated, metadata);'; for f in $nova; do echo \"INSERT INTO images SELECT value->>'id', value->>'name', value->>'status', value->>'OS-EXT-IMG-SIZE:size', value->>'minRam', value->>'minDisk', value->>'created', value->>'updated', value->>'metadata' FROM json_each(readfile('\$f'), '\\\$.images');\"; done; echo 'COMMIT;'; } | sqlite3 $work/flat.db"
	add $n "imgmeta" "v2.1 pages -> sqlite" "$nn" "$nmb" "$work/im.db" \
	    "$imgmeta -q -o $work/im.db $nova"
	echo "$n|$n images ($mb MB of captures; v2.1 pages: $nn images, $nmb MB)" >> "$work/titles"
done
# the merged runs of every size next to each other in each round: the
# growth table compares them round by round
for n in $BENCH_SIZES; do
	add $n "imgmeta" "all calls, merged -> json.gz" "$n" \
	    "$(cat "$work/mb-$n")" "$work/all.jsonl.gz" \
	    "$imgmeta -q -o $work/all.jsonl.gz $work/corpus-$n"
done

if [ -n "$BENCH_ONE_FILE" ]; then
	n=$BENCH_ONE_FILE
	one="$work/one-$n.json"
	[ -f "$one" ] || "$PYTHON3" "$srcdir/tests/bench/gen.py" --one-file "$n" "$one"
	mb=$(wc -c < "$one" | awk '{printf "%.1f", $1 / 1e6}')
	add one "jq" "one file -> csv" "$n" "$mb" "$work/one-jq.csv" \
	    "jq -r '.images[] | [.id, .name, .status, .\"OS-EXT-IMG-SIZE:size\", .minRam, .minDisk, .created, .updated, (.metadata|tojson)] | @csv' $one > $work/one-jq.csv"
	add one "imgmeta" "one file -> csv" "$n" "$mb" "$work/one-im.csv" \
	    "$imgmeta -q -o $work/one-im.csv $one"
	add one "sqlite3" "one file -> sqlite" "$n" "$mb" "$work/one-flat.db" \
	    "{ echo 'BEGIN; CREATE TABLE images(id, name, status, size, min_ram, min_disk, created, updated, metadata);'; echo \"INSERT INTO images SELECT value->>'id', value->>'name', value->>'status', value->>'OS-EXT-IMG-SIZE:size', value->>'minRam', value->>'minDisk', value->>'created', value->>'updated', value->>'metadata' FROM json_each(readfile('$one'), '\\\$.images');\"; echo 'COMMIT;'; } | sqlite3 $work/one-flat.db"
	add one "imgmeta" "one file -> sqlite" "$n" "$mb" "$work/one-im.db" \
	    "$imgmeta -q -o $work/one-im.db $one"
	echo "one|one file of $n images ($mb MB, one {\"images\": [...]} body)" >> "$work/titles"
fi

# the rounds: every command once in each, in the plan's order
: > "$work/times"
i=0
while [ "$i" -lt "$BENCH_REPEAT" ]; do
	i=$((i + 1))
	k=0
	while IFS='|' read -r _ _ _ _ _ out cmd; do
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
	awk -F'|' '$3 == "all calls, merged -> json.gz" { print FNR }' \
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
