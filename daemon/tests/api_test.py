#!/usr/bin/env python3
# The REST API end to end: starts the real bootsand on 127.0.0.1 (a free
# port) with a temporary state directory and exercises every endpoint and
# every error status, an image clone job, a restart, and a short fuzz pass.
# Needs no kernel module. Prints TAP.
#
#   daemon/tests/api_test.py [path/to/bootsand]
import http.client
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "bootsand"))
VERSION = subprocess.run([os.path.join(HERE, "..", "..", "scripts", "version")],
                         capture_output=True, text=True).stdout.strip()
FUZZ_SECONDS = float(os.environ.get("FUZZ_SECONDS", "5"))

n = 0
failed = 0


def ok(cond, name, diag=""):
    global n, failed
    n += 1
    if cond:
        print(f"ok {n} {name}")
    else:
        failed += 1
        print(f"not ok {n} {name}")
        for line in str(diag).splitlines()[:20]:
            print(f"#   {line}")
    sys.stdout.flush()
    return cond


class Daemon:
    def __init__(self, state):
        self.state = state
        self.proc = None
        self.log = os.path.join(state + ".log")
        self.port = None
        self.token = None

    def start(self, extra=()):
        self.logf = open(self.log, "a")
        self.proc = subprocess.Popen([BIN, "--state-dir", self.state, "--listen", "127.0.0.1:0",
                                      "--log-level", "debug", *extra],
                                     stdout=self.logf, stderr=self.logf)
        start = os.path.getsize(self.log)
        deadline = time.time() + 20
        while time.time() < deadline:
            text = open(self.log, errors="replace").read()[start:]
            m = re.findall(r"listening on http://127\.0\.0\.1:(\d+)", text)
            if m and "ready" in text.split("listening on")[-1]:
                self.port = int(m[-1])
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if self.port:
            self.token = open(os.path.join(self.state, "api-token")).read().strip()
        return self.port is not None

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.logf.close()
        return rc

    def alive(self):
        return self.proc.poll() is None

    def logtext(self):
        return open(self.log, errors="replace").read()


D = None


class Resp:
    def __init__(self, r, body):
        self.status = r.status
        self.headers = r
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        return self.headers.getheader(name) if hasattr(self.headers, "getheader") else None

    def __repr__(self):
        return f"{self.status} {self.raw[:300]!r}"


def req(method, path, body=None, token=True, ctype="application/json", headers=None,
        chunked=False, timeout=30):
    c = http.client.HTTPConnection("127.0.0.1", D.port, timeout=timeout)
    h = dict(headers or {})
    if token is True:
        h["Authorization"] = "Bearer " + D.token
    elif token:
        h["Authorization"] = token
    if body is not None:
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        if ctype:
            h["Content-Type"] = ctype
    if chunked:
        def gen():
            for i in range(0, len(body), 65536):
                yield body[i:i + 65536]
        c.request(method, path, body=gen(), headers=h, encode_chunked=True)
    else:
        c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    resp = Resp(r, data)
    resp.headers = {k.lower(): v for k, v in r.getheaders()}
    resp.header = lambda name: resp.headers.get(name.lower())
    c.close()
    return resp


def expect(name, r, status, field=None):
    good = r.status == status
    if status >= 400:
        good = good and isinstance(r.json, dict) and isinstance(r.json.get("error"), str)
        if field is not None:
            good = good and r.json.get("field") == field
    return ok(good, name, f"got {r!r}, want {status}" + (f" field {field}" if field else ""))


def image_file(name):
    return os.path.join(D.state, "images", name + ".img")


def unknown_fields():
    """Every POST/PUT/PATCH body: an unknown field is a 400 naming it, and nothing is made."""
    cases = [
        ("POST", "/api/v1/images", {"name": "uf-img", "size_bytes": 512, "sise": 1}, "sise"),
        ("POST", "/api/v1/images/uf-none/resize", {"size_bytes": 1024, "grow": True}, "grow"),
        ("POST", "/api/v1/images/uf-none/versions", {"from": "x", "form": "y"}, "form"),
        ("POST", "/api/v1/images/uf-none/flatten", {"forse": True}, "forse"),
        ("POST", "/api/v1/portals", {"address": "127.0.0.9", "prot": 3263}, "prot"),
        ("POST", "/api/v1/profiles", {"name": "uf-p1", "kind": "local", "colour": "red"}, "colour"),
        ("POST", "/api/v1/profiles", {"name": "uf-p2", "kind": "linux", "kernel": "http://x/k",
                                      "cmdline": "quiet"}, "cmdline"),
        ("POST", "/api/v1/profiles", {"name": "uf-p3", "kind": "linux", "kernel": "http://x/k",
                                      "url": "http://x/"}, "url"),
        ("POST", "/api/v1/profiles", {"name": "uf-p4", "kind": "linux",
                                      "kernel": {"path": "http://x/k", "sha256": "00"}}, "kernel"),
        ("POST", "/api/v1/profiles", {"name": "uf-p5", "kind": "menu",
                                      "items": [{"profile": "uf-any", "label": "A", "hotkey": "a"}]}, "items"),
        ("POST", "/api/v1/clients", {"name": "uf-c", "mac": ["52:54:00:00:99:01"], "rack": "b12"}, "rack"),
        ("PUT", "/api/v1/settings", {"enrolment": "deny"}, "enrolment"),
        ("POST", "/api/v1/targets", {"iqn": "iqn.2026-01.org.test:uf", "luns": [], "allow_any": True},
         "allow_any"),
        ("POST", "/api/v1/targets", {"iqn": "iqn.2026-01.org.test:uf", "chap": {"user": "u", "pass": "x"}},
         "pass"),
        ("POST", "/api/v1/targets", {"iqn": "iqn.2026-01.org.test:uf", "luns": [{"lun": 0, "image": "x",
                                                                                 "ro": True}]}, "ro"),
        ("PATCH", "/api/v1/targets/iqn.2026-01.org.test:uf", {"allow_any": True}, "allow_any"),
    ]
    for method, path, body, field in cases:
        r = req(method, path, body)
        ok(r.status == 400 and isinstance(r.json, dict) and r.json.get("field") == field and
           field in r.json.get("error", ""), f"unknown fields: {method} {path} with '{field}' is 400 naming it", r)
    for coll, name in [("images", "uf-img"), ("clients", "uf-c")] + [("profiles", f"uf-p{i}") for i in range(1, 6)]:
        expect(f"unknown fields: no {coll[:-1]} {name} was made", req("GET", f"/api/v1/{coll}/{name}"), 404)
    r = req("POST", "/api/v1/profiles", {"name": "uf-ok", "kind": "linux", "title": "T", "raw_ipxe": False,
                                         "selector": {"any-label": "x"},
                                         "kernel": {"path": "http://x/k", "name": "vmlinuz"},
                                         "initrds": ["http://x/i"], "args": "quiet"})
    expect("unknown fields: a profile with only known fields (and any label in its selector) is 201", r, 201)
    req("DELETE", "/api/v1/profiles/uf-ok")


