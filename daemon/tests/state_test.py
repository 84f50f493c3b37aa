#!/usr/bin/env python3
# What bootsand keeps, against the real bootsand (no kernel module): an
# image clone interrupted by kill -9 or SIGTERM is cleaned up so the machine
# provisions again; the boot history stays bounded; deleting a client
# removes its target and secrets (and its image on request); create, clone
# and delete of one image name are atomic under concurrent requests; an
# image too large for the file system is the user's error; lists page
# (?limit=&after=, followed by bootsanctl); the database files are 0600; an
# overlay's flatten killed by kill -9 leaves the overlay as it was; an
# unknown machine provisioned with provision_disk overlay boots at once.
# Prints TAP. Reuses api_test.py's harness.
#
#   daemon/tests/state_test.py [path/to/bootsand]
import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_test as t  # noqa: E402
from api_test import ok, expect, req  # noqa: E402

MiB = 1024 * 1024
HERE = os.path.dirname(os.path.abspath(__file__))
CTL = os.path.join(HERE, "..", "bootsanctl")
PREFIX = "iqn.2026-01.org.bootsan:"


def db_query(sql, *args):
    db = sqlite3.connect(os.path.join(t.D.state, "bootsand.db"), timeout=10)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def script(query, conn=None):
    """GET /boot/ipxe?query; on @conn (kept alive) when given."""
    c = conn or http.client.HTTPConnection("127.0.0.1", t.D.port, timeout=20)
    c.request("GET", "/boot/ipxe?" + query, headers={"Host": "10.0.0.1:8080"})
    r = c.getresponse()
    text = r.read().decode(errors="replace")
    if not conn:
        c.close()
    return r.status, text


def parallel(fns):
    """Run the callables at once (released together); their results in order."""
    out = [None] * len(fns)
    gate = threading.Barrier(len(fns))

    def run(i):
        gate.wait()
        try:
            out[i] = fns[i]()
        except Exception as e:  # noqa: BLE001 - reported as the result
            out[i] = e
    ths = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    return out


def wait_job(jid, seconds=120):
    deadline = time.time() + seconds
    j = None
    while time.time() < deadline:
        j = req("GET", f"/api/v1/jobs/{jid}").json
        if j and j.get("state") in ("done", "failed"):
            break
        time.sleep(0.1)
    return j


def modes(state):
    out = {}
    for suffix in ("", "-wal", "-shm"):
        p = os.path.join(state, "bootsand.db" + suffix)
        if os.path.exists(p):
            out[suffix or "db"] = os.stat(p).st_mode & 0o777
    return out


# ---- the database files ----

def test_modes(state):
    m = modes(state)
    ok(m.get("db") == 0o600 and m.get("-wal") == 0o600 and m.get("-shm") == 0o600,
       "modes: the database, its -wal and -shm are created 0600", m)
    rc = t.D.stop()
    ok(rc == 0, "modes: bootsand stops", rc)
    for suffix in ("", "-wal", "-shm"):
        p = os.path.join(state, "bootsand.db" + suffix)
        if not os.path.exists(p):
            open(p, "wb").close()  # an empty -wal or -shm is valid for SQLite
        os.chmod(p, 0o644)
    before = len(t.D.logtext())
    ok(t.D.start(), "modes: bootsand starts on files that are 0644", t.D.logtext()[-2000:])
    m = modes(state)
    ok(m.get("db") == 0o600 and m.get("-wal") == 0o600 and m.get("-shm") == 0o600,
       "modes: they are made 0600 again", m)
    log = t.D.logtext()[before:]
    ok(re.search(r"warn.*bootsand\.db.*0644", log) and re.search(r"warn.*bootsand\.db-wal.*0644", log),
       "modes: with a warning in the log naming each file", log[-2000:])


# ---- the boot history ----

def test_history_bounded():
    expect("history: a local profile", req("POST", "/api/v1/profiles", {"name": "local", "kind": "local"}), 201)
    expect("history: a client", req("POST", "/api/v1/clients", {"name": "pc-hist", "mac": ["52:54:00:00:10:01"],
                                                                "profile": "local"}), 201)
    before = db_query("SELECT count(*) FROM boot_history")[0][0]
    errors = []

    def fetcher(count):
        c = http.client.HTTPConnection("127.0.0.1", t.D.port, timeout=20)
        for _ in range(count):
            status, text = script("mac=52-54-00-00-10-01&platform=efi", c)
            if status != 200 or "exit" not in text:
                errors.append((status, text[:200]))
        c.close()
    parallel([lambda: fetcher(750)] * 4)
    ok(not errors, "history: 3,000 script fetches are served", errors[:3])
    r = req("GET", "/api/v1/clients/pc-hist")  # also writes what is queued
    ok(r.status == 200 and len(r.json["history"]) == 50, "history: the API shows the last 50", r)
    rows = db_query("SELECT count(*) FROM boot_history WHERE client = 'pc-hist'")[0][0]
    total = db_query("SELECT count(*) FROM boot_history")[0][0]
    ok(rows <= 50 and total - before <= 50,
       "history: 3,000 fetches do not add 3,000 rows (at most the 50 kept)", (rows, before, total))


