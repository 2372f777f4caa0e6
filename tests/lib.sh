# lib.sh: shared shell for the end-to-end tests (tests/*.test), sourced.
#
# Environment (set by make check, see Makefile.am):
#   IMGMETA      absolute path of the program under test
#   top_srcdir   absolute source directory
#   PYTHON3      python3 (optional; "python3" if unset)
#   UPDATE_GOLDEN=1   rewrite expected files instead of comparing them
#
# Output is TAP: "ok N - name" / "not ok N - name", failures explained in
# "# " comment lines, and the plan "1..N" printed by tap_done at the end.

LC_ALL=C
TZ=UTC
export LC_ALL TZ

: "${PYTHON3:=python3}"
tap_n=0
tap_failed=0

tap_bail() {
	echo "Bail out! $*"
	exit 1
}

[ -n "$top_srcdir" ] || tap_bail "top_srcdir is not set"
[ -n "$IMGMETA" ] || tap_bail "IMGMETA is not set"

tap_ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

tap_not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}

# tap_check COND_STATUS NAME: ok when the status is 0.
tap_check() {
	if [ "$1" -eq 0 ]; then tap_ok "$2"; else tap_not_ok "$2"; fi
}

# tap_comment FILE: the file's lines as TAP comments.
tap_comment() {
	sed 's/^/# /' "$1"
}

tap_skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# The plan, then exit 0: the "not ok" lines are the verdict (a non-zero exit
# would add an ERROR for the whole script under automake's TAP driver).
# Run by hand, a summary of failures goes to standard error.
tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ] || echo "$0: $tap_failed of $tap_n failed" >&2
	exit 0
}

# t_tmpdir: a fresh temporary directory in $T, removed at exit, with
# bin/imgmeta (a link to $IMGMETA) for putting the program on PATH; with
# IMGMETA_TEST_JOBS=N, a script running it with -j N first.
t_tmpdir() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/imgmeta-test.XXXXXX") ||
	    tap_bail "cannot make a temporary directory"
	trap 't_cleanup' EXIT
	trap 'exit 130' INT TERM HUP
	mkdir "$T/bin"
	if [ -n "${IMGMETA_TEST_JOBS:-}" ]; then
		# run as "imgmeta" found on PATH, as the link would be, so
		# that messages naming the program read the same
		mkdir "$T/realbin"
		ln -s "$IMGMETA" "$T/realbin/imgmeta"
		printf '#!/bin/sh\nPATH="%s:$PATH"; export PATH\nexec imgmeta -j %s "$@"\n' \
		    "$T/realbin" "$IMGMETA_TEST_JOBS" > "$T/bin/imgmeta"
		chmod +x "$T/bin/imgmeta"
	else
		ln -s "$IMGMETA" "$T/bin/imgmeta"
	fi
}

t_cleanup() {
	# a test may have left a read-only directory behind
	[ -n "$T" ] && [ -d "$T" ] && { chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"; }
}

# t_norm_stderr FILE: the run time of the summary line becomes "T s".
t_norm_stderr() {
	sed 's/^\(imgmeta: summary: .*, \)[0-9][0-9.]* s$/\1T s/' "$1" > "$1.norm" &&
	    mv "$1.norm" "$1"
}

# t_compare EXPECTED ACTUAL NAME [absent-means-empty]
# One TAP point: ok when ACTUAL equals EXPECTED byte for byte. With a 4th
# argument, a missing EXPECTED stands for an empty file. With UPDATE_GOLDEN=1
# EXPECTED is rewritten from ACTUAL (not created when empty and allowed absent).
t_compare() {
	_exp=$1 _act=$2 _name=$3 _opt=$4
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		if [ -n "$_opt" ] && [ ! -s "$_act" ]; then
			# empty: an existing file is emptied, none is made
			[ ! -e "$_exp" ] || : > "$_exp"
		else
			cp "$_act" "$_exp"
		fi
		tap_ok "$_name # updated"
		return 0
	fi
	if [ ! -e "$_exp" ]; then
		if [ -n "$_opt" ]; then
			_exp=/dev/null
		else
			tap_not_ok "$_name"
			echo "# missing $_exp"
			return 1
		fi
	fi
	if cmp -s "$_exp" "$_act"; then
		tap_ok "$_name"
		return 0
	fi
	tap_not_ok "$_name"
	diff -u "$_exp" "$_act" > "$T/diff.out" 2>&1
	# diff -u shows no difference for a missing final newline as such
	tap_comment "$T/diff.out"
	return 1
}

# t_compare_status EXPECTED_FILE ACTUAL NAME: expected exit status in a file
# (absent = 0). UPDATE_GOLDEN=1 rewrites it (removed when 0).
t_compare_status() {
	_exp=0
	[ -f "$1" ] && _exp=$(cat "$1")
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		if [ "$2" -eq 0 ]; then rm -f "$1"; else echo "$2" > "$1"; fi
		tap_ok "$3 # updated"
		return 0
	fi
	if [ "$2" -eq "$_exp" ]; then
		tap_ok "$3"
	else
		tap_not_ok "$3"
		echo "# exit status $2, want $_exp"
		return 1
	fi
}
