#!/bin/sh
# check-glance.sh: `make check-glance` (not part of make check). Proves the
# glance output against a real Glance v2: installs Debian's glance-api when
# it is missing, runs it on 127.0.0.1 with a sqlite database, the file
# store and no Keystone, POSTs every line of
#   imgmeta -f glance --glance-report report.jsonl samples/captures tests/check-glance
# reads the images back with GET /v2/images (every page, saved as capture
# files), and checks with `imgmeta --compare` that nothing differs beyond
# what the report said. TAP on standard output. Stops only the glance-api
# process it started, by its pid.
#
#   KEEP=1   leave the temporary directory (captures, logs) behind

. "$top_srcdir/tests/lib.sh"
t_tmpdir

pid=
stop_glance() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		for _i in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 1
		done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
	fi
}
finish() {
	stop_glance
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# kept $T" >&2
	else
		t_cleanup
	fi
}
trap 'finish' EXIT

# 1. glance-api (and curl), installed from Debian's repository when missing.
need=
command -v glance-api > /dev/null 2>&1 || need=glance-api
command -v curl > /dev/null 2>&1 || need="$need curl"
if [ -n "$need" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		tap_not_ok "glance-api installed (not root: apt-get install -y$need)"
		tap_done
	fi
	echo "# installing$need (about 80 s)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need \
	    > "$T/apt.log" 2>&1 ||
	    { apt-get update -q > /dev/null 2>&1 &&
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need \
	      > "$T/apt.log" 2>&1; }
fi
if command -v glance-api > /dev/null 2>&1; then
	tap_ok "glance-api installed ($(dpkg-query -W -f='${Version}' glance-api 2>/dev/null))"
else
	tap_not_ok "glance-api installed"
	tail -20 "$T/apt.log" 2>/dev/null | sed 's/^/# /'
	tap_done
fi
command -v curl > /dev/null 2>&1 || tap_bail "curl is needed"

# 2. Its configuration: 127.0.0.1 only, one process, sqlite, file store,
# no Keystone (empty paste flavor: the unauthenticated context), and a
# policy that lets that context (no roles) create public images.
port=$("$PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$T/glance" "$T/glance/images" "$T/glance/lock"
cat > "$T/glance/glance-api.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $port
workers = 0
log_file = $T/glance/glance-api.log
use_stderr = false
[database]
connection = sqlite:///$T/glance/glance.sqlite
[paste_deploy]
flavor =
config_file = /etc/glance/glance-api-paste.ini
[glance_store]
stores = file
default_store = file
filesystem_store_datadir = $T/glance/images
[oslo_policy]
policy_file = $T/glance/policy.yaml
enforce_scope = false
enforce_new_defaults = false
[oslo_concurrency]
lock_path = $T/glance/lock
CONF
cat > "$T/glance/policy.yaml" <<'CONF'
"add_image": ""
"get_image": ""
"get_images": ""
"modify_image": ""
"publicize_image": ""
"communitize_image": ""
"delete_image": ""
CONF
glance-manage --config-file "$T/glance/glance-api.conf" db_sync \
    > "$T/glance/db_sync.log" 2>&1
tap_check $? "glance-manage db_sync (sqlite)"
glance-api --config-file "$T/glance/glance-api.conf" \
    > "$T/glance/glance-api.out" 2>&1 &
pid=$!
base=http://127.0.0.1:$port
up=1
for _i in $(seq 90); do
	if curl -s -o /dev/null "$base/versions"; then up=0; break; fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 1
done
tap_check $up "glance-api (pid $pid) answers on 127.0.0.1:$port"
if [ $up -ne 0 ]; then
	tail -20 "$T/glance/glance-api.out" "$T/glance/glance-api.log" 2>/dev/null | sed 's/^/# /'
	tap_done
fi

# 3. The inventory from the deprecated APIs, and the bodies.
mkdir "$T/old"
cp -R "$top_srcdir/samples/captures" "$T/old/samples"
cp -R "$top_srcdir/tests/check-glance" "$T/old/awkward"
"$IMGMETA" -q -f glance --glance-report "$T/report.jsonl" \
    -o "$T/bodies.glance.jsonl" "$T/old" 2> "$T/imgmeta.err"
tap_check $? "imgmeta -f glance --glance-report: exit 0"
n=$(wc -l < "$T/bodies.glance.jsonl")
[ "$n" -gt 0 ]
tap_check $? "imgmeta -f glance: $n bodies"

# 4. POST each body: 201 Created.
i=0
while IFS= read -r body; do
	i=$((i + 1))
	id=$(printf '%s' "$body" | "$PYTHON3" -c 'import json, sys; print(json.load(sys.stdin)["id"])')
	code=$(printf '%s' "$body" | curl -s -o "$T/post-$i.out" -w '%{http_code}' \
	    -X POST -H 'Content-Type: application/json' --data-binary @- \
	    "$base/v2/images")
	if [ "$code" = 201 ]; then
		tap_ok "POST /v2/images $id: 201"
	else
		tap_not_ok "POST /v2/images $id: 201"
		echo "# HTTP $code: $(head -c 400 "$T/post-$i.out")"
	fi
done < "$T/bodies.glance.jsonl"

# 5. GET /v2/images, two images a page, following "next"; each page saved
# with its request line, as a capture.
mkdir "$T/new"
path="/v2/images?limit=2"
page=0
while [ -n "$path" ] && [ $page -lt 100 ]; do
	page=$((page + 1))
	f=$T/new/page-$page.txt
	printf 'GET %s HTTP/1.1\n' "$path" > "$f"
	curl -si "$base$path" >> "$f"
	path=$(sed '1,/^\r*$/d' "$f" | "$PYTHON3" -c 'import json, sys; print(json.load(sys.stdin).get("next", ""))' 2>/dev/null)
done
grep -q '^HTTP/1.1 200' "$T/new/page-1.txt"
tap_check $? "GET /v2/images: $page pages saved"

# 6. Compare, and every difference explained by the report.
"$IMGMETA" --compare -o "$T/compare.jsonl" "$T/old" "$T/new" \
    2> "$T/compare.err"
status=$?
[ $status -le 1 ]
tap_check $? "imgmeta --compare OLD NEW: exit $status (0 or 1)"
tail -1 "$T/compare.err" | sed 's/^/# /'
"$PYTHON3" - "$T/report.jsonl" "$T/compare.jsonl" > "$T/explain.txt" <<'PY'
import json, sys
report = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    for v in r["values"]:
        report[(r["id"], v["field"])] = v
diffs = [json.loads(l) for l in open(sys.argv[2])]
def tap(ok, name, why=""):
    print("%s|%s|%s" % ("ok" if ok else "not ok", name, why if not ok else ""))
unexplained = []
for d in diffs:
    f = d.get("field")
    if f is None:
        unexplained.append("image %s %s" % (d["id"], d["change"]))
        continue
    v = report.get((d["id"], f))
    if v is None:
        unexplained.append(json.dumps(d))
    elif v["kind"] == "default" and d.get("new") != v["becomes"]:
        unexplained.append("%s: Glance gave %r, the report said %r"
                           % (json.dumps(d), d.get("new"), v["becomes"]))
    elif v["kind"] != "default" and not (
            (d["change"] == "missing" and f.startswith("properties.")) or
            (d["change"] == "different" and not f.startswith("properties."))):
        unexplained.append(json.dumps(d))
tap(not unexplained, "every difference (%d) is one the report lists" % len(diffs),
    "; ".join(unexplained))
# and, the other way, everything the report says is left out of a
# compared field or property shows up as a difference
compared = ("name", "visibility", "protected", "container_format",
            "disk_format", "min_ram", "min_disk")
seen = {(d["id"], d.get("field")) for d in diffs}
silent = [k for k, v in report.items()
          if (k[1] in compared or k[1].startswith("properties."))
          and v["kind"] != "default" and k not in seen]
tap(not silent, "every reported property or settable field is a difference",
    "; ".join("%s %s" % k for k in silent))
PY
[ -s "$T/explain.txt" ] || tap_not_ok "the report explains the comparison (the check did not run)"
while IFS='|' read -r verdict name why; do
	if [ "$verdict" = ok ]; then
		tap_ok "$name"
	else
		tap_not_ok "$name"
		echo "# $why"
	fi
done < "$T/explain.txt"

# What the report and the comparison said, for the log.
sed 's/^/# report: /' "$T/report.jsonl"
sed 's/^/# compare: /' "$T/compare.jsonl"
stop_glance
tap_done