# ---- paging ----

def page_all(path, coll, limit):
    items, after, pages = [], None, 0
    while pages < 100:
        q = f"?limit={limit}" + (f"&after={after}" if after is not None else "")
        r = req("GET", path + q)
        if r.status != 200:
            return None, r
        items += r.json[coll]
        pages += 1
        after = r.json.get("next")
        if after is None:
            break
    return items, pages


def test_paging():
    db = sqlite3.connect(os.path.join(t.D.state, "bootsand.db"), timeout=10)
    db.executemany("INSERT INTO clients (name, created) VALUES (?, 1)",
                   [(f"flood-{i:04d}",) for i in range(1200)])
    db.commit()
    db.close()
    names = sorted(["pc-hist"] + [f"flood-{i:04d}" for i in range(1200)])
    r = req("GET", "/api/v1/clients")
    ok(r.status == 200 and len(r.json["clients"]) < len(names) and r.json.get("next"),
       "paging: GET /clients without a limit is one page, with the next page's key", r.status)
    items, pages = page_all("/api/v1/clients", "clients", 500)
    ok(items is not None and [c["name"] for c in items] == names and pages == 3,
       "paging: clients ?limit=500&after= pages through all 1,201 in order", (pages, len(items or [])))
    r = req("GET", "/api/v1/clients?limit=2&after=flood-0100")
    ok(r.status == 200 and [c["name"] for c in r.json["clients"]] == ["flood-0101", "flood-0102"] and
       r.json.get("next") == "flood-0102", "paging: after= is exclusive, next is the last name", r)
    r = req("GET", "/api/v1/clients?limit=5&after=pc-hist")
    ok(r.status == 200 and r.json["clients"] == [] and "next" not in r.json, "paging: the last page has no next", r)
    for bad in ["0", "-1", "abc", "1001", "5x", ""]:
        expect(f"paging: ?limit={bad} is 400", req("GET", "/api/v1/clients?limit=" + bad), 400, "limit")
    for i in range(5):
        req("POST", "/api/v1/images", {"name": f"page-{i}", "size_bytes": 512})
    items, pages = page_all("/api/v1/images", "images", 2)
    ok(items is not None and [i["name"] for i in items if i["name"].startswith("page-")] ==
       [f"page-{i}" for i in range(5)] and len({i["name"] for i in items}) == len(items),
       "paging: images ?limit=2 pages through them all", (pages, items and [i["name"] for i in items]))
    expect("paging: images ?limit=x is 400", req("GET", "/api/v1/images?limit=x"), 400, "limit")
    items, pages = page_all("/api/v1/clients/pc-hist/history", "history", 20)
    ok(items is not None and len(items) == 50 and pages == 3 and
       all(items[i]["id"] > items[i + 1]["id"] for i in range(49)),
       "paging: a client's boot history, newest first, 20 at a time", (pages, items and len(items)))
    expect("paging: the history of an unknown client is 404", req("GET", "/api/v1/clients/nope/history"), 404)
    spec = req("GET", "/api/v1/openapi.json").json or {}
    for p in ["/api/v1/clients", "/api/v1/images", "/api/v1/clients/{name}/history"]:
        params = {x.get("name") for x in spec.get("paths", {}).get(p, {}).get("get", {}).get("parameters", [])}
        ok({"limit", "after"} <= params, f"paging: the OpenAPI document gives {p} limit and after", params)
    env = dict(os.environ, BOOTSAN_URL=f"http://127.0.0.1:{t.D.port}",
               BOOTSAN_TOKEN_FILE=os.path.join(t.D.state, "api-token"))
    out = subprocess.run([CTL, "--json", "client", "list"], capture_output=True, text=True, env=env)
    got = json.loads(out.stdout).get("clients", []) if out.returncode == 0 else []
    ok(sorted(c["name"] for c in got) == names, "paging: bootsanctl client list follows the pages",
       out.stderr[-500:] + f" {len(got)} clients")
    out = subprocess.run([CTL, "client", "list"], capture_output=True, text=True, env=env)
    ok(out.returncode == 0 and out.stdout.count("\nflood-") == 1200, "paging: also as a table", out.stderr[-500:])
    db = sqlite3.connect(os.path.join(t.D.state, "bootsand.db"), timeout=10)
    db.execute("DELETE FROM clients WHERE name LIKE 'flood-%'")
    db.commit()
    db.close()



