#!/usr/bin/env python3
"""gen.py N DIR: a deterministic synthetic capture corpus of N images.
gen.py --one-file N FILE: N images as Nova v2.1 detail in ONE bare
{"images": [...]} body (the single huge export), written as it goes.

80% of the images come as Nova v2.1 detail pages (1,000 a page, bare JSON),
20% as Glance v1.1 detail pages (curl -i style, with a Date header), and
10% of all images are seen again through a v1 HEAD dump (curl -sI loop,
1,000 responses a file), so the merge has overlaps. Names include
awkward characters; each image has 0-25 properties. Same N, same bytes.

Bodies are written the way Nova and Glance write them (Python's
json.dumps with its defaults): one line, ", " and ": " between items,
no newline at the end, and every character outside ASCII escaped as
\\uXXXX (a surrogate pair beyond the BMP). Each Nova item carries the
three links Nova gives (self, bookmark, alternate).
"""
import json, os, random, sys, uuid

one_file = sys.argv[1] == "--one-file"
if one_file:
    del sys.argv[1]
n, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(20261123)
AWK = ['plain', 'comma, inside', 'quote "q"', 'ünïcödé 日本', '=formula', 'tab\tname', 'box \U0001F4E6']

def image(i):
    u = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
    md = {"key_%d" % k: "value %d %d" % (k, rnd.randrange(10**6)) for k in range(rnd.randrange(26))}
    return u, "%s %d" % (AWK[i % len(AWK)], i), md

def nova_image(u, name, md):
    path = "d9ebe43510414ef590a4aa158605329e/images/" + u
    return {"OS-EXT-IMG-SIZE:size": rnd.randrange(1, 1 << 34), "created": "2014-02-10T17:05:01Z",
            "id": u, "links": [{"href": "http://x/v2/" + path, "rel": "self"},
                               {"href": "http://x/" + path, "rel": "bookmark"},
                               {"href": "http://x/" + path, "rel": "alternate",
                                "type": "application/vnd.openstack.image"}],
            "metadata": md, "minDisk": 2, "minRam": 0, "name": name, "progress": 100,
            "status": "ACTIVE", "updated": "2014-02-10T17:05:07Z"}

if one_file:
    with open(out, "w") as f:
        f.write('{"images": [')
        for i in range(n):
            if i:
                f.write(", ")
            f.write(json.dumps(nova_image(*image(i))))
        f.write("]}")
    sys.exit(0)

os.makedirs(out, exist_ok=True)
imgs = [image(i) for i in range(n)]
nova = imgs[: n * 8 // 10]
glance = imgs[n * 8 // 10:]
for p in range(0, len(nova), 1000):
    page = [nova_image(u, name, md) for u, name, md in nova[p:p + 1000]]
    with open(os.path.join(out, "v21-detail-%06d.json" % p), "w") as f:
        json.dump({"images": page}, f)
for p in range(0, len(glance), 1000):
    page = [{"id": u, "name": name, "status": "active", "is_public": True, "container_format": "bare",
             "disk_format": "qcow2", "size": rnd.randrange(1, 1 << 34), "virtual_size": None,
             "checksum": "%032x" % rnd.getrandbits(128), "min_ram": 0, "min_disk": 1,
             "owner": "23f4cb75768d4febb39542ef6fe169f3", "created_at": "2016-05-22T06:04:20.425843",
             "updated_at": "2016-05-22T06:04:22.719791", "deleted": False, "deleted_at": None,
             "protected": False, "properties": md} for u, name, md in glance[p:p + 1000]]
    body = json.dumps({"images": page})
    with open(os.path.join(out, "v11-detail-%06d.txt" % p), "w") as f:
        f.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Mon, 23 May 2016 02:32:28 GMT\r\n\r\n" + body)
again = imgs[:: 10]
for p in range(0, len(again), 1000):
    with open(os.path.join(out, "v1-head-%06d.txt" % p), "wb") as f:
        for u, name, md in again[p:p + 1000]:
            h = ["HTTP/1.1 200 OK", "X-Image-Meta-Id: " + u, "X-Image-Meta-Status: active",
                 "X-Image-Meta-Is_public: True", "X-Image-Meta-Min_ram: 0",
                 "Date: Mon, 23 May 2016 03:00:00 GMT"]
            h += ["X-Image-Meta-Property-%s: %s" % (k, v) for k, v in list(md.items())[:5]]
            f.write(("\r\n".join(h) + "\r\n\r\n").encode())