def wait_job_at(loc, seconds=60):
    job = None
    deadline = time.time() + seconds
    while time.time() < deadline:
        job = req("GET", loc).json
        if job and job.get("state") in ("done", "failed"):
            break
        time.sleep(0.1)
    return job


MiB = 1024 * 1024


def overlays():
    """Copy-on-write overlays over a golden image, as far as the store and the
    files go (the kernel's side is selftests/bootsand_test.sh): made at once,
    the golden immutable under them, versions, clone, reset, flatten."""
    chunk = 65536
    images = os.path.join(D.state, "images")
    rnd = random.Random(19)
    gold = rnd.randbytes(4 * MiB)
    expect("overlays: a golden image", req("POST", "/api/v1/images", {"name": "og", "size_bytes": 4 * MiB}), 201)
    with open(image_file("og"), "r+b") as f:
        f.write(gold)
    r = req("POST", "/api/v1/images", {"name": "ov1", "from": "og", "mode": "overlay"})
    expect("overlays: POST with mode overlay makes one at once (201)", r, 201)
    j = r.json or {}
    ok(j.get("golden") == "og" and j.get("golden_version") == 1 and j.get("written_bytes") == 0 and
       j.get("size_bytes") == 4 * MiB and j.get("state") == "ready" and "job" not in j and
       r.header("Location") == "/api/v1/images/ov1",
       "overlays: it shows its golden, the version, and nothing written", j)
    delta = os.path.join(images, "ov1.delta")
    ok(os.path.getsize(delta) == 4 * MiB and os.stat(delta).st_blocks == 0 and not os.path.exists(image_file("ov1")),
       "overlays: its delta is a sparse file of the golden's size (and it has no .img)")
    v1 = os.path.join(images, "og@1.img")
    ok(os.path.exists(v1) and os.stat(v1).st_ino == os.stat(image_file("og")).st_ino,
       "overlays: the golden's version 1 is a hard link to its file")
    r = req("GET", "/api/v1/images/og")
    ok(r.json.get("version") == 1 and r.json.get("overlays") == 1 and "golden" not in r.json,
       "overlays: the golden shows its version and its overlay", r)
    # The page cache its overlays share: the golden's data was just written
    # (so it is cached), and its file and version 1 (one inode) count once.
    ok(0 < r.json.get("cached_bytes", -1) <= 4 * MiB and "cached_bytes" not in req("GET", "/api/v1/images/ov1").json,
       "overlays: the golden shows its bytes in the page cache, counted once (the overlay none)", r)
    expect("overlays: mode without from is 400",
           req("POST", "/api/v1/images", {"name": "ov9", "size_bytes": 512, "mode": "overlay"}), 400, "mode")
    expect("overlays: an unknown mode is 400",
           req("POST", "/api/v1/images", {"name": "ov9", "from": "og", "mode": "snap"}), 400, "mode")
    expect("overlays: of an unknown image is 400",
           req("POST", "/api/v1/images", {"name": "ov9", "from": "nope", "mode": "overlay"}), 400, "from")
    expect("overlays: of an overlay is 409",
           req("POST", "/api/v1/images", {"name": "ov9", "from": "ov1", "mode": "overlay"}), 409, "from")
    expect("overlays: onto a name taken is 409",
           req("POST", "/api/v1/images", {"name": "ov1", "from": "og", "mode": "overlay"}), 409, "name")
    expect("overlays: named like a golden's version is 400",
           req("POST", "/api/v1/images", {"name": "og@1", "from": "og", "mode": "overlay"}), 400, "name")

    # The golden does not change under its overlays.
    r = req("DELETE", "/api/v1/images/og")
    expect("golden: DELETE is 409 while overlays use it", r, 409)
    ok("ov1" in (r.json or {}).get("error", ""), "golden: the error names the overlay", r)
    expect("golden: it does not grow", req("POST", "/api/v1/images/og/resize", {"size_bytes": 8 * MiB}), 409)
    expect("overlays: an overlay does not grow", req("POST", "/api/v1/images/ov1/resize", {"size_bytes": 8 * MiB}), 409)
    r = req("POST", "/api/v1/targets", {"iqn": "iqn.2024-01.org.example:og", "luns": [{"lun": 0, "image": "og"}]})
    expect("golden: a read-write LUN on it is 409", r, 409, "luns")
    ok("read_only" in (r.json or {}).get("error", ""), "golden: the error says a read_only target may serve it", r)
    expect("overlays: a direct LUN on an overlay is 400",
           req("POST", "/api/v1/targets", {"iqn": "iqn.2024-01.org.example:ov", "read_only": True,
                                           "luns": [{"lun": 0, "image": "ov1", "direct": True}]}), 400, "luns")
    ok(os.stat(v1).st_ino == os.stat(image_file("og")).st_ino and open(v1, "rb").read() == gold,
       "golden: unchanged")

    # What the kernel leaves in a delta: whole chunks are written, a chunk
    # only partly allocated is a copy-up that never completed (reads the golden).
    with open(delta, "r+b") as f:
        f.seek(chunk)
        f.write(b"\xaa" * chunk)
        f.seek(MiB + 4096)
        f.write(b"\xbb" * 4096)
        f.seek(2 * MiB)
        f.write(b"\0" * chunk)
        f.seek(4 * MiB - chunk)
        f.write(b"\xcc" * chunk)
        os.fsync(f.fileno())
    want = bytearray(gold)
    want[chunk:2 * chunk] = b"\xaa" * chunk
    want[2 * MiB:2 * MiB + chunk] = bytes(chunk)
    want[4 * MiB - chunk:] = b"\xcc" * chunk
    r = req("GET", "/api/v1/images/ov1")
    ok(r.json.get("written_bytes", 0) >= 3 * chunk and r.json["written_bytes"] == r.json["allocated_bytes"],
       "overlays: written_bytes is the delta's allocation", r)
    r = req("POST", "/api/v1/images", {"name": "ovc", "from": "ov1"})
    expect("overlays: a clone of an overlay is a job (202)", r, 202)
    job = wait_job_at(r.header("Location") or "/api/v1/jobs/0")
    ok(job and job["state"] == "done", "overlays: the clone finishes", job)
    ok(open(image_file("ovc"), "rb").read() == bytes(want),
       "overlays: the clone holds the golden with the overlay's written chunks (a partial one not)")
    r = req("GET", "/api/v1/images/ovc")
    ok(r.status == 200 and "golden" not in r.json, "overlays: the clone is an ordinary image", r)

    # A new version of the golden: the overlays keep theirs.
    gold2 = rnd.randbytes(2 * MiB)
    expect("versions: a staging image", req("POST", "/api/v1/images", {"name": "og2", "size_bytes": 2 * MiB}), 201)
    with open(image_file("og2"), "r+b") as f:
        f.write(gold2)
    expect("versions: from itself is 400", req("POST", "/api/v1/images/og/versions", {"from": "og"}), 400, "from")
    expect("versions: from an unknown image is 400",
           req("POST", "/api/v1/images/og/versions", {"from": "nope"}), 400, "from")
    expect("versions: from an overlay is 409", req("POST", "/api/v1/images/og/versions", {"from": "ov1"}), 409, "from")
    expect("versions: of an unknown image is 404", req("POST", "/api/v1/images/nope/versions", {"from": "og2"}), 404)
    r = req("POST", "/api/v1/images/og/versions", {"from": "og2"})
    expect("versions: POST .../versions makes og2 og's version 2 (201)", r, 201)
    ok(r.json and r.json.get("version") == 2 and r.json.get("size_bytes") == 2 * MiB, "versions: at version 2", r)
    expect("versions: og2 is gone", req("GET", "/api/v1/images/og2"), 404)
    ok(not os.path.exists(image_file("og2")) and open(image_file("og"), "rb").read() == gold2 and
       open(v1, "rb").read() == gold, "versions: og's file is the new version, version 1 stays for its overlay")
    r = req("GET", "/api/v1/images/ov1")
    ok(r.json.get("golden_version") == 1 and r.json.get("size_bytes") == 4 * MiB, "versions: ov1 keeps version 1", r)
    r = req("POST", "/api/v1/images", {"name": "ov2", "from": "og", "mode": "overlay"})
    ok(r.status == 201 and r.json.get("golden_version") == 2 and r.json.get("size_bytes") == 2 * MiB,
       "versions: a new overlay gets version 2", r)
    r = req("GET", "/api/v1/images/og/versions")
    vs = (r.json or {}).get("versions", [])
    ok(r.status == 200 and [(v["version"], v["current"], v["overlays"]) for v in vs] == [(1, False, 1), (2, True, 1)]
       and vs[1].get("from") == "og2", "versions: GET lists version 1 (one overlay) and 2 (current, from og2)", r)

    # Reset: a fresh delta over the current version.
    expect("reset: of an ordinary image is 409", req("POST", "/api/v1/images/og/reset", {}), 409)
    expect("reset: of an unknown image is 404", req("POST", "/api/v1/images/nope/reset", {}), 404)
    expect("reset: an unknown field is 400", req("POST", "/api/v1/images/ov1/reset", {"forse": True}), 400)
    r = req("POST", "/api/v1/images/ov1/reset", {})
    ok(r.status == 200 and r.json.get("golden_version") == 2 and r.json.get("written_bytes") == 0 and
       r.json.get("size_bytes") == 2 * MiB, "reset: ov1 is fresh, over version 2", r)
    ok(not os.path.exists(v1) and not os.path.exists(os.path.join(images, "ov1.reset")),
       "reset: version 1's file went with its last overlay")

    # Flatten: an ordinary image of what the overlay holds.
    d2 = os.path.join(images, "ov2.delta")
    with open(d2, "r+b") as f:
        f.seek(3 * chunk)
        f.write(b"\xdd" * chunk)
    want2 = bytearray(gold2)
    want2[3 * chunk:4 * chunk] = b"\xdd" * chunk
    expect("flatten: of an ordinary image is 409", req("POST", "/api/v1/images/og/flatten", {}), 409)
    r = req("POST", "/api/v1/images/ov2/flatten", {})
    expect("flatten: a job (202)", r, 202)
    ok(r.json and r.json.get("kind") == "flatten" and r.json.get("subject") == "ov2", "flatten: the reply is the job", r)
    job = wait_job_at(r.header("Location") or "/api/v1/jobs/0")
    ok(job and job["state"] == "done" and job["progress"] == 100, "flatten: the job finishes", job)
    r = req("GET", "/api/v1/images/ov2")
    ok(r.status == 200 and "golden" not in r.json and r.json["state"] == "ready" and r.json["size_bytes"] == 2 * MiB,
       "flatten: ov2 is an ordinary image", r)
    ok(open(image_file("ov2"), "rb").read() == bytes(want2) and not os.path.exists(d2),
       "flatten: its file is the golden with its writes, and its delta is gone")
    r = req("GET", "/api/v1/jobs")
    ok(any(x["kind"] == "flatten" and x["state"] == "done" for x in r.json["jobs"]), "flatten: listed among the jobs")
    for name in ("ov1", "ov2", "ovc"):
        expect(f"overlays: DELETE {name}", req("DELETE", "/api/v1/images/" + name), 204)
    ok(not os.path.exists(delta), "overlays: a deleted overlay's delta is gone")
    expect("golden: deletable once its overlays are gone", req("DELETE", "/api/v1/images/og"), 204)
    left = [f for f in os.listdir(images) if f.startswith(("og", "ov"))]
    ok(not left, "overlays: no file is left", left)