def test_jobs_paging():
    """GET /jobs pages by id like the other lists; bootsanctl job list follows."""
    db = sqlite3.connect(os.path.join(t.D.state, "bootsand.db"), timeout=10)
    db.executemany("INSERT INTO jobs (kind, subject, state, created) VALUES ('clone', ?, 'queued', 1)",
                   [(f"jobflood-{i:04d}",) for i in range(1100)])
    db.commit()
    db.close()
    ids = [r[0] for r in db_query("SELECT id FROM jobs ORDER BY id")]
    r = req("GET", "/api/v1/jobs")
    ok(r.status == 200 and 0 < len(r.json["jobs"]) < len(ids) and isinstance(r.json.get("next"), int),
       "jobs paging: GET /jobs without a limit is one page, with the next page's id", r.status)
    items, pages = page_all("/api/v1/jobs", "jobs", 400)
    ok(items is not None and [j["id"] for j in items] == ids and pages == 3,
       f"jobs paging: ?limit=400&after= pages through all {len(ids)} in id order", (pages, len(items or [])))
    r = req("GET", f"/api/v1/jobs?limit=2&after={ids[10]}")
    ok(r.status == 200 and [j["id"] for j in r.json["jobs"]] == ids[11:13] and r.json.get("next") == ids[12],
       "jobs paging: after= is exclusive, next is the last id", r)
    r = req("GET", f"/api/v1/jobs?after={ids[-1]}")
    ok(r.status == 200 and r.json["jobs"] == [] and "next" not in r.json, "jobs paging: the last page has no next", r)
    for bad in ["0", "x", "1001"]:
        expect(f"jobs paging: ?limit={bad} is 400", req("GET", "/api/v1/jobs?limit=" + bad), 400, "limit")
    for bad in ["x", "-1", "1.5"]:
        expect(f"jobs paging: ?after={bad} is 400", req("GET", "/api/v1/jobs?after=" + bad), 400, "after")
    spec = req("GET", "/api/v1/openapi.json").json or {}
    params = {x.get("name") for x in spec.get("paths", {}).get("/api/v1/jobs", {}).get("get", {}).get("parameters", [])}
    ok({"limit", "after"} <= params, "jobs paging: the OpenAPI document gives /api/v1/jobs limit and after", params)
    env = dict(os.environ, BOOTSAN_URL=f"http://127.0.0.1:{t.D.port}",
               BOOTSAN_TOKEN_FILE=os.path.join(t.D.state, "api-token"))
    out = subprocess.run([CTL, "--json", "job", "list"], capture_output=True, text=True, env=env)
    got = json.loads(out.stdout).get("jobs", []) if out.returncode == 0 else []
    ok([j["id"] for j in got] == ids, "jobs paging: bootsanctl job list follows the pages",
       out.stderr[-500:] + f" {len(got)} jobs")
    db = sqlite3.connect(os.path.join(t.D.state, "bootsand.db"), timeout=10)
    db.execute("DELETE FROM jobs WHERE subject LIKE 'jobflood-%'")
    db.commit()
    db.close()


# ---- deleting a client ----

def secret_of(mac):
    status, text = script(f"mac={mac}&platform=pcbios")
    m = re.search(r"^set password (\S+)$", text, re.M)
    return m.group(1) if m else None, text


