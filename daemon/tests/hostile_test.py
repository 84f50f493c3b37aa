#!/usr/bin/env python3
# bootsand against hostile and clumsy HTTP clients (issue 14): malformed
# requests get one proper 4xx, one host cannot take the server (idle
# sockets, slowloris), provisioning and registration floods are bounded and
# told to retry later, CHAP secrets go only where they must, and through
# all of it at once the API (bootsanctl status) and a legitimate boot still
# answer within 1 s. Real bootsand on loopback; each attacker has its own
# source address (127.0.0.x), as hosts on a lab network do. Prints TAP.
#
#   daemon/tests/hostile_test.py [path/to/bootsand]
import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_test as t  # noqa: E402
from api_test import ok, expect, req  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CTL = os.path.join(HERE, "..", "bootsanctl")
MiB = 1024 * 1024
DEADLINE = 3            # --request-deadline for this run, seconds
IDLE_SOCKETS = 2000


def connect(src="127.0.0.1", timeout=10):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((src, 0))
    s.connect(("127.0.0.1", t.D.port))
    return s


def exchange(data, src="127.0.0.1", timeout=10):
    """Send @data (ignoring a peer that stops reading), return all that comes back."""
    s = connect(src, timeout)
    try:
        s.sendall(data)
    except OSError:
        pass
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except OSError as e:
        out += f"<{e.__class__.__name__}>".encode()
    s.close()
    return out


def status_of(raw):
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", raw)
    return int(m.group(1)) if m else None


