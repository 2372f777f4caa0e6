#!/usr/bin/env python3
"""seeds.py SRCDIR OUT: seed corpora for the fuzz targets.

OUT/seeds-capture: every capture in samples/captures/ and every input file
of tests/cases/*/ (not cmd nor expected.*), as they are.
OUT/seeds-reader: every item of every JSON body among them, each behind
the two selector bytes of fuzz_reader.c (envelope, request URL).
"""
import gzip, hashlib, json, os, sys

src, out = sys.argv[1], sys.argv[2]
ENVS = ["", "images", "image", "metadata", "meta"]
cap = os.path.join(out, "seeds-capture")
rdr = os.path.join(out, "seeds-reader")
os.makedirs(cap, exist_ok=True)
os.makedirs(rdr, exist_ok=True)

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
        for env, item in items:
            text = json.dumps(item).encode()
            for url in range(12):
                put(rdr, bytes([env, url]) + text)