def test_client_delete(state):
    expect("delete: a sanboot profile with CHAP",
           req("POST", "/api/v1/profiles", {"name": "disk", "kind": "sanboot", "chap": "mutual"}), 201)
    expect("delete: an image", req("POST", "/api/v1/images", {"name": "disk-a", "size_bytes": MiB}), 201)
    expect("delete: a client of it", req("POST", "/api/v1/clients", {
        "name": "pc-a", "mac": ["52:54:00:00:20:01"], "profile": "disk", "image": "disk-a"}), 201)
    s1, text = secret_of("52-54-00-00-20-01")
    ok(s1, "delete: its script holds its CHAP secret", text)
    expect("delete: DELETE the client", req("DELETE", "/api/v1/clients/pc-a"), 204)
    expect("delete: its target is gone", req("GET", "/api/v1/targets/" + PREFIX + "pc-a"), 404)
    ok(db_query("SELECT count(*) FROM acls WHERE target = ?", PREFIX + "pc-a")[0][0] == 0 and
       db_query("SELECT count(*) FROM luns WHERE target = ?", PREFIX + "pc-a")[0][0] == 0,
       "delete: and with it its LUN, ACL and secrets")
    r = req("GET", "/api/v1/images/disk-a")
    ok(r.status == 200 and r.json["luns"] == 0, "delete: the image stays without ?delete_image=true", r)
    expect("delete: a client of the same name, another MAC", req("POST", "/api/v1/clients", {
        "name": "pc-a", "mac": ["52:54:00:00:20:02"], "profile": "disk", "image": "disk-a"}), 201)
    s2, text = secret_of("52-54-00-00-20-02")
    ok(s2 and s2 != s1, "delete: it gets a new secret, never the old one", (s1, s2))
    st, text = script("mac=52-54-00-00-20-01&platform=pcbios")
    ok(s1 not in text and "sanboot" not in text, "delete: the old MAC gets nothing", text)
    expect("delete: ?delete_image=maybe is 400",
           req("DELETE", "/api/v1/clients/pc-a?delete_image=maybe"), 400, "delete_image")
    expect("delete: the client and its image", req("DELETE", "/api/v1/clients/pc-a?delete_image=true"), 204)
    expect("delete: the image is gone", req("GET", "/api/v1/images/disk-a"), 404)
    ok(not os.path.exists(os.path.join(state, "images", "disk-a.img")), "delete: and its file")
    expect("delete: an unknown client is 404", req("DELETE", "/api/v1/clients/pc-a"), 404)
    # A target left by an earlier client of the name (a database restored from a backup):
    # its secrets are not handed to the new one.
    db = sqlite3.connect(os.path.join(state, "bootsand.db"), timeout=10)
    db.execute("INSERT INTO targets (iqn, alias, auth, chap_user, chap_secret, mutual_user, mutual_secret,"
               " created) VALUES (?, 'disk of pc-b', 'mutual-chap', 'pc-b', 'oldsecret0123456789abcdef',"
               " 'bootsan', 'oldmutual0123456789abcdef', 1)", (PREFIX + "pc-b",))
    db.commit()
    db.close()
    expect("delete: an image for pc-b", req("POST", "/api/v1/images", {"name": "disk-b", "size_bytes": MiB}), 201)
    expect("delete: pc-b, whose target was left behind", req("POST", "/api/v1/clients", {
        "name": "pc-b", "mac": ["52:54:00:00:20:03"], "profile": "disk", "image": "disk-b"}), 201)
    s3, text = secret_of("52-54-00-00-20-03")
    ok(s3 and "oldsecret" not in text and "oldmutual" not in text,
       "delete: a new client never gets a left-behind target's secrets", text)
    # Its image is used by another target too: 409, and nothing is deleted.
    db = sqlite3.connect(os.path.join(state, "bootsand.db"), timeout=10)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("INSERT INTO targets (iqn, created) VALUES ('iqn.2024-01.org.example:shared', 1)")
    db.execute("INSERT INTO luns (target, lun, image, serial, naa) VALUES "
               "('iqn.2024-01.org.example:shared', 0, 'disk-b', 'fedcba9876543210', 2)")
    db.commit()
    expect("delete: ?delete_image=true of an image another target uses is 409",
           req("DELETE", "/api/v1/clients/pc-b?delete_image=true"), 409, "delete_image")
    ok(req("GET", "/api/v1/clients/pc-b").status == 200 and
       req("GET", "/api/v1/targets/" + PREFIX + "pc-b").status == 200, "delete: and nothing is deleted")
    db.execute("DELETE FROM targets WHERE iqn = 'iqn.2024-01.org.example:shared'")
    db.commit()
    db.close()
    expect("delete: pc-b and its image", req("DELETE", "/api/v1/clients/pc-b?delete_image=true"), 204)


# ---- images: limits and races ----