def pending_clients():
    """Pending clients (the register policy): approve makes one active, deny forgets it."""
    expect("pending: approving an unknown client is 404", req("POST", "/api/v1/clients/nope/approve"), 404, "name")
    expect("pending: denying an unknown client is 404", req("POST", "/api/v1/clients/nope/deny"), 404, "name")
    expect("pending: approve needs the token", req("POST", "/api/v1/clients/nope/approve", token=None), 401)
    expect("pending: GET on approve is 405", req("GET", "/api/v1/clients/nope/approve"), 405)
    expect("pending: a local profile", req("POST", "/api/v1/profiles", {"name": "pend-local", "kind": "local"}), 201)
    expect("pending: enrollment register", req("PUT", "/api/v1/settings", {"enrollment": "register",
                                                                         "default_profile": "pend-local"}), 200)
    for mac in ("52:54:00:a0:00:01", "52:54:00:a0:00:02"):
        r = req("GET", "/boot/ipxe?mac=" + mac, token=None)
        ok(r.status == 200, f"pending: {mac} boots under register", r)
    a, b = "mac-525400a00001", "mac-525400a00002"
    r = req("GET", "/api/v1/history?limit=1")
    ok(r.status == 200 and [h.get("client") for h in r.json.get("history", [])] == [b] and
       isinstance(r.json.get("next"), int), "history: every client's boots, newest first, a page at a time", r)
    r = req("GET", "/api/v1/history?after=%d" % (r.json or {}).get("next", 0))
    ok(r.status == 200 and [h.get("client") for h in r.json.get("history", [])] == [a] and "next" not in r.json,
       "history: the next page has the older boot, and is the last", r)
    expect("history: a bad after is 400", req("GET", "/api/v1/history?after=x"), 400, "after")
    expect("history: needs the token", req("GET", "/api/v1/history", token=None), 401)
    ok(req("GET", "/api/v1/clients/" + a).json.get("state") == "pending", "pending: it is recorded pending")
    expect("pending: enrollment deny", req("PUT", "/api/v1/settings", {"enrollment": "deny"}), 200)
    r = req("GET", "/boot/ipxe?mac=52:54:00:a0:00:01", token=None)
    ok(b"not approved" in r.raw, "pending: under deny a pending client is told it is not approved", r)
    r = req("POST", f"/api/v1/clients/{a}/approve")
    ok(r.status == 200 and r.json.get("name") == a and r.json.get("state") == "active",
       "pending: approve answers the client, now active", r)
    ok(req("GET", "/api/v1/clients/" + a).json.get("state") == "active", "pending: it is kept active")
    r = req("GET", "/boot/ipxe?mac=52:54:00:a0:00:01", token=None)
    ok(r.status == 200 and b"not approved" not in r.raw and b"profile pend-local" in r.raw,
       "pending: once approved it boots its profile under deny", r)
    expect("pending: approving an active client is 409", req("POST", f"/api/v1/clients/{a}/approve"), 409, "state")
    expect("pending: denying an active client is 409", req("POST", f"/api/v1/clients/{a}/deny"), 409, "state")
    expect("pending: and it is still there", req("GET", "/api/v1/clients/" + a), 200)
    expect("pending: deny forgets a pending client (204)", req("POST", f"/api/v1/clients/{b}/deny"), 204)
    expect("pending: it is gone", req("GET", "/api/v1/clients/" + b), 404)
    expect("pending: denying it again is 404", req("POST", f"/api/v1/clients/{b}/deny"), 404, "name")
    spec = req("GET", "/api/v1/openapi.json").json or {}
    for verb in ("approve", "deny"):
        ok("post" in spec.get("paths", {}).get("/api/v1/clients/{name}/" + verb, {}),
           f"pending: the OpenAPI document has POST /api/v1/clients/{{name}}/{verb}")
    text = req("GET", "/metrics", token=None).raw.decode()
    for line in ['bootsand_enrollments_total{outcome="registered"} 2', 'bootsand_enrollments_total{outcome="approved"} 1',
                 'bootsand_enrollments_total{outcome="denied"} 1', 'bootsand_enrollments_total{outcome="limited"} 0',
                 'bootsand_boots_total{via="ipxe",profile="pend-local",result="profile"} 3',
                 'bootsand_boots_total{via="ipxe",profile="",result="refused"} 1',
                 "# TYPE bootsand_boots_total counter", "# TYPE bootsand_enrollments_total counter"]:
        ok(line in text.splitlines(), f"metrics: {line}", "\n".join(l for l in text.splitlines() if "_boots_total" in l or "enroll" in l))
    r = req("GET", "/boot/ipxe?mac=52:54:00:a0:00:09", token=None)
    ok(b"not enrolled" in r.raw or r.status == 200, "pending: an unknown machine under deny is refused", r)
    text = req("GET", "/metrics", token=None).raw.decode()
    ok('bootsand_enrollments_total{outcome="refused"} 1' in text.splitlines(),
       "metrics: an unknown machine refused under deny is an enrollment refused",
       "\n".join(l for l in text.splitlines() if "enroll" in l))
    expect("pending: DELETE the approved client", req("DELETE", "/api/v1/clients/" + a), 204)
    expect("pending: settings back", req("PUT", "/api/v1/settings", {"default_profile": ""}), 200)
    expect("pending: DELETE the profile", req("DELETE", "/api/v1/profiles/pend-local"), 204)


