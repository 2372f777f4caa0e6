#!/bin/sh
# differential.sh OLD NEW [SRCDIR] [BENCH_CORPUS]: runs two imgmeta
# binaries over the same inputs and says where they differ: every case of
# tests/cases (its cmd, in a copy of its inputs: standard output, standard
# error, exit status and every file the run leaves), the samples, every
# public sample (../shared/public-samples, when present) into each output
# format, and, when given, make bench's corpus (BENCH_CORPUS, a
# corpus-N directory) into CSV, JSON Lines (gzipped) and SQLite. A SQLite
# database is compared by its dump without the runs and inputs rows (the
# run's time and command line). The cases and samples run under faketime
# (apt-get install faketime) with the clock stopped at one instant, so
# that what a run writes of the time (a report's, a database's, and the
# digests of such files) is the same; the seconds a run took are left out
# of the comparison. The bench corpus runs without it: what its runs
# write of the time is only the SQLite runs and inputs rows, which the
# dump leaves out. Prints one line per comparison that differs and, at the end,
# "differential: N compared, M differ"; exits 1 when any differs. Not part
# of make check: it needs an earlier binary (BENCHMARKS.md).
set -u
old=$1 new=$2
srcdir=${3:-.}
corpus=${4:-}
command -v faketime >/dev/null 2>&1 ||
    { echo "differential: faketime missing (apt-get install faketime)" >&2; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 bad=0

mkdir -p "$T/bin-old" "$T/bin-new"
ln -s "$(cd "$(dirname "$old")" && pwd)/$(basename "$old")" "$T/bin-old/imgmeta"
ln -s "$(cd "$(dirname "$new")" && pwd)/$(basename "$new")" "$T/bin-new/imgmeta"

# norm FILE: a file as compared: the summary's time, a database's dump
norm() {
	case $1 in
	*.db|*.sqlite|*.sqlite3)
		sqlite3 -batch "$1" .dump 2>&1 |
		    grep -v '^INSERT INTO "\{0,1\}\(runs\|inputs\)"\{0,1\} ' ;;
	*)
		sed -e 's/^\(imgmeta: summary: .*, \)[0-9][0-9.]* s$/\1T s/' \
		    -e 's/"seconds":[0-9.e+-]*/"seconds":T/' "$1" ;;
	esac
}

# same WHAT A B: one comparison
same() {
	n=$((n + 1))
	norm "$2" > "$T/a" 2>/dev/null
	norm "$3" > "$T/b" 2>/dev/null
	if ! cmp -s "$T/a" "$T/b"; then
		bad=$((bad + 1))
		echo "differs: $1"
		diff "$T/a" "$T/b" | head -6 | sed 's/^/    /'
	fi
}

# both NAME DIR CMD: runs CMD (sh) in a copy of DIR with each binary,
# then compares what each printed, its status and the files it left
fake="faketime -f '2026-01-01 00:00:00'"
both() {
	for side in old new; do
		rm -rf "$T/$side"
		mkdir -p "$T/$side"
		cp -R "$2/." "$T/$side/"
		(cd "$T/$side" && PATH=$T/bin-$side:$PATH \
		    eval "$fake sh -c \"\$3\"" \
		    > "$T/$side.stdout" 2> "$T/$side.stderr" < /dev/null
		echo $? > "$T/$side.status")
	done
	same "$1: stdout" "$T/old.stdout" "$T/new.stdout"
	same "$1: stderr" "$T/old.stderr" "$T/new.stderr"
	same "$1: exit status" "$T/old.status" "$T/new.status"
	(cd "$T/old" && find . -type f | sort) > "$T/files-old"
	(cd "$T/new" && find . -type f | sort) > "$T/files-new"
	same "$1: the files left" "$T/files-old" "$T/files-new"
	while read -r f; do
		case "$1: $f" in
		# the digests of a -wal file written by Python's sqlite3: a
		# WAL header holds random salts, so two runs of one binary
		# differ too (the case checks the digests with sha256sum -c)
		"case imgmeta-sqlite-wal-read-unchanged: ./sum") continue ;;
		esac
		[ -f "$T/new/$f" ] && same "$1: $f" "$T/old/$f" "$T/new/$f"
	done < "$T/files-old"
}

for c in "$srcdir"/tests/cases/*/; do
	[ -f "$c/cmd" ] || continue
	name=$(basename "$c")
	mkdir -p "$T/in"
	rm -rf "$T/in"/* "$T/in"/.[!.]* 2>/dev/null
	for f in "$c"* "$c".[!.]*; do
		[ -e "$f" ] || continue
		case ${f##*/} in
		cmd|expected.*) ;;
		*) cp -R "$f" "$T/in/" ;;
		esac
	done
	both "case $name" "$T/in" "sh $(cd "$c" && pwd)/cmd"
done

mkdir -p "$T/empty"
formats="jsonl csv xml db glance.jsonl tsv"
inputs="$srcdir/samples/captures"
pub=$srcdir/../shared/public-samples
[ -d "$pub" ] && inputs="$inputs $(find "$pub" -type f | sort)"
for i in $inputs; do
	d=$(cd "$(dirname "$i")" && pwd)/$(basename "$i")
	for f in $formats; do
		both "$(basename "$i") -> $f" "$T/empty" \
		    "imgmeta -o out.$f '$d'"
	done
done

if [ -n "$corpus" ]; then
	fake=
	c=$(cd "$corpus" && pwd)
	both "bench corpus: v2.1 pages -> csv" "$T/empty" \
	    "imgmeta -q -o out.csv $c/v21-detail-*.json"
	both "bench corpus: all calls -> json.gz" "$T/empty" \
	    "imgmeta -q -o out.jsonl.gz $c"
	both "bench corpus: all calls -> sqlite" "$T/empty" \
	    "imgmeta -q -o out.db $c"
fi

echo "differential: $n compared, $bad differ"
[ "$bad" -eq 0 ]