def test_image_races(state):
    big = 1 << 50
    r = req("POST", "/api/v1/images", {"name": "huge", "size_bytes": big})
    ok(r.status == 400 and r.json.get("field") == "size_bytes" and "file system" in r.json.get("error", "") and
       re.search(r"\d{6,}", r.json.get("error", "")), "images: larger than the file system allows: 400 with its limit", r)
    ok(req("GET", "/api/v1/images/huge").status == 404 and
       not os.path.exists(os.path.join(state, "images", "huge.img")), "images: and nothing is left of it")
    expect("images: a small one", req("POST", "/api/v1/images", {"name": "grow", "size_bytes": MiB}), 201)
    r = req("POST", "/api/v1/images/grow/resize", {"size_bytes": big})
    ok(r.status == 400 and r.json.get("field") == "size_bytes" and "file system" in r.json.get("error", ""),
       "images: growing past the file system's limit: 400 too", r)
    ok(req("GET", "/api/v1/images/grow").json["size_bytes"] == MiB, "images: its size is unchanged")

    bad = []
    for i in range(40):
        c, d = parallel([lambda: req("POST", "/api/v1/images", {"name": "race", "size_bytes": MiB}),
                         lambda: req("DELETE", "/api/v1/images/race")])
        exists = req("GET", "/api/v1/images/race").status == 200
        on_disk = os.path.exists(os.path.join(state, "images", "race.img"))
        if (getattr(c, "status", None) != 201 or getattr(d, "status", None) not in (204, 404) or
                exists != (d.status == 404) or exists != on_disk):
            bad.append((i, c, d, exists, on_disk))
        req("DELETE", "/api/v1/images/race")
    ok(not bad, "images: create racing delete of one name: 201 and a consistent end (40 rounds)", bad[:3])

    bad = []
    for i in range(10):
        rs = parallel([lambda: req("POST", "/api/v1/images", {"name": "dup", "size_bytes": MiB})] * 4)
        codes = sorted(getattr(r, "status", r) for r in rs)
        if codes != [201, 409, 409, 409]:
            bad.append(codes)
        req("DELETE", "/api/v1/images/dup")
    ok(not bad, "images: four creates of one name: one 201, three 409", bad[:3])

    expect("images: a source", req("POST", "/api/v1/images", {"name": "src", "size_bytes": 8 * MiB}), 201)
    with open(os.path.join(state, "images", "src.img"), "r+b") as f:
        f.write(b"x" * MiB)
    failed_before = {j["id"] for j in req("GET", "/api/v1/jobs").json["jobs"] if j["state"] == "failed"}
    bad = []
    for i in range(5):
        rs = parallel([lambda: req("POST", "/api/v1/images", {"name": "twin", "from": "src"})] * 4)
        codes = sorted(getattr(r, "status", r) for r in rs)
        if codes != [202, 409, 409, 409]:
            bad.append(codes)
        for r in rs:
            if getattr(r, "status", None) == 202:
                wait_job(r.json["id"])
        req("DELETE", "/api/v1/images/twin")
    ok(not bad, "images: four clones of one name: one 202, three 409", bad[:3])
    failed = [j for j in req("GET", "/api/v1/jobs").json["jobs"]
              if j["state"] == "failed" and j["id"] not in failed_before]
    ok(not failed, "images: and no failed jobs left behind", failed[:3])

    bad = []
    for i in range(10):
        c, d = parallel([lambda: req("POST", "/api/v1/images", {"name": "twin", "from": "src"}),
                         lambda: req("DELETE", "/api/v1/images/twin")])
        if getattr(c, "status", None) == 202:
            wait_job(c.json["id"])
        exists = req("GET", "/api/v1/images/twin").status == 200
        on_disk = os.path.exists(os.path.join(state, "images", "twin.img"))
        if getattr(c, "status", None) != 202 or exists != on_disk:
            bad.append((i, c, d, exists, on_disk))
        req("DELETE", "/api/v1/images/twin")
    ok(not bad, "images: a clone racing a delete of its name ends consistent", bad[:3])



# ---- an image whose file is deleted behind bootsand's back ----