def test_malformed():
    tok = t.D.token.encode()
    for cl in [b"-1", b"abc", b"1x", b""]:
        raw = exchange(b"POST /api/v1/profiles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tok +
                       b"\r\nContent-Type: application/json\r\nContent-Length: " + cl + b"\r\n\r\n{}")
        ok(status_of(raw) == 400 and raw.count(b"HTTP/1.1 ") == 1 and raw.lower().count(b"\r\ncontent-length:") == 1,
           f"malformed: Content-Length '{cl.decode()}' is one 400", raw[:400])
    # A chunked body far over the limit: a 413, not a reset.
    s = connect()
    s.sendall(b"POST /api/v1/profiles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tok +
              b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * 65536
    try:
        for _ in range(20 * 16):
            s.sendall(b"10000\r\n" + chunk + b"\r\n")
        s.sendall(b"0\r\n\r\n")
    except OSError:
        pass
    raw = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            raw += d
    except OSError as e:
        raw += f"<{e.__class__.__name__}>".encode()
    s.close()
    ok(status_of(raw) == 413 and b"request body over" in raw,
       "malformed: a 20 MiB chunked body is a 413, not a reset", raw[:300])
    for n in [600, 5000]:
        q = "&".join(f"a{i}=1" for i in range(n))
        raw = exchange(f"GET /boot/ipxe?mac=52-54-00-00-00-01&{q} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        st = status_of(raw)
        ok(st is not None and 400 <= st < 500 and raw.count(b"HTTP/1.1 ") == 1,
           f"malformed: {n} query parameters are a 4xx ({st})", raw[:300])
    r = req("GET", "/api/v1/status")
    expect("malformed: the API still answers", r, 200)


def timed(fn):
    start = time.time()
    res = fn()
    return res, time.time() - start


def ctl_status():
    env = dict(os.environ, BOOTSAN_URL=f"http://127.0.0.1:{t.D.port}",
               BOOTSAN_TOKEN_FILE=os.path.join(t.D.state, "api-token"))
    try:
        p = subprocess.run([CTL, "status"], env=env, capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        return "timed out"
    return p.returncode


def legit_boot():
    r = exchange(b"GET /boot/ipxe?mac=52-54-00-12-34-56&buildarch=x86_64&platform=efi HTTP/1.1\r\n"
                 b"Host: 10.0.0.1:8080\r\nConnection: close\r\n\r\n")
    return status_of(r) == 200 and b"#!ipxe" in r and b"local" in r


def check_service(what):
    rc, s1 = timed(ctl_status)
    good, s2 = timed(legit_boot)
    ok(rc == 0 and s1 < 1.0, f"{what}: bootsanctl status answers within 1 s ({s1:.2f} s)", f"rc {rc}")
    ok(good and s2 < 1.0, f"{what}: a legitimate boot script within 1 s ({s2:.2f} s)")


def open_idle(src, n):
    socks = []
    for _ in range(n):
        try:
            socks.append(connect(src, timeout=2))
        except OSError:
            break
    return socks


def alive_count(socks):
    """How many the server still holds open (a closed one reads EOF or fails)."""
    n = 0
    for s in socks:
        s.setblocking(False)
        try:
            d = s.recv(1)
            n += d != b""   # data is not expected; EOF is closed
        except BlockingIOError:
            n += 1
        except OSError:
            pass
    return n


def test_idle_sockets():
    socks = open_idle("127.0.0.2", IDLE_SOCKETS)
    time.sleep(0.5)
    held = alive_count(socks)
    ok(len(socks) == IDLE_SOCKETS and held <= 64,
       f"idle sockets: one host's {IDLE_SOCKETS} connections: the server keeps at most 64 ({held})",
       len(socks))
    check_service(f"idle sockets ({IDLE_SOCKETS} from one host)")
    for s in socks:
        s.close()


def test_many_hosts():
    """More silent connections than the server waits for, from 40 hosts."""
    socks = []
    for i in range(1, 41):
        socks += open_idle(f"127.0.3.{i}", 60)
    time.sleep(0.5)
    ok(len(socks) == 2400, f"many hosts: 40 hosts hold 60 silent connections each ({len(socks)})")
    check_service("many hosts (2,400 silent connections)")
    for s in socks:
        s.close()


def test_slowloris():
    s = connect("127.0.0.3", timeout=30)
    start = time.time()
    head = b"GET /boot/ipxe?mac=52-54-00-12-34-56 HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
    closed = None
    for b in head:
        try:
            s.sendall(bytes([b]))
        except OSError:
            closed = time.time() - start
            break
        s.setblocking(False)
        try:
            d = s.recv(4096)
            if d == b"" or status_of(d) == 408:
                closed = time.time() - start
                break
        except BlockingIOError:
            pass
        except OSError:
            closed = time.time() - start
            break
        s.setblocking(True)
        if time.time() - start > DEADLINE + 5:
            break
        time.sleep(0.5)
    s.close()
    ok(closed is not None and closed <= DEADLINE + 2,
       f"slowloris: a head trickled a byte at a time is cut at the {DEADLINE} s request deadline "
       f"({closed})")


def test_slowloris_keepalive():
    """The second request of a kept-alive connection trickles in: cut as well."""
    s = connect("127.0.0.11", timeout=30)
    s.sendall(b"GET /boot/ipxe?mac=52-54-00-12-34-56 HTTP/1.1\r\nHost: x\r\n\r\n")
    first = s.recv(65536)
    start = time.time()
    closed = None
    for b in b"GET /boot/ipxe HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
        try:
            s.sendall(bytes([b]))
            s.setblocking(False)
            d = s.recv(4096)
            if d == b"":
                closed = time.time() - start
                break
        except BlockingIOError:
            pass
        except OSError:
            closed = time.time() - start
            break
        s.setblocking(True)
        if time.time() - start > DEADLINE + 5:
            break
        time.sleep(0.5)
    s.close()
    ok(status_of(first) == 200 and closed is not None and closed <= DEADLINE + 2,
       f"slowloris: the next head on a kept-alive connection is cut at the deadline too ({closed})")


def setup_san(state):
    expect("setup: a golden image", req("POST", "/api/v1/images", {"name": "gold", "size_bytes": MiB}), 201)
    for p in [{"name": "local", "kind": "local", "title": "Local disk"},
              {"name": "disk", "kind": "sanboot", "title": "Own disk", "chap": "mutual"}]:
        expect(f"setup: profile {p['name']}", req("POST", "/api/v1/profiles", p), 201)
    expect("setup: a known machine", req("POST", "/api/v1/clients", {
        "name": "known", "mac": ["52:54:00:12:34:56"], "profile": "local"}), 201)


def flood(src, prefix, n, out):
    for i in range(n):
        mac = f"{prefix}-{i // 256:02x}-{i % 256:02x}"
        raw = exchange(f"GET /boot/ipxe?mac={mac}&buildarch=x86_64&platform=efi HTTP/1.1\r\n"
                       f"Host: 10.0.0.1:8080\r\nConnection: close\r\n\r\n".encode(), src)
        out.append(raw)


def clients_by_origin(origin):
    r = req("GET", "/api/v1/clients?limit=1000")
    j = r.json or {}
    items = j if isinstance(j, list) else j.get("clients") or j.get("items") or []
    return [c for c in items if c.get("origin") == origin]


def busy_script(raw):
    text = raw.decode(errors="replace")
    return (status_of(raw) == 200 and "#!ipxe" in text and re.search(r"^sleep \d+$", text, re.M) and
            "chain http://10.0.0.1:8080/boot/ipxe?" in text and "busy" in text and "sanboot" not in text)


def test_enroll_floods():
    expect("floods: limits: 5 new machines, 4 a minute from one address, 8 a minute in all",
           req("PUT", "/api/v1/settings", {"enroll_max_new": "5", "enroll_rate_per_address": "4",
                                            "enroll_rate": "8"}), 200)
    r = req("PUT", "/api/v1/settings", {"enroll_rate": "-1"})
    ok(r.status == 400 and (r.json or {}).get("field") == "enroll_rate", "floods: a bad limit is refused", r)
    expect("floods: provision", req("PUT", "/api/v1/settings", {
        "enrollment": "provision", "golden_image": "gold", "default_profile": "disk",
        "san_server": "10.0.0.1"}), 200)
    out = []
    flood("127.0.0.4", "0a-00-00-00", 20, out)
    made = clients_by_origin("provision")
    ok(len(made) == 4, f"provision flood: one address provisions 4 a minute ({len(made)})",
       [c["name"] for c in made])
    ok(sum(1 for raw in out if busy_script(raw)) == 16,
       "provision flood: the others are told to sleep and chain again (server busy)",
       out[-1].decode(errors="replace"))
    out2 = []
    flood("127.0.0.5", "0a-00-00-01", 20, out2)
    made = clients_by_origin("provision")
    ok(len(made) == 5, f"provision flood: at most 5 provisioned but never booted ({len(made)})",
       [c["name"] for c in made])
    ok(all(busy_script(raw) for raw in out2[1:]), "provision flood: past the cap: retry later",
       out2[-1].decode(errors="replace"))
    ok(legit_boot(), "provision flood: a known machine still boots")

    expect("register flood: register, 40 new, 7 a minute (a new limit counts anew)",
           req("PUT", "/api/v1/settings", {"enrollment": "register", "enroll_max_new": "40",
                                           "enroll_rate": "7"}), 200)
    out = []
    flood("127.0.0.6", "0a-00-00-02", 10, out)
    made = clients_by_origin("register")
    ok(len(made) == 4, f"register flood: one address registers 4 a minute ({len(made)})")
    ok(all(busy_script(raw) for raw in out[4:]), "register flood: the others: retry later",
       out[-1].decode(errors="replace"))
    out = []
    for src in ["127.0.0.7", "127.0.0.8"]:
        flood(src, "0a-00-00-03" if src.endswith("7") else "0a-00-00-04", 4, out)
    made = clients_by_origin("register")
    ok(len(made) == 7, f"register flood: 7 a minute from all addresses ({len(made)})")
    raw = exchange(b"GET /boot/pxelinux.cfg/01-0a-00-00-05-00-01 HTTP/1.1\r\nHost: x\r\n"
                   b"Connection: close\r\n\r\n", "127.0.0.10")
    ok(status_of(raw) == 404 and req("GET", "/api/v1/clients/mac-0a0000050001").status == 404,
       "register flood: pxelinux's 01-<mac> over the limit: sent on, not recorded", raw[:200])
    expect("floods: back to deny", req("PUT", "/api/v1/settings", {"enrollment": "deny"}), 200)


def test_secrets():
    expect("secrets: an image", req("POST", "/api/v1/images", {"name": "cheap1", "size_bytes": MiB}), 201)
    expect("secrets: a sanboot client with a MAC and a shared serial", req("POST", "/api/v1/clients", {
        "name": "cheap1", "mac": ["52:54:00:00:aa:01"], "serial": "To be filled by O.E.M.",
        "profile": "disk", "image": "cheap1"}), 201)
    raw = exchange(b"GET /boot/ipxe?mac=52-54-00-00-aa-01&serial=To%20be%20filled%20by%20O.E.M.&"
                   b"buildarch=x86_64&platform=efi HTTP/1.1\r\nHost: 10.0.0.1:8080\r\n"
                   b"Connection: close\r\n\r\n")
    text = raw.decode(errors="replace")
    ok("sanboot " in text and "set password " in text, "secrets: matched by its MAC: the CHAP script", text)
    ok(re.search(r"(?im)^cache-control: no-store\r?$", text),
       "secrets: the script with secrets is sent with Cache-Control: no-store", text[:400])
    raw = exchange(b"GET /boot/ipxe?mac=52-54-00-00-aa-02&serial=To%20be%20filled%20by%20O.E.M.&"
                   b"buildarch=x86_64&platform=efi HTTP/1.1\r\nHost: 10.0.0.1:8080\r\n"
                   b"Connection: close\r\n\r\n")
    text = raw.decode(errors="replace")
    ok(status_of(raw) == 200 and "password" not in text and "sanboot" not in text and "serial" in text,
       "secrets: matched by the serial alone: no secrets, and the script says why", text)


def head_of(raw):
    return raw.split(b"\r\n\r\n", 1)[0].decode(errors="replace")


def body_of(raw):
    return raw.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in raw else b""


def get_raw(target, method="GET", headers=""):
    return exchange(f"{method} {target} HTTP/1.1\r\nHost: 10.0.0.1:8080\r\n{headers}"
                    f"Connection: close\r\n\r\n".encode())


def make_ipxe_dir(tmp):
    """
    An iPXE folder laid out as Debian's package lays it out (ipxe.efi a
    symbolic link to /boot/ipxe.efi, out of the folder), with a secret
    beside it and links to it that are not one of the three binaries.
    """
    ipxe, outside = os.path.join(tmp, "ipxe"), os.path.join(tmp, "boot")
    os.makedirs(ipxe)
    os.makedirs(outside)
    with open(os.path.join(outside, "ipxe.efi"), "wb") as f:
        f.write(b"MZ-efi-" * 1000)
    with open(os.path.join(ipxe, "undionly.kpxe"), "wb") as f:
        f.write(bytes(range(256)) * 64)
    with open(os.path.join(tmp, "secret"), "w") as f:
        f.write("TOP-SECRET-OUTSIDE\n")
    os.symlink(os.path.join(outside, "ipxe.efi"), os.path.join(ipxe, "ipxe.efi"))
    os.symlink(os.path.join(tmp, "secret"), os.path.join(ipxe, "secret.efi"))
    os.symlink("../secret", os.path.join(ipxe, "up"))
    with open(os.path.join(ipxe, "notes.txt"), "w") as f:
        f.write("TOP-SECRET-INSIDE\n")
    return ipxe


def chap_secrets():
    """The CHAP secrets test_secrets' client was given, from its script."""
    raw = get_raw("/boot/ipxe?mac=52-54-00-00-aa-01&buildarch=x86_64&platform=efi")
    return re.findall(r"^set (?:reverse-)?password (\S+)$", raw.decode(errors="replace"), re.M)


def test_new_routes():
    """
    /boot/preseed/<profile>[/<client>] and /ipxe/<name> under abuse:
    traversal in every spelling, links out of the iPXE folder, names too
    long, unknown names, HEAD, and no CHAP secret in anything they send.
    """
    secrets = chap_secrets()
    ok(len(secrets) >= 1 and all(len(s) >= 12 for s in secrets),
       f"routes: the sanboot client has CHAP secrets to look for ({len(secrets)})")
    expect("routes: a linux profile with a preseed", req("POST", "/api/v1/profiles", {
        "name": "inst", "kind": "linux", "kernel": "debian/12/linux", "initrds": ["debian/12/initrd.gz"],
        "preseed": "d-i debian-installer/locale string en_US\n"}), 201)
    raw = get_raw("/boot/preseed/inst/cheap1")
    ok(status_of(raw) == 200 and body_of(raw) == b"d-i debian-installer/locale string en_US\n",
       "routes: the preseed, for a client with secrets", raw[:300])
    long = "a" * 64
    # Percent-encoding is decoded before routing: these are the plain names.
    for target in ["/boot/preseed/%69nst", "/boot/preseed/inst%2fcheap1"]:
        raw = get_raw(target)
        ok(status_of(raw) == 200 and body_of(raw) == b"d-i debian-installer/locale string en_US\n",
           f"routes: {target} is the preseed of inst", raw[:300])
    expect("routes: a profile with the longest name", req("POST", "/api/v1/profiles", {
        "name": "p" * 64, "kind": "linux", "kernel": "debian/12/linux",
        "preseed": "d-i debian-installer/locale string en_US\n"}), 201)
    expect("routes: a client with the longest name", req("POST", "/api/v1/clients", {
        "name": "c" * 64, "mac": ["52:54:00:00:cc:01"], "profile": "local"}), 201)
    traversal = ["/boot/preseed/..", "/boot/preseed/../api/v1/clients", "/boot/preseed/%2e%2e",
                 "/boot/preseed/%2e%2e/%2e%2e/etc/passwd", "/boot/preseed/inst/..",
                 "/boot/preseed/inst/%2e%2e", "/boot/preseed//inst", "/boot/preseed/inst//cheap1",
                 "/boot/preseed/inst/cheap1/", "/boot/preseed/inst/cheap1%00",
                 "/boot/preseed/inst%00/cheap1", "/boot/preseed/" + "a" * 65,
                 "/boot/preseed/inst/" + "c" * 65, "/boot/preseed/" + "p" * 64 + "/" + "c" * 65,
                 "/boot/preseed/" + long + "/" + long + "x" * 4000,
                 "/boot/preseed/" + "x" * 6000, "/boot/preseed/nope", "/boot/preseed/disk",
                 "/boot/preseed/disk/cheap1", "/boot/preseed/Inst", "/boot/preseed/-inst"]
    for target in traversal:
        raw = get_raw(target)
        st = status_of(raw)
        leak = [s for s in secrets if s.encode() in raw] or b"TOP-SECRET" in raw or b"root:" in raw
        ok(st in (400, 404, 414, 431) and not leak, f"routes: {target[:60]}: {st}, nothing leaked",
           raw[:300])
    hist = req("GET", "/api/v1/clients/" + "c" * 64 + "/history")
    ok(hist.status == 200 and "preseed" not in hist.raw.decode(errors="replace"),
       "routes: a client name cut to the longest valid one was not recorded as that client's",
       hist.raw[:300])
    ok(t.D.alive(), "routes: bootsand is still running after the preseed paths")

    raw = get_raw("/boot/preseed/inst", "HEAD")
    ok(status_of(raw) == 200 and body_of(raw) == b"" and
       re.search(r"(?im)^content-length: 41\r?$", head_of(raw)),
       "routes: HEAD of a preseed: its length, no body", raw[:300])
    raw = get_raw("/boot/preseed/nope", "HEAD")
    ok(status_of(raw) == 404 and body_of(raw) == b"", "routes: HEAD of no preseed: 404, no body", raw[:300])

    raw = get_raw("/ipxe/undionly.kpxe")
    ok(status_of(raw) == 200 and body_of(raw) == bytes(range(256)) * 64,
       "routes: /ipxe/undionly.kpxe is served", raw[:300])
    raw = get_raw("/ipxe/ipxe.efi")
    ok(status_of(raw) == 200 and body_of(raw) == b"MZ-efi-" * 1000,
       "routes: /ipxe/ipxe.efi, Debian's link to /boot/ipxe.efi, is followed", raw[:300])
    raw = get_raw("/ipxe/undionly.kpxe", "HEAD")
    ok(status_of(raw) == 200 and body_of(raw) == b"" and
       re.search(r"(?im)^content-length: 16384\r?$", head_of(raw)),
       "routes: HEAD /ipxe/undionly.kpxe: its length, no body", raw[:300])
    for target in ["/ipxe/secret.efi", "/ipxe/up", "/ipxe/notes.txt", "/ipxe/..", "/ipxe/%2e%2e",
                   "/ipxe/../secret", "/ipxe/%2e%2e/secret", "/ipxe/%2e%2e%2fsecret", "/ipxe//ipxe.efi",
                   "/ipxe/ipxe.efi/", "/ipxe/ipxe.efi/..", "/ipxe/./ipxe.efi", "/ipxe/IPXE.EFI",
                   "/ipxe/ipxe.efi%00", "/ipxe/snponly.efi", "/ipxe/" + "a" * 300, "/ipxe/" + "b" * 7000,
                   "/ipxe/", "/ipxe"]:
        raw = get_raw(target)
        st = status_of(raw)
        leak = b"TOP-SECRET" in raw or b"root:" in raw or any(s.encode() in raw for s in secrets)
        ok(st in (400, 404, 414, 431) and not leak, f"routes: {target[:60]}: {st}, nothing leaked",
           raw[:300])
    raw = get_raw("/ipxe/secret.efi", "HEAD")
    ok(status_of(raw) == 404 and body_of(raw) == b"", "routes: HEAD of a link that is no binary: 404",
       raw[:300])
    ok(t.D.alive(), "routes: bootsand is still running after the iPXE paths")


def test_ui_paths(state):
    """
    /ui/ serves the dashboard's compiled-in files, without a token, and
    nothing else: no spelling of a path reaches the state directory.
    """
    secrets = [t.D.token.encode(), b"SQLite format", b"root:"]
    for name, ctype in [("", "text/html"), ("index.html", "text/html"), ("app.css", "text/css"),
                        ("app.js", "text/javascript")]:
        raw = get_raw("/ui/" + name)
        ok(status_of(raw) == 200 and f"Content-Type: {ctype}; charset=utf-8" in head_of(raw) and
           "nosniff" in head_of(raw) and "Content-Security-Policy: default-src 'self'" in head_of(raw),
           f"ui: /ui/{name} is served without a token, as {ctype}, with nosniff and a CSP", head_of(raw))
    raw = get_raw("/ui/app.js")
    etag = re.search(r"ETag: (\S+)", head_of(raw))
    raw = get_raw("/ui/app.js", headers=f"If-None-Match: {etag.group(1) if etag else 'x'}\r\n")
    ok(etag and status_of(raw) == 304 and body_of(raw) == b"", "ui: If-None-Match of its ETag is 304", raw[:300])
    raw = get_raw("/ui", method="GET")
    ok(status_of(raw) == 301 and "Location: /ui/" in head_of(raw), "ui: /ui leads to /ui/", raw[:300])
    ok(status_of(get_raw("/ui/", method="POST")) == 405, "ui: POST /ui/ is 405")
    hostile = ["/ui/../api/v1/status", "/ui/..", "/ui/%2e%2e/api-token", "/ui/..%2fapi-token",
               "/ui/%2e%2e%2fapi-token", "/ui/%2E%2E/%2E%2E/etc/passwd", "/ui/../../../../etc/passwd",
               "/ui/index.html%00", "/ui/index.html%00.png", "/ui/%00", "/ui/%00/../api-token",
               "/ui//index.html", "/ui/./index.html", "/ui/app.js/", "/ui/app.js/../index.html",
               "/ui/..\\api-token", "/ui/%5c..%5capi-token", "/ui/%252e%252e/api-token", "/ui/INDEX.HTML",
               "/ui/index.html;x", "/ui/.", "/ui/.hidden", "/ui/api-token", "/ui/bootsand.db",
               "/ui/../bootsand.db", "/ui/" + "a" * 5000, "/ui/%ff%fe", "/ui/index%2ehtml",
               "/ui/images/golden.img", "/ui/../images/golden.img"]
    bad = []
    for target in hostile:
        for method in ("GET", "HEAD"):
            raw = get_raw(target, method=method)
            st = status_of(raw)
            if st not in (400, 404, 414) or any(x in raw for x in secrets):
                bad.append(f"{method} {target} -> {raw[:200]!r}")
    ok(not bad, f"ui: {len(hostile)} traversal, NUL and look-alike paths are 400 or 404, and leak nothing",
       "\n".join(bad))


def test_slow_render(state):
    """
    Enrollment writes the store: while another writer holds it, machines
    being provisioned wait, but on threads of their own, not on the
    acceptors that read every connection's head (the API's too).
    """
    expect("slow render: provision, generous limits", req("PUT", "/api/v1/settings", {
        "enrollment": "provision", "golden_image": "gold", "default_profile": "disk",
        "san_server": "10.0.0.1", "enroll_max_new": "1000", "enroll_rate_per_address": "1000",
        "enroll_rate": "1000"}), 200)
    before = len(clients_by_origin("provision"))
    # Another writer (a backup, say) holds the database for a while.
    db = sqlite3.connect(os.path.join(state, "bootsand.db"), timeout=10, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    out = []
    flooders = [threading.Thread(target=flood, args=(f"127.0.3.{i}", f"0a-00-02-{i:02x}", 1, out))
                for i in range(1, 17)]
    try:
        for th in flooders:
            th.start()
        time.sleep(0.5)
        check_service("slow render: 16 machines being provisioned, the store held")
        alive = sum(1 for th in flooders if th.is_alive())
        ok(alive > 0, f"slow render: the provisioning requests are still waiting ({alive} of 16)")
    finally:
        db.execute("ROLLBACK")
        db.close()
        for th in flooders:
            th.join()
    made = len(clients_by_origin("provision")) - before
    good = sum(1 for raw in out if status_of(raw) == 200 and b"#!ipxe" in raw)
    ok(good == 16 and made == 16,
       f"slow render: once the store is free all 16 are answered ({good}) and provisioned ({made})",
       out[0][:300] if out else "")


def test_together():
    """Everything at once, while the API and a legitimate boot still answer."""
    expect("together: register, generous cap", req("PUT", "/api/v1/settings", {
        "enrollment": "register", "enroll_max_new": "1000", "enroll_rate_per_address": "1000",
        "enroll_rate": "1000"}), 200)
    stop = threading.Event()
    idle = open_idle("127.0.0.9", IDLE_SOCKETS)

    def slowloris(src):
        while not stop.is_set():
            try:
                s = connect(src, timeout=5)
                s.sendall(b"GET /boot/ipxe HTTP/1.1\r\n")
                for _ in range(DEADLINE * 2):
                    if stop.is_set():
                        break
                    s.sendall(b"X")
                    time.sleep(1)
                s.close()
            except OSError:
                pass

    def flooder(src, prefix):
        i = 0
        while not stop.is_set():
            flood(src, f"{prefix}-{i:02x}", 1, [])
            i = (i + 1) % 256

    threads = [threading.Thread(target=slowloris, args=(f"127.0.1.{i}",)) for i in range(1, 20)]
    threads += [threading.Thread(target=flooder, args=(f"127.0.2.{i}", f"0a-00-01-{i:02x}"))
                for i in range(1, 5)]
    for th in threads:
        th.start()
    try:
        time.sleep(1)
        for i in range(3):
            check_service(f"together, round {i + 1}")
            time.sleep(0.5)
    finally:
        stop.set()
        for th in threads:
            th.join()
        for s in idle:
            s.close()


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = IDLE_SOCKETS * 2 + 2400 + 512
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    tmp = tempfile.mkdtemp(prefix="bootsand-hostile-test.")
    state = os.path.join(tmp, "state")
    os.makedirs(state, mode=0o700)
    print("TAP version 13")
    ipxe = make_ipxe_dir(tmp)
    t.D = t.Daemon(state)
    try:
        if ok(t.D.start(["--request-deadline", str(DEADLINE), "--ipxe-dir", ipxe]), "bootsand starts", t.D.logtext()[-2000:]):
            setup_san(state)
            test_malformed()
            test_idle_sockets()
            test_many_hosts()
            test_slowloris()
            test_slowloris_keepalive()
            test_secrets()
            test_new_routes()
            test_ui_paths(state)
            test_enroll_floods()
            test_slow_render(state)
            test_together()
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
