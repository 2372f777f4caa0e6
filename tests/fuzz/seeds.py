#!/usr/bin/env python3
"""seeds.py SRCDIR OUT IMGMETA: seed corpora for the fuzz targets.

OUT/seeds-capture: every capture in samples/captures/ and every input file
of tests/cases/*/ (not cmd nor expected.*), as they are.
OUT/seeds-reader: every item of every JSON body among them, each behind
the two selector bytes of fuzz_reader.c (envelope, request URL).
OUT/seeds-har: those that are HAR archives (a JSON object with "log").
OUT/seeds-jv: every such item and body as JSON text (non-ASCII escaped
as Nova writes it), behind fuzz_jv.c's flag byte, and texts where
simdjson and jansson could part: a key twice, integers past 2^63, -0,
\\u0000, lone surrogates, deep nesting, exponents out of range.
OUT/seeds-shard-json: those that are imgmeta JSON Lines, and the JSON
Lines output IMGMETA (the program) writes for samples/captures/.
OUT/seeds-shard-sqlite: the SQLite outputs IMGMETA writes for
samples/captures/ and for each of its files, copied into 512-byte pages
(the smallest SQLite has), in rollback and in WAL mode, and the SQLite
inputs of tests/cases/.
"""
import glob, gzip, hashlib, json, os, sqlite3, subprocess, sys, tempfile

src, out, imgmeta = sys.argv[1], sys.argv[2], sys.argv[3]
ENVS = ["", "images", "image", "metadata", "meta"]
cap = os.path.join(out, "seeds-capture")
rdr = os.path.join(out, "seeds-reader")
har = os.path.join(out, "seeds-har")
sjson = os.path.join(out, "seeds-shard-json")
ssql = os.path.join(out, "seeds-shard-sqlite")
jvs = os.path.join(out, "seeds-jv")
for d in (cap, rdr, har, sjson, ssql, jvs):
    os.makedirs(d, exist_ok=True)

def put(d, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def files():
    for top in ("samples/captures", "tests/cases"):
        for root, dirs, names in os.walk(os.path.join(src, top)):
            dirs.sort()
            for n in sorted(names):
                if n == "cmd" or n.startswith("expected."):
                    continue
                p = os.path.join(root, n)
                if os.path.getsize(p) <= 262144:
                    yield p

def bodies(data):
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except Exception:
            return
    text = data.decode("utf-8", "replace")
    for part in [text] + text.replace("\r\n", "\n").split("\n\n")[1:]:
        i = part.find("{")
        if i < 0:
            continue
        try:
            yield json.JSONDecoder().raw_decode(part[i:])[0]
        except ValueError:
            pass

for p in files():
    with open(p, "rb") as f:
        data = f.read()
    put(cap, data)
    head = data.lstrip()
    if head.startswith(b"{") and b'"log"' in data:
        put(har, data)
    if head.startswith(b'{"id"'):
        put(sjson, data)
    if data.startswith(b"SQLite format 3\0"):
        put(ssql, data)
    for body in bodies(data):
        if not isinstance(body, dict):
            continue
        items = []
        for k, v in body.items():
            if k in ENVS and isinstance(v, list):
                items += [(ENVS.index(k) | 0x10, x) for x in v]
            elif k in ENVS:
                items.append((ENVS.index(k), v))
        if not items:
            items.append((0, body))
        put(jvs, b"\x01" + json.dumps(body).encode())
        for env, item in items:
            text = json.dumps(item).encode()
            put(jvs, b"\x01" + text)
            for url in range(12):
                put(rdr, bytes([env, url]) + text)

for text in [b'{"a":1,"a":2}', b'{"a":{"b":1,"b":1}}', b'9223372036854775807',
             b'9223372036854775808', b'-9223372036854775808',
             b'-9223372036854775809', b'18446744073709551616', b'-0',
             b'-0.0', b'1e309', b'-1e400', b'1e-400', b'0.1', b'1E2',
             b'"a\\u0000b"', b'{"a\\u0000":1}', b'"\\ud800"', b'"\\udc00"',
             b'"\\ud83d\\ude00"', b'"\xed\xa0\x80"', b'"\xc0\x80"',
             b'"\x01"', b'[' * 1100 + b']' * 1100, b'[' * 2100 + b']' * 2100,
             b'{"k":[1,2.5,true,false,null,"x",{}]}', b' 1 ', b'[]',
             b'{"' + b'k' * 70000 + b'":1}']:
    put(jvs, b"\x00" + text)
    put(jvs, b"\x01" + text)

def small_pages(db, wal):
    """db's content in 512-byte pages, rollback or WAL mode, as bytes."""
    with tempfile.TemporaryDirectory() as t:
        dst = os.path.join(t, "small.db")
        con = sqlite3.connect(db)
        con.execute("VACUUM INTO ?", (dst,))
        con.close()
        con = sqlite3.connect(dst)
        con.execute("PRAGMA journal_mode = DELETE")
        con.execute("PRAGMA page_size = 512")
        con.execute("VACUUM")
        if wal:
            con.execute("PRAGMA journal_mode = WAL")
        con.close()
        with open(dst, "rb") as f:
            return f.read()

captures = sorted(glob.glob(os.path.join(src, "samples/captures/*")))
with tempfile.TemporaryDirectory() as t:
    for i, group in enumerate([captures] + [[c] for c in captures]):
        db = os.path.join(t, "%d.db" % i)
        js = os.path.join(t, "%d.jsonl" % i)
        subprocess.run([imgmeta, "-q", "-o", db] + group)
        subprocess.run([imgmeta, "-q", "-o", js] + group)
        if os.path.exists(db):
            put(ssql, small_pages(db, 0))
            put(ssql, small_pages(db, 1))
        if os.path.exists(js):
            with open(js, "rb") as f:
                put(sjson, f.read())