def test_missing_image(state):
    for name in ["lost-a", "lost-b", "lost-c"]:
        expect(f"missing: image {name}", req("POST", "/api/v1/images", {"name": name, "size_bytes": MiB}), 201)
    db = sqlite3.connect(os.path.join(state, "bootsand.db"), timeout=10)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("INSERT INTO targets (iqn, created) VALUES ('iqn.2024-01.org.example:lost', 1)")
    db.execute("INSERT INTO luns (target, lun, image, serial, naa) VALUES "
               "('iqn.2024-01.org.example:lost', 0, 'lost-b', '0123456789abcdef', 3)")
    db.commit()
    db.close()
    for name in ["lost-a", "lost-b"]:
        os.unlink(os.path.join(state, "images", name + ".img"))
    r = req("GET", "/api/v1/images/lost-a")
    ok(r.status == 200 and r.json["state"] == "missing", "missing: an image without its file is state missing", r)
    states = {i["name"]: i["state"] for i in req("GET", "/api/v1/images").json["images"]}
    ok(states.get("lost-a") == "missing" and states.get("lost-b") == "missing" and states.get("lost-c") == "ready",
       "missing: so in the list, the others ready", states)
    t.D.stop()
    before = len(t.D.logtext())
    ok(t.D.start(), "missing: bootsand starts with them", t.D.logtext()[-2000:])
    log = t.D.logtext()[before:]
    ok(re.search(r"warn.*image lost-a: its file .*lost-a\.img is missing", log) and
       re.search(r"warn.*image lost-b: its file .*lost-b\.img is missing", log) and "lost-c" not in log,
       "missing: the start names each missing image in the log", log[-2000:])
    r = req("POST", "/api/v1/images", {"name": "lost-copy", "from": "lost-a"})
    ok(r.status == 409 and r.json.get("field") == "from" and "missing" in r.json.get("error", ""),
       "missing: a clone of it is 409, not a failed job", r)
    expect("missing: and makes no image", req("GET", "/api/v1/images/lost-copy"), 404)
    r = req("POST", "/api/v1/images/lost-a/resize", {"size_bytes": 2 * MiB})
    ok(r.status == 409 and "missing" in r.json.get("error", ""), "missing: a resize is 409 saying why", r)
    expect("missing: DELETE of one a LUN uses removes it", req("DELETE", "/api/v1/images/lost-b"), 204)
    ok(db_query("SELECT count(*) FROM luns WHERE image = 'lost-b'")[0][0] == 0,
       "missing: with the LUN on it")
    expect("missing: DELETE of the other", req("DELETE", "/api/v1/images/lost-a"), 204)
    expect("missing: gone", req("GET", "/api/v1/images/lost-a"), 404)
    expect("missing: an image that is there keeps its name", req("DELETE", "/api/v1/images/lost-c"), 204)
    db = sqlite3.connect(os.path.join(state, "bootsand.db"), timeout=10)
    db.execute("DELETE FROM targets WHERE iqn = 'iqn.2024-01.org.example:lost'")
    db.commit()
    db.close()



# ---- enrollment racing other writers of a client ----

def test_enroll_race(state):
    """An unknown machine enrolled under provision while the API claims its MAC, or while
    a second machine with the same UUID enrolls: the loser is told to retry, never refused,
    and no disk is cloned for a client that is not made."""
    expect("race: a golden image", req("POST", "/api/v1/images", {"name": "race-gold", "size_bytes": MiB}), 201)
    expect("race: a sanboot profile", req("POST", "/api/v1/profiles", {"name": "race-disk", "kind": "sanboot"}), 201)
    expect("race: provision, no enrollment limits", req("PUT", "/api/v1/settings", {
        "enrollment": "provision", "golden_image": "race-gold", "default_profile": "race-disk",
        "san_server": "10.0.0.1", "enroll_max_new": "0", "enroll_rate": "0",
        "enroll_rate_per_address": "0"}), 200)
    bad = []
    for i in range(30):
        mac = f"0a:00:00:00:31:{i:02x}"
        api, boot = parallel([
            lambda: req("POST", "/api/v1/clients", {"name": f"race-api-{i}", "mac": [mac],
                                                     "profile": "race-disk", "image": "race-gold"}),
            lambda: script("mac=" + mac.replace(":", "-") + "&platform=pcbios")])
        st, text = boot if isinstance(boot, tuple) else (None, repr(boot))
        if (getattr(api, "status", None) not in (201, 409) or st != 200 or
                ("chain " not in text and "sanboot " not in text)):
            bad.append((i, api, st, text[:300]))
    ok(not bad, "race: a MAC enrolled while the API claims it: the machine boots or is told to retry",
       bad[:3])
    bad = []
    for i in range(30):
        uuid = f"5a1e0000-0000-4000-8000-0000000032{i:02x}"
        a, b = parallel([lambda: script(f"mac=0a-00-00-00-33-{i:02x}&uuid={uuid}&platform=pcbios"),
                         lambda: script(f"mac=0a-00-00-00-34-{i:02x}&uuid={uuid}&platform=pcbios")])
        for st, text in (a, b):
            if st != 200 or ("chain " not in text and "sanboot " not in text):
                bad.append((i, st, text[:300]))
    ok(not bad, "race: two machines of one UUID enrolled at once: each boots or is told to retry", bad[:3])
    deadline = time.time() + 60
    while time.time() < deadline and db_query("SELECT count(*) FROM images WHERE state = 'cloning'")[0][0]:
        time.sleep(0.2)
    orphans = db_query("SELECT name FROM images WHERE name LIKE 'mac-%' AND name NOT IN (SELECT name FROM clients)")
    ok(not orphans, "race: no disk was cloned for a client that was not made", orphans[:5])
    log = t.D.logtext()
    ok("cannot be recorded" not in log, "race: no enrollment failed to be recorded", log[-1500:])
    expect("race: back to deny", req("PUT", "/api/v1/settings", {"enrollment": "deny", "golden_image": "",
                                                                 "default_profile": "", "enroll_max_new": "",
                                                                 "enroll_rate": "", "enroll_rate_per_address": ""}),
           200)