def main():
    global D
    tmp = tempfile.mkdtemp(prefix="bootsand-api-test.")
    state = os.path.join(tmp, "state")
    print("TAP version 13")
    D = Daemon(state)
    try:
        run(tmp, state)
    finally:
        if D.proc and D.alive():
            D.stop(signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{n}")
    return 1 if failed else 0


def run(tmp, state):
    if not ok(D.start(), "bootsand starts on 127.0.0.1 with a new state directory", D.logtext()):
        return
    tok = os.path.join(state, "api-token")
    st = os.stat(tok)
    ok(st.st_mode & 0o777 == 0o600, "the API token file is mode 0600", oct(st.st_mode))
    ok(re.fullmatch(r"[0-9a-f]{64}", D.token), "the token is 32 random bytes as hex", D.token)
    ok(os.path.exists(os.path.join(state, "bootsand.db-wal")), "the database is in WAL mode")

    # ---- auth ----
    r = req("GET", "/api/v1/status", token=None)
    expect("401 without a token", r, 401)
    ok((r.header("WWW-Authenticate") or "").startswith("Bearer"), "401 carries WWW-Authenticate: Bearer",
       r.headers)
    r = req("GET", "/api/v1/status", token="Bearer " + "0" * 64)
    expect("401 with a wrong token", r, 401)
    ok("invalid_token" in (r.header("WWW-Authenticate") or ""), "a wrong token is invalid_token")
    expect("401 with a token of another scheme", req("GET", "/api/v1/status", token="Basic " + D.token), 401)
    expect("401 with the token as a prefix", req("GET", "/api/v1/status", token="Bearer " + D.token[:-1]), 401)
    expect("401 on an unknown /api/ path without a token", req("GET", "/api/v1/nope", token=None), 401)
    expect("401 before 415 and 400", req("POST", "/api/v1/images", body="x", ctype="text/plain", token=None), 401)
    expect("the scheme is case-insensitive", req("GET", "/api/v1/status", token="bearer " + D.token), 200)

    # ---- status ----
    r = req("GET", "/api/v1/status")
    expect("GET /api/v1/status", r, 200)
    s = r.json or {}
    ok(s.get("version") == VERSION, "status: the project version", s)
    ok(s.get("kernel", {}).get("available") is False, "status: the kernel side is unavailable", s)
    ok(isinstance(s.get("uptime_seconds"), int) and s.get("counts", {}).get("portals") == 1,
       "status: uptime and counts (the default portal)", s)
    ok(r.header("Content-Type") == "application/json", "status: application/json")
    r = req("HEAD", "/api/v1/status")
    ok(r.status == 200 and r.raw == b"", "HEAD is served by GET routes, without a body", r)

    # ---- 404 / 405 ----
    expect("404 on an unknown path", req("GET", "/api/v1/nope"), 404)
    expect("404 outside /api", req("GET", "/nope", token=None), 404)
    r = req("PUT", "/api/v1/images")
    expect("405 on a known path with another method", r, 405)
    ok(set((r.header("Allow") or "").split(", ")) == {"GET", "HEAD", "POST"}, "405 lists Allow", r.headers)
    expect("405 on DELETE /api/v1/status", req("DELETE", "/api/v1/status"), 405)

    # ---- every collection: an object with its items in a named array ----
    for coll in ["images", "jobs", "portals", "targets", "profiles", "clients"]:
        r = req("GET", "/api/v1/" + coll)
        ok(r.status == 200 and isinstance(r.json, dict) and isinstance(r.json.get(coll), list),
           f"GET /api/v1/{coll} is {{\"{coll}\": [...]}}", r)
    spec = req("GET", "/api/v1/openapi.json").json or {}
    for coll in ["images", "jobs", "portals", "targets", "sessions", "profiles", "clients"]:
        schema = (spec.get("paths", {}).get("/api/v1/" + coll, {}).get("get", {}).get("responses", {})
                  .get("200", {}).get("content", {}).get("application/json", {}).get("schema", {}))
        ok(schema.get("type") == "object" and schema.get("required") == [coll] and
           schema.get("properties", {}).get(coll, {}).get("type") == "array",
           f"the OpenAPI document gives GET /api/v1/{coll} that shape", schema)

    # ---- portals ----
    r = req("GET", "/api/v1/portals")
    ok(r.status == 200 and
       r.json == {"portals": [{"address": "0.0.0.0", "port": 3260, "tpgt": 1, "max_connections": 0,
                               "login_timeout_s": 0}]},
       "a default portal 0.0.0.0:3260 exists after the first start", r)
    r = req("POST", "/api/v1/portals", {"address": "::1", "port": 3261})
    expect("POST /api/v1/portals (IPv6)", r, 201)
    ok(r.header("Location") == "/api/v1/portals/[::1]:3261", "its Location", r.headers)
    expect("a duplicate portal is 409", req("POST", "/api/v1/portals", {"address": "0:0::1", "port": 3261}), 409)
    expect("a portal with a bad address is 400", req("POST", "/api/v1/portals", {"address": "example.com"}), 400, "address")
    expect("a portal on port 0 is 400", req("POST", "/api/v1/portals", {"address": "127.0.0.1", "port": 0}), 400, "port")
    expect("a portal with tpgt 70000 is 400", req("POST", "/api/v1/portals", {"address": "127.0.0.1", "tpgt": 70000}), 400, "tpgt")
    expect("a portal with a string port is 400", req("POST", "/api/v1/portals", {"address": "127.0.0.1", "port": "1"}), 400, "port")
    r = req("POST", "/api/v1/portals", {"address": "127.0.0.1"})
    ok(r.status == 201 and r.json == {"address": "127.0.0.1", "port": 3260, "tpgt": 1, "max_connections": 0,
                                      "login_timeout_s": 0},
       "portal defaults: port 3260, tpgt 1, max_connections and login_timeout_s 0 (the module's defaults)", r)
    for bad in [-1, 2 ** 32, "8", 1.5, None]:
        expect(f"a portal with max_connections {bad!r} is 400",
               req("POST", "/api/v1/portals", {"address": "127.0.0.1", "port": 3262, "max_connections": bad}),
               400, "max_connections")
    for bad in [-1, 3601, 2 ** 32, "30", 1.5, None]:
        expect(f"a portal with login_timeout_s {bad!r} is 400",
               req("POST", "/api/v1/portals", {"address": "127.0.0.1", "port": 3262, "login_timeout_s": bad}),
               400, "login_timeout_s")
    r = req("POST", "/api/v1/portals", {"address": "127.0.0.1", "port": 3262, "max_connections": 8,
                                        "login_timeout_s": 30})
    ok(r.status == 201 and r.json.get("max_connections") == 8 and r.json.get("login_timeout_s") == 30,
       "a portal with max_connections 8 and login_timeout_s 30", r)
    r = req("POST", "/api/v1/portals", {"address": "127.0.0.1", "port": 3264, "login_timeout_s": 3600})
    ok(r.status == 201 and r.json.get("login_timeout_s") == 3600, "login_timeout_s 3600 is taken", r)
    expect("DELETE it", req("DELETE", "/api/v1/portals/127.0.0.1:3264"), 204)
    r = req("POST", "/api/v1/portals", {"address": "127.0.0.1", "port": 3263, "max_connections": 2 ** 32 - 1})
    ok(r.status == 201 and r.json.get("max_connections") == 2 ** 32 - 1, "max_connections 4294967295 is taken", r)
    expect("DELETE it", req("DELETE", "/api/v1/portals/127.0.0.1:3263"), 204)
    ports = [(p["port"], p["max_connections"]) for p in req("GET", "/api/v1/portals").json["portals"]]
    ok(len(ports) == 4 and (3262, 8) in ports, "four portals listed, with their limits", ports)
    expect("DELETE /api/v1/portals/[::1]:3261", req("DELETE", "/api/v1/portals/[::1]:3261"), 204)
    expect("deleting it again is 404", req("DELETE", "/api/v1/portals/[::1]:3261"), 404)
    expect("a malformed portal key is 404", req("DELETE", "/api/v1/portals/nonsense"), 404)
    expect("DELETE the default portal", req("DELETE", "/api/v1/portals/0.0.0.0:3260"), 204)

    # ---- images ----
    MiB = 1 << 20
    r = req("POST", "/api/v1/images", {"name": "gold", "size_bytes": 64 * MiB})
    expect("POST /api/v1/images creates an image", r, 201)
    ok(r.header("Location") == "/api/v1/images/gold", "its Location", r.headers)
    ok(r.json and r.json.get("size_bytes") == 64 * MiB and r.json.get("state") == "ready", "its JSON", r)
    st = os.stat(image_file("gold"))
    ok(st.st_size == 64 * MiB and st.st_blocks == 0, "a sparse file of that size", (st.st_size, st.st_blocks))
    expect("a duplicate image is 409", req("POST", "/api/v1/images", {"name": "gold", "size_bytes": MiB}), 409, "name")
    r = req("GET", "/api/v1/images/gold")
    ok(r.status == 200 and r.json["name"] == "gold" and r.json["luns"] == 0, "GET /api/v1/images/gold", r)
    r = req("GET", "/api/v1/images")
    ok(r.status == 200 and [i["name"] for i in r.json["images"]] == ["gold"], "GET /api/v1/images", r)
    expect("GET an unknown image is 404", req("GET", "/api/v1/images/nope"), 404)
    expect("GET an invalid image name is 404", req("GET", "/api/v1/images/NOPE"), 404)

    # 400s
    expect("400 on invalid JSON", req("POST", "/api/v1/images", "{\"name\": "), 400)
    expect("400 on an empty body", req("POST", "/api/v1/images", ""), 400)
    expect("400 on a JSON array", req("POST", "/api/v1/images", [1, 2]), 400)
    expect("400 on duplicate keys", req("POST", "/api/v1/images", '{"name": "a", "name": "b", "size_bytes": 512}'), 400)
    expect("400 on a wrong type (name)", req("POST", "/api/v1/images", {"name": 5, "size_bytes": 512}), 400, "name")
    expect("400 on a wrong type (size_bytes)", req("POST", "/api/v1/images", {"name": "a", "size_bytes": "512"}), 400, "size_bytes")
    expect("400 on a real size", req("POST", "/api/v1/images", {"name": "a", "size_bytes": 512.0}), 400, "size_bytes")
    expect("400 on an unknown field", req("POST", "/api/v1/images", {"name": "a", "size_bytes": 512, "colour": "red"}), 400, "colour")
    expect("400 on a missing name", req("POST", "/api/v1/images", {"size_bytes": 512}), 400, "name")
    expect("400 on an invalid name", req("POST", "/api/v1/images", {"name": "../etc", "size_bytes": 512}), 400, "name")
    expect("400 on a too long name", req("POST", "/api/v1/images", {"name": "a" * 65, "size_bytes": 512}), 400, "name")
    expect("400 on a negative size", req("POST", "/api/v1/images", {"name": "a", "size_bytes": -512}), 400, "size_bytes")
    expect("400 on a size not a multiple of 512", req("POST", "/api/v1/images", {"name": "a", "size_bytes": 1000}), 400, "size_bytes")
    expect("400 on a huge size", req("POST", "/api/v1/images", {"name": "a", "size_bytes": 2 ** 62}), 400, "size_bytes")
    expect("400 on neither size_bytes nor from", req("POST", "/api/v1/images", {"name": "a"}), 400)
    expect("400 on both size_bytes and from", req("POST", "/api/v1/images", {"name": "a", "size_bytes": 512, "from": "gold"}), 400)
    # 415
    expect("415 on text/plain", req("POST", "/api/v1/images", {"name": "a", "size_bytes": 512}, ctype="text/plain"), 415)
    expect("415 without a Content-Type", req("POST", "/api/v1/images", {"name": "a", "size_bytes": 512}, ctype=None), 415)
    expect("application/json; charset=utf-8 is fine",
           req("POST", "/api/v1/images", {"name": "small", "size_bytes": 512}, ctype="application/json; charset=utf-8"), 201)
    # 413
    huge = '{"name": "' + "a" * (2 * MiB) + '"}'
    expect("413 on a 2 MiB body", req("POST", "/api/v1/images", huge), 413)
    expect("413 on a 2 MiB chunked body", req("POST", "/api/v1/images", huge, chunked=True), 413)
    expect("a body just under 1 MiB is read (400, not 413)",
           req("POST", "/api/v1/images", '{"name": "' + "a" * (MiB - 100) + '", "size_bytes": 512}'), 400, "name")

    # resize
    r = req("POST", "/api/v1/images/small/resize", {"size_bytes": 4096})
    ok(r.status == 200 and r.json["size_bytes"] == 4096 and os.stat(image_file("small")).st_size == 4096,
       "resize grows an image", r)
    expect("resize to the same size is fine", req("POST", "/api/v1/images/small/resize", {"size_bytes": 4096}), 200)
    expect("resize never shrinks (400)", req("POST", "/api/v1/images/small/resize", {"size_bytes": 512}), 400, "size_bytes")
    expect("resize of an unknown image is 404", req("POST", "/api/v1/images/nope/resize", {"size_bytes": 4096}), 404)
    expect("resize with an unknown field is 400", req("POST", "/api/v1/images/small/resize", {"size": 4096}), 400)
    expect("resize with text/plain is 415", req("POST", "/api/v1/images/small/resize", {"size_bytes": 4096}, ctype="text/plain"), 415)
    expect("GET on the resize path is 405", req("GET", "/api/v1/images/small/resize"), 405)

    # ---- clone job ----
    rnd = random.Random(42)
    with open(image_file("gold"), "r+b") as f:
        for off in (0, 5 * MiB + 123, 33 * MiB, 64 * MiB - 4096):
            f.seek(off)
            f.write(rnd.randbytes(4096))
        f.seek(48 * MiB)
        f.write(rnd.randbytes(3 * MiB))
    r = req("POST", "/api/v1/images", {"name": "pc1", "from": "gold"})
    expect("POST /api/v1/images with from starts a clone job (202)", r, 202)
    loc = r.header("Location") or ""
    ok(re.fullmatch(r"/api/v1/jobs/\d+", loc), "its Location is the job", loc)
    ok(r.json and r.json.get("kind") == "clone" and r.json.get("state") in ("queued", "running", "done"),
       "the reply is the job", r)
    job = None
    deadline = time.time() + 60
    while time.time() < deadline:
        job = req("GET", loc).json
        if job and job.get("state") in ("done", "failed"):
            break
        time.sleep(0.1)
    ok(job and job["state"] == "done" and job["progress"] == 100 and job["finished"], "the job finishes", job)
    a = open(image_file("gold"), "rb").read()
    b = open(image_file("pc1"), "rb").read()
    ok(a == b, "the clone is byte-identical")
    sa, sb = os.stat(image_file("gold")), os.stat(image_file("pc1"))
    ok(sb.st_blocks <= sa.st_blocks + 64, "the clone is sparse", (sa.st_blocks, sb.st_blocks))
    r = req("GET", "/api/v1/images/pc1")
    ok(r.status == 200 and r.json["state"] == "ready" and r.json["size_bytes"] == 64 * MiB, "the clone is a ready image", r)
    expect("cloning from an unknown image is 400", req("POST", "/api/v1/images", {"name": "pc2", "from": "nope"}), 400, "from")
    expect("cloning onto an existing name is 409", req("POST", "/api/v1/images", {"name": "pc1", "from": "gold"}), 409, "name")
    r = req("GET", "/api/v1/jobs")
    ok(r.status == 200 and len(r.json["jobs"]) >= 1, "GET /api/v1/jobs", r)
    expect("an unknown job is 404", req("GET", "/api/v1/jobs/999999"), 404)
    expect("a non-numeric job id is 404", req("GET", "/api/v1/jobs/abc"), 404)
    expect("a negative job id is 404", req("GET", "/api/v1/jobs/-1"), 404)

    # ---- 409: an image a LUN uses ----
    db = sqlite3.connect(os.path.join(state, "bootsand.db"), timeout=10)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("INSERT INTO targets (iqn, created) VALUES ('iqn.2024-01.org.example:t', 1)")
    db.execute("INSERT INTO luns (target, lun, image, serial, naa) VALUES "
               "('iqn.2024-01.org.example:t', 0, 'pc1', '0123456789abcdef', 1)")
    db.commit()
    expect("deleting an image a LUN uses is 409", req("DELETE", "/api/v1/images/pc1"), 409)
    ok(req("GET", "/api/v1/images/pc1").json["luns"] == 1, "the image shows its LUN")
    ok(os.path.exists(image_file("pc1")), "its file is still there")

    # ---- a target's nop_in_interval: checked before the kernel is needed ----
    t = "/api/v1/targets/iqn.2024-01.org.example:t"
    ok(req("GET", t).json.get("nop_in_interval") == 0, "a target's nop_in_interval is 0 (no NOP-In) by default")
    db.execute("UPDATE targets SET nop_in_interval = 30")
    db.commit()
    ok(req("GET", t).json.get("nop_in_interval") == 30, "the stored nop_in_interval is shown")
    ok(req("GET", "/api/v1/targets").json["targets"][0].get("nop_in_interval") == 30, "also in the list")
    for bad in [-1, 3601, 2 ** 40, "10", True, None]:
        expect(f"creating a target with nop_in_interval {bad!r} is 400",
               req("POST", "/api/v1/targets", {"iqn": "iqn.2024-01.org.example:u", "nop_in_interval": bad}),
               400, "nop_in_interval")
        expect(f"changing nop_in_interval to {bad!r} is 400",
               req("PATCH", t, {"nop_in_interval": bad}), 400, "nop_in_interval")
    expect("a valid nop_in_interval gets as far as the kernel (503 without it)",
           req("POST", "/api/v1/targets", {"iqn": "iqn.2024-01.org.example:u", "nop_in_interval": 3600}), 503)
    expect("so does changing it", req("PATCH", t, {"nop_in_interval": 0}), 503)
    ok(req("GET", t).json.get("nop_in_interval") == 30, "and the stored value is unchanged")

    # ---- who may log in: allow_any_initiator is explicit, false by default ----
    ok(req("GET", t).json.get("allow_any_initiator") is False,
       "a target admits only its ACL by default (allow_any_initiator false)")
    db.execute("UPDATE targets SET allow_any_initiator = 1")
    db.commit()
    ok(req("GET", t).json.get("allow_any_initiator") is True, "the stored allow_any_initiator is shown")
    for bad in [1, "yes", None]:
        expect(f"creating a target with allow_any_initiator {bad!r} is 400",
               req("POST", "/api/v1/targets", {"iqn": "iqn.2024-01.org.example:u", "allow_any_initiator": bad}),
               400, "allow_any_initiator")
        expect(f"changing allow_any_initiator to {bad!r} is 400",
               req("PATCH", t, {"allow_any_initiator": bad}), 400, "allow_any_initiator")
    expect("a valid allow_any_initiator gets as far as the kernel (503 without it)",
           req("PATCH", t, {"allow_any_initiator": False}), 503)
    ok(req("GET", t).json.get("allow_any_initiator") is True, "and the stored value is unchanged")

    # ---- limits and ACL lists: checked before the kernel is needed, the field named ----
    for field, bad in [("max_sessions", -1), ("max_sessions", -2), ("queue_depth", -1),
                       ("queue_depth", -5), ("queue_depth", 129)]:
        expect(f"creating a target with {field} {bad} is 400",
               req("POST", "/api/v1/targets", {"iqn": "iqn.2024-01.org.example:u", field: bad}), 400, field)
        expect(f"changing {field} to {bad} is 400", req("PATCH", t, {field: bad}), 400, field)
    dup = ["iqn.2024-01.org.example:i1", "iqn.2024-01.org.example:i2", "iqn.2024-01.org.example:i1"]
    expect("creating a target whose ACL names an initiator twice is 400",
           req("POST", "/api/v1/targets", {"iqn": "iqn.2024-01.org.example:u", "acl": dup}), 400, "acl")
    expect("so is changing the ACL to such a list", req("PATCH", t, {"acl": dup}), 400, "acl")
    for bad in [[1], [None], "iqn.2024-01.org.example:i1"]:
        expect(f"an ACL of {bad!r} is 400", req("PATCH", t, {"acl": bad}), 400, "acl")
    expect("a list without repeats gets as far as the kernel (503 without it)",
           req("PATCH", t, {"acl": dup[:2], "max_sessions": 0, "queue_depth": 0}), 503)
    db.execute("DELETE FROM targets")
    db.commit()
    db.close()
    expect("DELETE /api/v1/images/pc1 once unused", req("DELETE", "/api/v1/images/pc1"), 204)
    ok(not os.path.exists(image_file("pc1")), "its file is gone")
    expect("it is gone (404)", req("GET", "/api/v1/images/pc1"), 404)
    expect("deleting it again is 404", req("DELETE", "/api/v1/images/pc1"), 404)

    unknown_fields()
    pending_clients()
    overlays()

    # ---- OpenAPI, metrics ----
    r = req("GET", "/api/v1/openapi.json")
    ok(r.status == 200 and r.json and r.json["openapi"].startswith("3.0") and r.json["info"]["version"] == VERSION,
       "GET /api/v1/openapi.json", r)
    expect("the OpenAPI document needs the token", req("GET", "/api/v1/openapi.json", token=None), 401)
    r = req("GET", "/metrics", token=None)
    text = r.raw.decode()
    ok(r.status == 200 and (r.header("Content-Type") or "").startswith("text/plain"), "GET /metrics needs no token", r)
    ok('bootsand_http_requests_total{method="POST",route="/api/v1/images",code="201"}' in text and
       'code="401"' in text and 'code="413"' in text, "metrics count requests by route and status", text[:2000])
    ok(re.search(r'route="/api/v1/images/\{name\}",code="404"\} \d+', text), "metrics use route patterns, not paths")
    # The Grafana dashboard asks only for what bootsand serves (bootsan_* need the module: named in api.c).
    dash = open(os.path.join(HERE, "..", "..", "contrib", "grafana", "bootsan.json")).read()
    api_c = open(os.path.join(HERE, "..", "api", "api.c")).read()
    names = set(re.findall(r"\b(bootsand?_[a-z_]+)\{", dash)) | set(re.findall(r"\b(bootsand?_[a-z_]+)\[", dash))
    missing = [m for m in sorted(names) if (m.startswith("bootsand_") and "\n" + m not in "\n" + text.replace("# TYPE ", "\n"))
               or (m.startswith("bootsan_") and m.replace("bootsan_lun_", "").replace("bootsan_target_", "") not in api_c)]
    ok(len(names) >= 10 and not missing, f"the Grafana dashboard's {len(names)} metrics are all served", missing)
    for line in text.splitlines():
        if line.startswith("# TYPE ") and line.endswith(" counter") and not line.split()[2].endswith("_total"):
            ok(False, "every counter's name ends in _total", line)

    # ---- restart ----
    rc = D.stop()
    ok(rc == 0, "SIGTERM stops bootsand with status 0", f"status {rc}")
    ok(D.start(), "bootsand restarts on the same state directory", D.logtext()[-2000:])
    ok(open(tok).read().strip() == D.token, "the token is kept")
    r = req("GET", "/api/v1/images")
    ok(r.status == 200 and sorted(i["name"] for i in r.json["images"]) == ["gold", "small"],
       "images persist across a restart", r)
    r = req("GET", "/api/v1/portals")
    ok(r.status == 200 and r.json["portals"] == [{"address": "127.0.0.1", "port": 3260, "tpgt": 1, "max_connections": 0,
                                                  "login_timeout_s": 0},
                                                 {"address": "127.0.0.1", "port": 3262, "tpgt": 1, "max_connections": 8,
                                                  "login_timeout_s": 30}],
       "portals persist with their limits, and the deleted default portal stays deleted", r)
    r = req("GET", "/api/v1/jobs")
    ok(r.status == 200 and any(j["state"] == "done" for j in r.json["jobs"]), "jobs persist", r)

    # ---- fuzz ----
    fuzz(rnd)
    ok(D.alive(), "bootsand survives the fuzz pass")
    r = req("GET", "/api/v1/status")
    ok(r.status == 200 and r.json and r.json.get("version") == VERSION, "and still answers /api/v1/status", r)
    rc = D.stop()
    ok(rc == 0, "it stops cleanly after the fuzz pass", f"status {rc}\n" + D.logtext()[-3000:])
    ok("AddressSanitizer" not in D.logtext() and "runtime error" not in D.logtext(),
       "no sanitizer reports", D.logtext()[-3000:])


def fuzz(rnd):
    paths = ["/api/v1/status", "/api/v1/images", "/api/v1/images/gold", "/api/v1/images/gold/resize",
             "/api/v1/jobs", "/api/v1/jobs/1", "/api/v1/portals", "/api/v1/portals/127.0.0.1:3260",
             "/api/v1/openapi.json", "/metrics", "/", "/api/", "/api/v1/images/"]
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "FOO"]
    values = [None, True, False, 0, -1, 1.5, 2 ** 63, -2 ** 63, "", "gold", "a" * 300, "\u0000x", [], {},
              [1, [2, [3]]], {"a": {"b": {}}}, "../../etc/passwd", "0.0.0.0", 512, 4096]
    keys = ["name", "size_bytes", "from", "address", "port", "tpgt", "x", "", "name\u0000"]

    def body():
        k = rnd.randrange(8)
        if k == 0:
            return rnd.randbytes(rnd.randrange(200))
        if k == 1:
            return json.dumps({rnd.choice(keys): rnd.choice(values) for _ in range(rnd.randrange(5))})
        if k == 2:
            s = json.dumps({"name": "f%d" % rnd.randrange(50), "size_bytes": rnd.choice([512, 4096, -1, "x"])})
            return s[:rnd.randrange(len(s) + 1)]
        if k == 3:
            return "[" * rnd.randrange(1, 5000)
        if k == 4:
            return json.dumps(rnd.choice(values))
        if k == 5:
            return json.dumps({"name": "f%d" % rnd.randrange(50), "from": rnd.choice(["gold", "small", "nope"])})
        if k == 6:
            return '{"name": "' + "\\u" + "".join(rnd.choice("0123456789abcdefg") for _ in range(4)) + '"}'
        return None

    def path():
        p = rnd.choice(paths)
        k = rnd.randrange(5)
        if k == 0:
            p += "/" + "".join(rnd.choice("abc%2F/.:[]?&=#") for _ in range(rnd.randrange(1, 20)))
        elif k == 1:
            p = p.replace("gold", rnd.choice(["%00", "..", "x" * 500, "%ff", "GOLD", "[::]:1"]))
        elif k == 2:
            p += "?force=" + rnd.choice(["true", "", "%%", "x" * 100])
        return p

    deadline = time.time() + FUZZ_SECONDS
    count = bad = 0
    worst = []
    while time.time() < deadline:
        count += 1
        m = rnd.choice(methods)
        b = body()
        try:
            r = req(m, path(), body=b, token=rnd.choice([True, True, True, None, "Bearer x"]),
                    ctype=rnd.choice(["application/json", "application/json", "text/plain", None]),
                    timeout=10)
            if r.status >= 500:
                bad += 1
                worst.append(f"{m} -> {r!r}")
        except (http.client.HTTPException, ConnectionError, OSError) as e:
            # A malformed request line may be refused by closing; the daemon must live on.
            if not D.alive():
                bad += 1
                worst.append(f"{m}: daemon died: {e}")
                break
    ok(bad == 0, f"fuzz: {count} random requests, none answered 5xx", "\n".join(worst[:10]))


if __name__ == "__main__":
    sys.exit(main())