# ---- an interrupted provisioning clone ----

def test_interrupted_clone(state, sig, mac):
    name = "mac-" + mac.replace(":", "")
    query = "mac=" + mac + "&platform=pcbios"
    status, text = script(query)
    ok("sleep 5" in text, f"{sig.name}: a new machine's disk is being cloned", text)
    time.sleep(0.3)
    cloning = db_query("SELECT state FROM images WHERE name = ?", name)
    t.D.stop(sig)
    ok(cloning == [("cloning",)], f"{sig.name}: bootsand is stopped 0.3 s later, in the clone", cloning)
    before = len(t.D.logtext())
    ok(t.D.start(), f"{sig.name}: bootsand starts again", t.D.logtext()[-2000:])
    state_img = db_query("SELECT state FROM images WHERE name = ?", name)
    ok(state_img == [] and not os.path.exists(os.path.join(state, "images", name + ".img")),
       f"{sig.name}: the half-made image is gone, row and file", state_img)
    expect(f"{sig.name}: so is the provisioned client", req("GET", "/api/v1/clients/" + name), 404)
    expect(f"{sig.name}: and its target", req("GET", "/api/v1/targets/" + PREFIX + name), 404)
    jobs = [j for j in req("GET", "/api/v1/jobs").json["jobs"] if j["subject"] == name]
    ok(jobs and all(j["state"] in ("failed", "done") for j in jobs), f"{sig.name}: its job is not left running",
       jobs)
    t.D.stop()
    ok(t.D.start(), f"{sig.name}: and again", t.D.logtext()[-2000:])
    ok("interrupted" not in t.D.logtext()[before:].split("starting")[-1],
       f"{sig.name}: the next start has nothing left to clean up", t.D.logtext()[before:][-2000:])
    deadline = time.time() + 120
    while time.time() < deadline:
        status, text = script(query)
        if "sanboot " in text or "sleep 5" not in text:
            break
        time.sleep(0.3)
    ok("sanboot iscsi:" in text and PREFIX + name in text, f"{sig.name}: the next boot provisions it again",
       text)
    r = req("GET", "/api/v1/images/" + name)
    ok(r.status == 200 and r.json["state"] == "ready", f"{sig.name}: with a ready image", r)


# ---- overlays: an interrupted flatten, provisioning with overlays ----

def test_interrupted_flatten(state):
    """A flatten killed (-9) in its copy leaves the overlay as it was, and the next one finishes."""
    images = os.path.join(state, "images")
    expect("flatten: an overlay of the 512 MiB golden", req("POST", "/api/v1/images", {
        "name": "fl", "from": "gold", "mode": "overlay"}), 201)
    mark = b"\x5a" * 65536
    with open(os.path.join(images, "fl.delta"), "r+b") as f:
        f.seek(300 * MiB)
        f.write(mark)
        os.fsync(f.fileno())
    r = req("POST", "/api/v1/images/fl/flatten", {})
    expect("flatten: started", r, 202)
    time.sleep(0.3)
    during = db_query("SELECT state FROM images WHERE name = 'fl'")
    t.D.stop(signal.SIGKILL)
    ok(during == [("flattening",)], "flatten: bootsand is killed (-9) 0.3 s later, in the copy", during)
    ok(t.D.start(), "flatten: bootsand starts again", t.D.logtext()[-2000:])
    row = db_query("SELECT state, golden, golden_version, job FROM images WHERE name = 'fl'")
    ok(row == [("ready", "gold", 1, 0)], "flatten: it is a ready overlay of gold again", row)
    ok(not os.path.exists(os.path.join(images, "fl.img")), "flatten: the half-made copy is gone")
    with open(os.path.join(images, "fl.delta"), "rb") as f:
        f.seek(300 * MiB)
        ok(f.read(65536) == mark, "flatten: its delta holds what it wrote")
    jobs = [j for j in req("GET", "/api/v1/jobs").json["jobs"] if j["kind"] == "flatten"]
    ok(jobs and jobs[-1]["state"] == "failed" and "interrupted" in jobs[-1].get("error", ""),
       "flatten: its job failed, interrupted", jobs)
    r = req("GET", "/api/v1/images/fl")
    ok(r.status == 200 and r.json.get("golden") == "gold" and r.json.get("written_bytes", 0) >= 65536,
       "flatten: the API shows the overlay and what it wrote", r)
    r = req("POST", "/api/v1/images/fl/flatten", {})
    expect("flatten: again", r, 202)
    j = wait_job(r.json["id"])
    ok(j and j["state"] == "done", "flatten: it finishes", j)
    same = True
    with open(os.path.join(images, "fl.img"), "rb") as a, open(os.path.join(images, "gold.img"), "rb") as g:
        for off in range(0, 512 * MiB, 4 * MiB):
            x, y = a.read(4 * MiB), g.read(4 * MiB)
            if off == 300 * MiB:
                y = mark + y[len(mark):]
            same = same and x == y
    ok(same, "flatten: fl.img is the golden with what the overlay wrote")
    ok(not os.path.exists(os.path.join(images, "fl.delta")) and not os.path.exists(os.path.join(images, "gold@1.img")),
       "flatten: the delta and the golden's version link are gone")
    expect("flatten: the image deleted", req("DELETE", "/api/v1/images/fl"), 204)


def test_provision_overlay(state):
    """provision_disk overlay: an unknown machine's disk is an overlay of the golden, made at once."""
    expect("provision overlay: the setting", req("PUT", "/api/v1/settings", {"provision_disk": "overlay"}), 200)
    expect("provision overlay: another value is 400", req("PUT", "/api/v1/settings", {"provision_disk": "snap"}),
           400, "provision_disk")
    status, text = script("mac=0a:00:00:00:00:09&platform=pcbios")
    ok(status == 200 and "sanboot iscsi:" in text and "sleep 5" not in text,
       "provision overlay: the first script boots its disk at once, no clone to wait for", text)
    r = req("GET", "/api/v1/images/mac-0a0000000009")
    ok(r.status == 200 and r.json.get("golden") == "gold" and r.json.get("state") == "ready",
       "provision overlay: its disk is an overlay of the golden", r)
    expect("provision overlay: back to clones", req("PUT", "/api/v1/settings", {"provision_disk": ""}), 200)


def setup_provision(state):
    expect("provision: a 512 MiB golden image", req("POST", "/api/v1/images",
                                                    {"name": "gold", "size_bytes": 512 * MiB}), 201)
    chunk = bytes(range(256)) * 4096
    with open(os.path.join(state, "images", "gold.img"), "r+b") as f:
        for _ in range(512):
            f.write(chunk)
        os.fsync(f.fileno())
    expect("provision: the policy", req("PUT", "/api/v1/settings", {
        "enrollment": "provision", "golden_image": "gold", "default_profile": "disk",
        "san_server": "10.0.0.1"}), 200)


def main():
    tmp = tempfile.mkdtemp(prefix="bootsand-state-test.")
    state = os.path.join(tmp, "state")
    print("TAP version 13")
    t.D = t.Daemon(state)
    try:
        if ok(t.D.start(), "bootsand starts", t.D.logtext()):
            test_modes(state)
            test_history_bounded()
            test_paging()
            test_jobs_paging()
            test_client_delete(state)
            test_image_races(state)
            test_missing_image(state)
            test_enroll_race(state)
            setup_provision(state)
            test_interrupted_clone(state, signal.SIGKILL, "0a:00:00:00:00:01")
            test_interrupted_clone(state, signal.SIGTERM, "0a:00:00:00:00:02")
            test_interrupted_flatten(state)
            test_provision_overlay(state)
            ok(t.D.alive(), "bootsand is still running")
            rc = t.D.stop()
            ok(rc == 0, "it stops cleanly", f"status {rc}\n" + t.D.logtext()[-3000:])
            ok("AddressSanitizer" not in t.D.logtext() and "runtime error" not in t.D.logtext(),
               "no sanitizer reports", t.D.logtext()[-3000:])
    finally:
        if t.D.proc and t.D.alive():
            t.D.stop(signal.SIGKILL)
        if not os.environ.get("KEEP_STATE"):
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{t.n}")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
