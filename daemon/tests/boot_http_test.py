#!/usr/bin/env python3
# The boot service over HTTP against the real bootsand (no kernel module):
# /assets (Range, HEAD, ETag, 304, 416, traversal and symlink refusal),
# /boot/pxelinux.cfg, the settings API and the enrollment policies (deny,
# register, deny again for pending clients, provision with per-client CHAP), label selectors, menu checks
# and the boot history. Prints TAP. Reuses api_test.py's harness.
#
#   daemon/tests/boot_http_test.py [path/to/bootsand]
import http.client
import os
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_test as t  # noqa: E402
from api_test import ok, expect, req  # noqa: E402

MiB = 1024 * 1024
MAC = "52:54:00:12:34:56"
UUID = "00112233-4455-6677-8899-aabbccddeeff"
UUID_SWAPPED = "33221100-5544-7766-8899-aabbccddeeff"


def raw_get(path, headers=None, method="GET"):
    """A request with the target sent exactly as given (no client-side normalisation)."""
    c = http.client.HTTPConnection("127.0.0.1", t.D.port, timeout=20)
    c.putrequest(method, path, skip_accept_encoding=True, skip_host="Host" in (headers or {}))
    for k, v in (headers or {}).items():
        c.putheader(k, v)
    c.endheaders()
    r = c.getresponse()
    body = r.read()
    resp = t.Resp(r, body)
    resp.headers = {k.lower(): v for k, v in r.getheaders()}
    resp.header = lambda name: resp.headers.get(name.lower())
    c.close()
    return resp


def script(query, path="/boot/ipxe"):
    r = raw_get(path + "?" + query, {"Host": "10.0.0.1:8080"})
    return r, r.raw.decode(errors="replace")


def make_assets(state):
    a = os.path.join(state, "assets")
    os.makedirs(os.path.join(a, "debian", "12"))
    with open(os.path.join(a, "debian", "12", "linux"), "wb") as f:
        f.write(bytes(range(256)) * 4096)                       # 1 MiB, known bytes
    with open(os.path.join(a, "hello.txt"), "w") as f:
        f.write("hello, diskless world\n")
    open(os.path.join(a, "empty"), "w").close()
    os.symlink("debian/12/linux", os.path.join(a, "inside-link"))
    os.symlink("/etc/passwd", os.path.join(a, "outside-link"))
    os.symlink("/etc", os.path.join(a, "outside-dir"))
    os.symlink("../../state/api-token", os.path.join(a, "debian", "up-link"))
    os.mkfifo(os.path.join(a, "fifo"))


def test_assets():
    body = bytes(range(256)) * 4096
    r = raw_get("/assets/debian/12/linux")
    ok(r.status == 200 and r.raw == body, "assets: GET a 1 MiB file without a token", r)
    etag, lm = r.header("ETag"), r.header("Last-Modified")
    ok(r.header("Content-Length") == str(len(body)) and r.header("Accept-Ranges") == "bytes" and
       etag and etag.startswith('"') and lm and lm.endswith(" GMT"),
       "assets: Content-Length, Accept-Ranges, ETag, Last-Modified", r.headers)
    r = raw_get("/assets/debian/12/linux", method="HEAD")
    ok(r.status == 200 and r.raw == b"" and r.header("Content-Length") == str(len(body)) and
       r.header("ETag") == etag, "assets: HEAD: the headers, no body", r.headers)
    r = raw_get("/assets/debian/12/linux", {"Range": "bytes=1000-1999"})
    ok(r.status == 206 and r.raw == body[1000:2000] and
       r.header("Content-Range") == f"bytes 1000-1999/{len(body)}", "assets: Range a-b is 206", r.headers)
    r = raw_get("/assets/debian/12/linux", {"Range": "bytes=-100"})
    ok(r.status == 206 and r.raw == body[-100:], "assets: a suffix range", r)
    r = raw_get("/assets/debian/12/linux", {"Range": f"bytes={len(body) - 10}-"})
    ok(r.status == 206 and r.raw == body[-10:], "assets: an open range", r)
    r = raw_get("/assets/debian/12/linux", {"Range": "bytes=0-0"}, method="HEAD")
    ok(r.status == 206 and r.header("Content-Length") == "1", "assets: HEAD with Range (iPXE's sanboot http)",
       r.headers)
    r = raw_get("/assets/debian/12/linux", {"Range": f"bytes={len(body)}-"})
    ok(r.status == 416 and r.header("Content-Range") == f"bytes */{len(body)}", "assets: 416 past the end",
       r.headers)
    r = raw_get("/assets/debian/12/linux", {"Range": "bytes=0-1,5-6"})
    ok(r.status == 200 and r.raw == body, "assets: several ranges: the whole file (200)", r.status)
    r = raw_get("/assets/debian/12/linux", {"Range": "bytes=0-9", "If-Range": '"other"'})
    ok(r.status == 200 and len(r.raw) == len(body), "assets: If-Range with another tag: the whole file",
       r.status)
    r = raw_get("/assets/debian/12/linux", {"Range": "bytes=0-9", "If-Range": etag})
    ok(r.status == 206 and len(r.raw) == 10, "assets: If-Range with its tag: the range", r.status)
    r = raw_get("/assets/debian/12/linux", {"If-None-Match": etag})
    ok(r.status == 304 and r.raw == b"" and r.header("ETag") == etag, "assets: If-None-Match: 304", r)
    r = raw_get("/assets/debian/12/linux", {"If-None-Match": '"x", W/' + etag})
    ok(r.status == 304, "assets: If-None-Match with a list and a weak tag: 304", r)
    r = raw_get("/assets/debian/12/linux", {"If-None-Match": '"x"'})
    ok(r.status == 200, "assets: If-None-Match with another tag: 200", r.status)
    r = raw_get("/assets/debian/12/linux", {"If-Modified-Since": lm})
    ok(r.status == 304, "assets: If-Modified-Since its date: 304", r)
    r = raw_get("/assets/debian/12/linux", {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"})
    ok(r.status == 200, "assets: If-Modified-Since long ago: 200", r.status)
    r = raw_get("/assets/debian/12/linux", {"If-None-Match": '"x"', "If-Modified-Since": lm})
    ok(r.status == 200, "assets: If-None-Match wins over If-Modified-Since", r.status)
    r = raw_get("/assets/hello.txt")
    ok(r.status == 200 and r.raw == b"hello, diskless world\n" and
       r.header("Content-Type") == "text/plain", "assets: a text file", r.headers)
    r = raw_get("/assets/empty")
    ok(r.status == 200 and r.raw == b"", "assets: an empty file", r)
    r = raw_get("/assets/empty", {"Range": "bytes=0-"})
    ok(r.status == 416, "assets: any range of an empty file is 416", r)
    r = raw_get("/assets/FD13%20LIVE.iso")
    expect("assets: a missing file is 404", r, 404)
    expect("assets: a directory is 404", raw_get("/assets/debian/12"), 404)
    r = raw_get("/assets/inside-link")
    ok(r.status == 200 and r.raw == body, "assets: a symlink inside the tree is followed", r.status)
    for p in ["/assets/outside-link", "/assets/outside-dir/passwd", "/assets/debian/up-link"]:
        r = raw_get(p)
        ok(r.status == 403 and b"root:" not in r.raw and t.D.token.encode() not in r.raw,
           f"assets: {p}: a symlink out of the tree is 403", r)
    start = time.time()
    r = raw_get("/assets/fifo")
    ok(r.status == 403 and time.time() - start < 5, "assets: a FIFO is refused at once", r)
    for p in ["/assets/../api-token", "/assets/%2e%2e/api-token", "/assets/%2E%2E/%2e%2e/etc/passwd",
              "/assets/debian/%2e%2e/%2e%2e/api-token", "/assets/%2fetc/passwd", "/assets//etc/passwd",
              "/assets/debian/12/linux%00.txt", "/assets/./hello.txt", "/assets/a%zz",
              "/assets/debian%2f..%2f..%2fapi-token", "/assets/" + "x" * 2000]:
        r = raw_get(p)
        ok(r.status in (400, 404) and b"root:" not in r.raw and t.D.token.encode() not in r.raw,
           f"assets: refused: {p[:60]} ({r.status})", r)


def test_profiles():
    profiles = [
        {"name": "local", "kind": "local", "title": "Local disk"},
        {"name": "live", "kind": "linux", "title": "Live system",
         "kernel": "debian/12/linux", "initrds": ["debian/12/initrd.gz"], "args": "console=ttyS0"},
        {"name": "disk", "kind": "sanboot", "title": "Own iSCSI disk", "chap": "mutual"},
        {"name": "plain-disk", "kind": "sanboot", "title": "Own disk, no CHAP"},
        {"name": "root-disk", "kind": "linux", "title": "Linux, root on its iSCSI disk", "san_root": True,
         "chap": "chap", "kernel": "debian/12/linux", "initrds": [{"path": "debian/12/initrd.gz", "name": "initrd.gz"}],
         "args": "console=ttyS0 root=LABEL=root"},
        {"name": "boot-menu", "kind": "menu", "title": "bootsan: choose", "default": "live",
         "timeout_ms": 5000, "items": [{"profile": "live", "label": "Live"},
                                       {"profile": "local", "label": "Local disk"}]},
        {"name": "win", "kind": "chain", "url": "http://example.org/x.ipxe"},
        {"name": "rack-a", "kind": "local", "selector": {"rack": "a"}},
        {"name": "rack-a-gpu", "kind": "local", "selector": {"rack": "a", "gpu": "yes"}},
    ]
    for p in profiles:
        expect(f"profiles: create {p['name']}", req("POST", "/api/v1/profiles", p), 201)
    bad = [
        ({"name": "m1", "kind": "menu", "items": [{"profile": "nope"}]}, "items", "a menu item that does not exist"),
        ({"name": "m2", "kind": "menu", "items": []}, "items", "an empty menu"),
        ({"name": "m3", "kind": "menu", "items": [{"profile": "m3"}]}, "items", "a menu listing itself"),
        ({"name": "m4", "kind": "menu", "default": "disk", "items": [{"profile": "live"}]}, "default",
         "a default that is not an item"),
        ({"name": "m5", "kind": "menu", "items": [{"profile": "live"}, {"profile": "live"}]}, "items",
         "an item twice"),
        ({"name": "c1", "kind": "linux", "chap": "chap"}, "chap", "chap on a linux profile"),
        ({"name": "c2", "kind": "sanboot", "chap": "yes"}, "chap", "an unknown chap mode"),
        ({"name": "c3", "kind": "linux", "kernel": "k", "san_root": False, "chap": "chap"}, "chap",
         "chap on a linux profile whose root is not on its disk"),
        ({"name": "c4", "kind": "linux", "kernel": "k", "san_root": "yes"}, "san_root", "san_root not a boolean"),
        ({"name": "c5", "kind": "iso", "image": "i.iso", "san_root": True}, "san_root", "san_root on an iso profile"),
        ({"name": "s1", "kind": "local", "selector": {"rack": 1}}, "selector", "a selector value not a string"),
    ]
    for body, field, what in bad:
        expect(f"profiles: refused: {what}", req("POST", "/api/v1/profiles", body), 400, field)


PRESEED = ("# answers for the test installer\n"
           "d-i debian-installer/locale string en_US\n"
           "d-i preseed/early_command string echo BOOTSAN-PRESEED > /dev/ttyS0\n")


def test_preseed():
    inst = {"name": "installer", "kind": "linux", "kernel": "debian/12/linux",
            "initrds": ["debian/12/initrd.gz"], "args": "console=ttyS0", "preseed": PRESEED}
    expect("preseed: a linux profile with one", req("POST", "/api/v1/profiles", inst), 201)
    r = req("GET", "/api/v1/profiles/installer")
    ok(r.status == 200 and r.json.get("preseed") == PRESEED, "preseed: the API gives it back", r.raw)
    r = raw_get("/boot/preseed/installer")
    ok(r.status == 200 and r.raw.decode() == PRESEED and
       r.header("Content-Type").startswith("text/plain"), "preseed: served as text", r.raw)
    r = raw_get("/boot/preseed/installer/pc01")
    ok(r.status == 200 and r.raw.decode() == PRESEED, "preseed: served with a client's name")
    ok("preseed of profile installer" in t.D.logtext(), "preseed: the fetch is logged")
    for path, what in [("/boot/preseed/nope", "no such profile"), ("/boot/preseed/live", "a profile without one"),
                       ("/boot/preseed/local", "another kind"), ("/boot/preseed/installer/a/b", "a path too deep"),
                       ("/boot/preseed/..", "not a name"), ("/boot/preseed/", "no name")]:
        r = raw_get(path)
        ok(r.status == 404, f"preseed: 404 for {what}", f"{r.status} {r.raw[:200]}")
    bad = [
        ({"preseed": "d-i a/b strnig x\n"}, "unknown debconf type", "a misspelt type"),
        ({"preseed": "d-i a/b string x\nd-i a/c\n"}, "line 2", "a line without a type"),
        ({"preseed": ""}, "at least one line", "an empty preseed"),
        ({"preseed": "d-i a/b string \x1b[2J\n"}, "control character", "a control character"),
        ({"preseed": "#" * (12 * 1024 + 1)}, "12 KiB", "a preseed too large"),
        ({"preseed": 3}, "text", "a preseed that is not text"),
    ]
    for extra, why, what in bad:
        body = dict(inst, name="bad-preseed", **extra)
        r = req("POST", "/api/v1/profiles", body)
        ok(r.status == 400 and r.json.get("field") == "preseed" and why in r.json.get("error", ""),
           f"preseed: refused: {what}", f"{r.status} {r.raw[:300]}")
    r = req("POST", "/api/v1/profiles", {"name": "bad-preseed", "kind": "local", "preseed": PRESEED})
    ok(r.status == 400 and r.json.get("field") == "preseed", "preseed: only on linux profiles", r.raw[:300])


WINPE = {"wimboot": b"wimboot: dummy\n", "bootmgr": b"bootmgr: dummy\n", "boot/bcd": b"BCD: dummy\n",
         "boot/boot.sdi": b"boot.sdi: dummy\n", "sources/boot.wim": b"boot.wim: dummy\n"}


def test_winpe(state):
    """The winpe profile doc/windows.md describes, with stand-in files: its script and every file it names."""
    for path, data in WINPE.items():
        full = os.path.join(state, "assets", "winpe", path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)
    body = {"name": "winpe", "kind": "winpe", "title": "Windows PE (setup)", "wimboot": "winpe/wimboot",
            "files": ["winpe/bootmgr", {"path": "winpe/boot/bcd", "name": "BCD"}, "winpe/boot/boot.sdi",
                      "winpe/sources/boot.wim"]}
    expect("winpe: the profile", req("POST", "/api/v1/profiles", body), 201)
    expect("winpe: a client of it", req("POST", "/api/v1/clients", {"name": "win1", "mac": ["52:54:00:00:00:77"],
                                                                 "profile": "winpe"}), 201)
    for platform in ("efi", "pcbios"):
        r, text = script(f"mac=52-54-00-00-00-77&buildarch=x86_64&platform={platform}")
        lines = text.splitlines()
        want = ["kernel http://10.0.0.1:8080/assets/winpe/wimboot || goto bootsan_failed",
                "initrd --name bootmgr http://10.0.0.1:8080/assets/winpe/bootmgr bootmgr || goto bootsan_failed",
                "initrd --name BCD http://10.0.0.1:8080/assets/winpe/boot/bcd BCD || goto bootsan_failed",
                "initrd --name boot.sdi http://10.0.0.1:8080/assets/winpe/boot/boot.sdi boot.sdi"
                " || goto bootsan_failed",
                "initrd --name boot.wim http://10.0.0.1:8080/assets/winpe/sources/boot.wim boot.wim"
                " || goto bootsan_failed",
                "boot || goto bootsan_failed"]
        ok(r.status == 200 and lines[0] == "#!ipxe" and lines[2:8] == want,
           f"winpe: wimboot and its four files ({platform})", text)
    urls = re.findall(r"http://10\.0\.0\.1:8080(/assets/\S+)", text)
    got = {u: raw_get(u) for u in urls}
    ok(len(urls) == 5 and all(g.status == 200 and g.raw == WINPE[u[len("/assets/winpe/"):]]
                              for u, g in got.items()),
       "winpe: every file the script names is served", {u: g.status for u, g in got.items()})


def test_settings():
    r = req("GET", "/api/v1/settings")
    ok(r.status == 200 and r.json == {"enrollment": "deny", "default_profile": "", "golden_image": "",
                                      "provision_disk": "clone", "iqn_prefix": "iqn.2026-01.org.bootsan", "san_server": "",
                                      "enroll_max_new": "64", "enroll_rate": "60",
                                      "enroll_rate_per_address": "10"},
       "settings: the defaults", r)
    expect("settings: need the token", req("GET", "/api/v1/settings", token=None), 401)
    expect("settings: an unknown policy", req("PUT", "/api/v1/settings", {"enrollment": "maybe"}), 400,
           "enrollment")
    expect("settings: an unknown key", req("PUT", "/api/v1/settings", {"colour": "red"}), 400, "colour")
    expect("settings: not a string", req("PUT", "/api/v1/settings", {"enrollment": 1}), 400, "enrollment")
    expect("settings: provision needs a golden image", req("PUT", "/api/v1/settings", {"enrollment": "provision"}),
           400, "enrollment")
    expect("settings: a missing default profile", req("PUT", "/api/v1/settings", {"default_profile": "nope"}),
           400, "default_profile")
    expect("settings: a missing golden image", req("PUT", "/api/v1/settings", {"golden_image": "nope"}),
           400, "golden_image")
    expect("settings: a bad IQN prefix", req("PUT", "/api/v1/settings", {"iqn_prefix": "Not An IQN"}),
           400, "iqn_prefix")
    # <eui.…>:<name> is never a valid iSCSI name: an eui. prefix cannot name a client's target.
    expect("settings: an eui. IQN prefix is refused",
           req("PUT", "/api/v1/settings", {"iqn_prefix": "eui.0123456789abcdef"}), 400, "iqn_prefix")
    r = req("PUT", "/api/v1/settings", {"default_profile": "boot-menu"})
    ok(r.status == 200 and r.json["default_profile"] == "boot-menu" and r.json["enrollment"] == "deny",
       "settings: PUT changes only the keys given", r)


def test_pxelinux():
    expect("clients: pc1 with a menu profile",
           req("POST", "/api/v1/clients", {"name": "pc1", "mac": ["52-54-00-12-34-56"], "uuid": UUID,
                                           "profile": "boot-menu"}), 201)
    r = raw_get("/boot/pxelinux.cfg/01-52-54-00-12-34-56", {"Host": "10.0.0.1:8080"})
    text = r.raw.decode()
    ok(r.status == 200 and text.startswith("DEFAULT menu.c32") and "LABEL live" in text and
       "KERNEL http://10.0.0.1:8080/assets/debian/12/linux" in text and "LOCALBOOT 0" in text and
       "MENU DEFAULT" in text, "pxelinux: 01-<mac> of a known client is its menu", r)
    for u in (UUID, UUID_SWAPPED, UUID.upper()):
        r = raw_get("/boot/pxelinux.cfg/" + u)
        ok(r.status == 200 and r.raw.startswith(b"DEFAULT menu.c32"), f"pxelinux: <uuid> {u[:8]}... finds pc1", r)
    for name in ["01-52-54-00-99-99-99", "C0A80001", "C0A8", "C", "01-zz", "..", "default.cfg"]:
        expect(f"pxelinux: {name} is 404", raw_get("/boot/pxelinux.cfg/" + name), 404)
    r = raw_get("/boot/pxelinux.cfg/default")
    text = r.raw.decode()
    ok(r.status == 200 and "LOCALBOOT -1" in text and "SAY bootsan: this machine is not enrolled" in text,
       "pxelinux: default under deny says why and returns to the firmware", r)
    expect("clients: pc2 with a chain profile",
           req("POST", "/api/v1/clients", {"name": "pc2", "mac": ["52:54:00:00:00:02"], "profile": "win"}), 201)
    r = raw_get("/boot/pxelinux.cfg/01-52-54-00-00-00-02")
    ok(r.status == 200 and b"cannot be a pxelinux menu" in r.raw and b"LOCALBOOT -1" in r.raw,
       "pxelinux: a profile pxelinux cannot express: says so (200, not 5xx)", r)
    expect("images: pc3's disk", req("POST", "/api/v1/images", {"name": "pc3", "size_bytes": MiB}), 201)
    expect("clients: pc3 sanboots without CHAP",
           req("POST", "/api/v1/clients", {"name": "pc3", "mac": ["52:54:00:00:00:03"], "profile": "plain-disk",
                                           "image": "pc3"}), 201)
    r = raw_get("/boot/pxelinux.cfg/01-52-54-00-00-00-03", {"Host": "10.0.0.1:8080"})
    ok(r.status == 200 and b"KERNEL sanboot.c32" in r.raw and
       b"APPEND iscsi:10.0.0.1::::iqn.2026-01.org.bootsan:pc3\n" in r.raw,
       "pxelinux: a sanboot client gets sanboot.c32 with its own target", r)
    r, text = script("mac=52-54-00-00-00-03&platform=pcbios&buildarch=i386")
    ok("sanboot iscsi:10.0.0.1::::iqn.2026-01.org.bootsan:pc3" in text and "set username" not in text,
       "ipxe: the same client's script, no CHAP", text)
    r = req("GET", "/api/v1/targets/iqn.2026-01.org.bootsan:pc3")
    ok(r.status == 200 and r.json["auth"] == "none", "clients: pc3's target, without CHAP", r)
    r = req("GET", "/api/v1/clients/pc1")
    ok(r.status == 200 and any(h["served"].startswith("pxelinux: profile boot-menu") for h in r.json["history"]),
       "pxelinux: the fetch is in the boot history", r)


def test_san_root():
    expect("images: pc4's disk", req("POST", "/api/v1/images", {"name": "pc4", "size_bytes": MiB}), 201)
    expect("clients: pc4 has its root on its disk",
           req("POST", "/api/v1/clients", {"name": "pc4", "mac": ["52:54:00:00:00:04"], "profile": "root-disk",
                                           "image": "pc4"}), 201)
    r = req("GET", "/api/v1/targets/iqn.2026-01.org.bootsan:pc4")
    ok(r.status == 200 and r.json["auth"] == "chap" and r.json["chap"]["user"] == "pc4" and
       r.json["luns"][0]["image"] == "pc4" and r.json["acl"] == ["iqn.2026-01.org.bootsan:pc4:initiator"],
       "san_root: the client gets its target, LUN, ACL and CHAP as a sanboot client does", r)
    for platform in ("efi", "pcbios"):
        r, text = script(f"mac=52-54-00-00-00-04&platform={platform}&buildarch=x86_64")
        lines = text.splitlines()
        ok(r.status == 200 and r.header("Cache-Control") == "no-store" and
           "set initiator-iqn iqn.2026-01.org.bootsan:pc4:initiator" in lines and
           "set username pc4" in lines and any(x.startswith("set password ") for x in lines) and
           "sanhook iscsi:10.0.0.1::::iqn.2026-01.org.bootsan:pc4 || goto bootsan_failed" in lines and
           "kernel http://10.0.0.1:8080/assets/debian/12/linux initrd=initrd.gz console=ttyS0 root=LABEL=root"
           " || goto bootsan_failed" in lines and
           text.index("sanhook ") < text.index("\nkernel ") < text.index("\ninitrd --name initrd.gz ") <
           text.index("\nboot "),
           f"san_root ({platform}): CHAP, sanhook of its disk, then the kernel with initrd=<name>", text)
    r, text = script("mac=52-54-00-00-00-04")
    ok(r.status == 200 and "sanhook" not in text and "password" not in text and "cannot be rendered" in text,
       "san_root: a client without ${platform} (gPXE has no sanhook) is told why, no secrets", text)
    r = raw_get("/boot/pxelinux.cfg/01-52-54-00-00-00-04")
    ok(r.status == 200 and b"cannot be a pxelinux menu" in r.raw and b"LOCALBOOT -1" in r.raw,
       "san_root: pxelinux, which cannot publish an iBFT, is told so", r)


def test_ipxe_enrollment(state):
    q = "uuid=&mac=52-54-00-aa-bb-01&buildarch=x86_64&platform=efi&serial=&hostname="
    r, text = script(q)
    ok(r.status == 200 and "not enrolled" in text and text.rstrip().endswith("exit"),
       "deny: an unknown machine is told why", text)
    ok(req("GET", "/api/v1/clients/mac-525400aabb01").status == 404, "deny: nothing is recorded")

    expect("register: set the policy", req("PUT", "/api/v1/settings", {"enrollment": "register"}), 200)
    r, text = script(q)
    ok(r.status == 200 and "menu bootsan: choose" in text and "item live" in text,
       "register: an unknown machine gets the default menu", text)
    r = req("GET", "/api/v1/clients/mac-525400aabb01")
    ok(r.status == 200 and r.json["state"] == "pending" and r.json["origin"] == "register" and
       r.json["mac"] == ["52:54:00:aa:bb:01"], "register: it is recorded as pending, named after its MAC", r)
    h = r.json.get("history", []) if r.json else []
    ok(h and h[0]["firmware"] == "x86_64/efi" and h[0]["ip"] == "127.0.0.1" and
       h[0]["served"] == "ipxe: profile boot-menu (menu)", "register: the fetch is in its history", h)
    r, text = script("uuid=&mac=&buildarch=x86_64&platform=efi&serial=&hostname=")
    ok(r.status == 200 and "menu bootsan: choose" in text,
       "register: a machine with no MAC or UUID still gets the default menu", text)
    r, text = script("profile=live&" + q)
    ok("kernel " in text and "debian/12/linux" in text, "menu: the chosen item's script", text)
    r, text = script("profile=win&" + q)
    ok("menu bootsan: choose" in text, "menu: a profile that is not an item is not served", text)
    r, text = script("pxelinux.cfg/01-52-54-00-aa-bb-02", path="/boot/pxelinux.cfg/01-52-54-00-aa-bb-02")
    ok(r.status == 404 and req("GET", "/api/v1/clients/mac-525400aabb02").json["state"] == "pending",
       "register: pxelinux's 01-<mac> records the machine and sends pxelinux on to default", r)
    r = raw_get("/boot/pxelinux.cfg/default")
    ok(r.status == 200 and r.raw.startswith(b"DEFAULT menu.c32"), "register: pxelinux default is the menu", r)

    # Back to deny: no machine the administrator has not approved boots, pending ones included.
    expect("deny again: set the policy", req("PUT", "/api/v1/settings", {"enrollment": "deny"}), 200)
    r, text = script(q)
    ok(r.status == 200 and "not approved" in text and "menu bootsan" not in text and
       text.rstrip().endswith("exit"), "deny again: a pending client gets the deny script, not the menu", text)
    h = req("GET", "/api/v1/clients/mac-525400aabb01").json["history"]
    ok(h and h[0]["served"].startswith("ipxe: refused: ") and "not approved" in h[0]["served"],
       "deny again: the refused fetch is in its history", h[:2])
    r = raw_get("/boot/pxelinux.cfg/01-52-54-00-aa-bb-01")
    ok(r.status == 200 and b"LOCALBOOT -1" in r.raw and b"not approved" in r.raw and b"menu.c32" not in r.raw,
       "deny again: pxelinux refuses the pending client too", r)
    r, text = script("uuid=&mac=52-54-00-12-34-56&buildarch=x86_64&platform=efi&serial=&hostname=")
    ok("menu bootsan: choose" in text, "deny again: an approved client still boots", text)
    expect("register again", req("PUT", "/api/v1/settings", {"enrollment": "register"}), 200)
    r, text = script(q)
    ok("menu bootsan: choose" in text, "register again: the pending client gets the default menu", text)

    # Label selectors: the most specific match wins, else the default profile.
    for name, labels in [("lab1", {"rack": "a", "gpu": "yes"}), ("lab2", {"rack": "a", "gpu": "no"}),
                         ("lab3", {"rack": "b"})]:
        req("POST", "/api/v1/clients", {"name": name, "serial": "SN-" + name, "labels": labels})
    r, text = script("serial=SN-lab1&platform=efi")
    ok("profile rack-a-gpu" in text, "selectors: all keys equal, most specific wins", text)
    r, text = script("serial=SN-lab2&platform=efi")
    ok("profile rack-a " in text or "profile rack-a\n" in text, "selectors: a partial match of a larger one", text)
    r, text = script("serial=SN-lab3&platform=efi")
    ok("menu bootsan: choose" in text, "selectors: no match: the default profile", text)

    # Provision: a brand-new machine gets its own disk and CHAP secrets.
    r = req("POST", "/api/v1/images", {"name": "gold", "size_bytes": 8 * MiB})
    expect("provision: a golden image", r, 201)
    with open(os.path.join(state, "images", "gold.img"), "r+b") as f:
        f.write(b"golden-boot-sector" * 100)
    expect("provision: set the policy", req("PUT", "/api/v1/settings", {
        "enrollment": "provision", "golden_image": "gold", "default_profile": "disk",
        "san_server": "10.0.0.1"}), 200)
    q = "uuid=&mac=52-54-00-aa-bb-03&buildarch=x86_64&platform=pcbios&serial=&hostname="
    deadline = time.time() + 30
    texts = []
    while time.time() < deadline:
        r, text = script(q)
        texts.append(text)
        if "sanboot " in text:
            break
        ok_wait = "sleep 5" in text and "chain http://10.0.0.1:8080/boot/ipxe?" in text
        if not ok_wait:
            break
        time.sleep(0.2)
    ok("sanboot iscsi:10.0.0.1::::iqn.2026-01.org.bootsan:mac-525400aabb03" in text,
       "provision: the machine sanboots its own target", "\n---\n".join(texts[-2:]))
    user = re.search(r"^set username (\S+)$", text, re.M)
    pw = re.search(r"^set password (\S+)$", text, re.M)
    ruser = re.search(r"^set reverse-username (\S+)$", text, re.M)
    rpw = re.search(r"^set reverse-password (\S+)$", text, re.M)
    ok(user and pw and ruser and rpw and user.group(1) == "mac-525400aabb03" and
       re.fullmatch(r"[0-9a-f]{24}", pw.group(1)) and re.fullmatch(r"[0-9a-f]{24}", rpw.group(1)) and
       pw.group(1) != rpw.group(1), "provision: per-client mutual CHAP secrets in the script", text)
    r = req("GET", "/api/v1/clients/mac-525400aabb03")
    ok(r.status == 200 and r.json["origin"] == "provision" and r.json["state"] == "active" and
       r.json["image"] == "mac-525400aabb03" and r.json["profile"] == "disk", "provision: the client record", r)
    img = os.path.join(state, "images", "mac-525400aabb03.img")
    ok(os.path.exists(img) and open(img, "rb").read(1800) == b"golden-boot-sector" * 100,
       "provision: its disk is a clone of the golden image")
    r = req("GET", "/api/v1/targets/iqn.2026-01.org.bootsan:mac-525400aabb03")
    ok(r.status == 200 and r.json["auth"] == "mutual-chap" and r.json["chap"]["user"] == "mac-525400aabb03" and
       pw.group(1) not in r.raw.decode() if pw else False,
       "provision: its target has the CHAP user; the API never shows the secret", r)
    r2, text2 = script(q)
    ok(pw and pw.group(1) in text2, "provision: the secrets stay the same on the next boot", text2)
    # While a clone runs the script waits and asks again.
    db = sqlite3.connect(os.path.join(state, "bootsand.db"), timeout=10)
    db.execute("UPDATE images SET state = 'cloning' WHERE name = 'mac-525400aabb03'")
    db.commit()
    r, text = script(q)
    ok(text.startswith("#!ipxe") and "sleep 5" in text and
       "chain http://10.0.0.1:8080/boot/ipxe?" in text and "mac=52-54-00-aa-bb-03" in text and
       "sanboot" not in text, "provision: while its disk is cloned the script sleeps 5 s and chains itself", text)
    r, text = script(q.replace("platform=pcbios", "platform="))
    ok("not" in text and "sanboot" not in text and "sleep" not in text.replace("echo", ""),
       "provision: a gPXE-era client that cannot wait is told why", text)
    db.execute("UPDATE images SET state = 'ready' WHERE name = 'mac-525400aabb03'")
    db.commit()
    db.close()
    h = req("GET", "/api/v1/clients/mac-525400aabb03").json["history"]
    ok(any(x["served"].startswith("ipxe: wait") for x in h) and
       any(x["served"] == "ipxe: profile disk (sanboot)" for x in h) and h[0]["firmware"] == "x86_64",
       "provision: the history shows the waits and the sanboot", h[:4])
    r, text = script("uuid=&mac=&buildarch=&platform=efi")
    ok("neither a MAC address nor a UUID" in text, "provision: a machine with no identity is refused", text)


def err_names(r, *names):
    """The error of r names each of names."""
    e = r.json.get("error", "") if isinstance(r.json, dict) else ""
    return all(n in e for n in names)


def test_references():
    """Clients, profiles and images checked against each other (issue 14, bug 3)."""
    r = req("POST", "/api/v1/clients", {"name": "dup-mac", "mac": ["52-54-00-12-34-56"]})
    ok(r.status == 409 and isinstance(r.json, dict) and r.json.get("field") == "mac" and err_names(r, "pc1"),
       "clients: a MAC another client has is 409 naming it", r)
    r = req("POST", "/api/v1/clients", {"name": "dup-uuid", "uuid": UUID.upper()})
    ok(r.status == 409 and isinstance(r.json, dict) and r.json.get("field") == "uuid" and err_names(r, "pc1"),
       "clients: a UUID another client has is 409 naming it", r)
    r = req("POST", "/api/v1/clients", {"name": "dup-uuid", "uuid": UUID_SWAPPED})
    ok(r.status == 409 and isinstance(r.json, dict) and r.json.get("field") == "uuid" and err_names(r, "pc1"),
       "clients: the same UUID in the other byte order is 409 too", r)
    ok(req("GET", "/api/v1/clients/dup-mac").status == 404, "clients: the refused one is not recorded")
    expect("clients: a profile that does not exist is 400",
           req("POST", "/api/v1/clients", {"name": "dangle1", "profile": "nope"}), 400, "profile")
    expect("clients: an image that does not exist is 400",
           req("POST", "/api/v1/clients", {"name": "dangle2", "profile": "local", "image": "nope"}), 400, "image")

    r = req("DELETE", "/api/v1/profiles/live")
    ok(r.status == 409 and err_names(r, "boot-menu"), "profiles: deleting a menu's item is 409 naming the menu", r)
    r = req("DELETE", "/api/v1/profiles/plain-disk")
    ok(r.status == 409 and err_names(r, "pc3"), "profiles: deleting a client's profile is 409 naming it", r)
    r = req("DELETE", "/api/v1/profiles/disk")
    ok(r.status == 409 and err_names(r, "default_profile", "mac-525400aabb03"),
       "profiles: deleting the default profile is 409 naming the setting and the clients", r)
    ok(req("GET", "/api/v1/profiles/live").status == 200, "profiles: the refused one is still there")
    expect("profiles: an unused one", req("POST", "/api/v1/profiles", {"name": "spare", "kind": "local"}), 201)
    expect("profiles: an unused one is deleted", req("DELETE", "/api/v1/profiles/spare"), 204)

    expect("images: an image a client names", req("POST", "/api/v1/images", {"name": "pc9-disk", "size_bytes": MiB}), 201)
    expect("clients: pc9 names it", req("POST", "/api/v1/clients", {"name": "pc9", "profile": "local",
                                                                   "image": "pc9-disk"}), 201)
    r = req("DELETE", "/api/v1/images/pc9-disk")
    ok(r.status == 409 and err_names(r, "pc9"), "images: deleting a client's image is 409 naming it", r)
    r = req("DELETE", "/api/v1/images/gold")
    ok(r.status == 409 and err_names(r, "golden_image"), "images: deleting the golden image is 409 naming the setting", r)
    ok(req("GET", "/api/v1/images/pc9-disk").status == 200, "images: the refused one is still there")


def test_rendered_at_creation():
    """Every profile is rendered (iPXE and pxelinux) when created (issue 14, bugs 3 and args)."""
    bad = [
        ({"name": "b1", "kind": "linux", "kernel": "k", "args": "quiet\nchain http://evil/"}, "args",
         "args with a newline"),
        ({"name": "b2", "kind": "linux", "kernel": "debian/12/linux\nreboot"}, "kernel", "a kernel with a newline"),
        ({"name": "b3", "kind": "chain"}, "url", "a chain profile without url"),
        ({"name": "b4", "kind": "linux", "args": "quiet"}, "kernel", "a linux profile without kernel"),
        ({"name": "b5", "kind": "menu", "items": [{"profile": "live", "key": "${x}"}]}, "items", "a menu key ${x}"),
        ({"name": "b6", "kind": "menu", "timeout_ms": -5, "items": [{"profile": "live"}]}, "timeout_ms",
         "timeout_ms -5"),
        ({"name": "b7", "kind": "menu", "timeout_ms": "5", "items": [{"profile": "live"}]}, "timeout_ms",
         "timeout_ms not a number"),
        ({"name": "b8", "kind": "linux", "kernel": 5}, "kernel", "a kernel that is not text"),
        ({"name": "b9", "kind": "linux", "kernel": "k", "initrds": "i"}, "initrds", "initrds not a list"),
        ({"name": "b10", "kind": "iso"}, "image", "an iso profile without image"),
        ({"name": "b11", "kind": "winpe", "wimboot": "w"}, "files", "a winpe profile without files"),
        ({"name": "b12", "kind": "chain", "url": "http://x/a b"}, "url", "a chain url with a space"),
        ({"name": "b13", "kind": "local", "title": 7}, "title", "a title that is not text"),
    ]
    for tok in ["||", "&&", ";", "#", "${"]:
        bad.append(({"name": "t" + str(len(bad)), "kind": "linux", "kernel": "k",
                     "args": "quiet %s reboot" % tok}, "args", "args with %s and no raw_ipxe" % tok))
    bad.append(({"name": "r1", "kind": "linux", "kernel": "k", "args": "x", "raw_ipxe": "yes"}, "raw_ipxe",
                "raw_ipxe not a boolean"))
    for body, field, what in bad:
        r = req("POST", "/api/v1/profiles", body)
        ok(r.status == 400 and isinstance(r.json, dict) and r.json.get("field") == field and len(r.json.get("error", "")) > 10,
           f"profiles: refused at creation: {what} (400, {field})", r)
    r = req("POST", "/api/v1/profiles", {"name": "raw", "kind": "linux", "kernel": "debian/12/linux", "raw_ipxe": True,
                                         "args": "console=ttyS0 BOOTIF=01-${net0/mac:hexhyp}"})
    ok(r.status == 201 and isinstance(r.json, dict) and r.json.get("raw_ipxe") is True, "profiles: raw_ipxe: true lets args use ${...}", r)
    r = req("GET", "/api/v1/profiles")
    ok(r.status == 200 and not [p for p in r.json["profiles"] if p["name"][0] in "bt" and p["name"][1:].isdigit()],
       "profiles: none of the refused ones was stored", r)


def test_names_and_limits():
    """One name rule, values over limits refused, never cut (issue 14, bug 5)."""
    for name in [".", "..", "-x", "_x", "a/b", "Upper", "a_b", "a" * 65, ""]:
        expect(f"clients: name {name[:10]!r} refused", req("POST", "/api/v1/clients", {"name": name}), 400, "name")
        expect(f"profiles: name {name[:10]!r} refused",
               req("POST", "/api/v1/profiles", {"name": name, "kind": "local"}), 400, "name")
    expect("images: name 'a_b' refused (the one rule)",
           req("POST", "/api/v1/images", {"name": "a_b", "size_bytes": 512}), 400, "name")
    expect("labels: a value that is not text", req("POST", "/api/v1/clients", {"name": "l1", "labels": {"a": 1}}),
           400, "labels")
    expect("labels: a key the name rule refuses",
           req("POST", "/api/v1/clients", {"name": "l2", "labels": {"-x": "y"}}), 400, "labels")
    expect("labels: a value with a newline",
           req("POST", "/api/v1/clients", {"name": "l3", "labels": {"a": "b\nc"}}), 400, "labels")
    big = {"k%d" % i: "v" * 100 for i in range(50)}
    r = req("POST", "/api/v1/clients", {"name": "l4", "labels": big})
    ok(r.status == 400 and isinstance(r.json, dict) and r.json.get("field") == "labels" and "profile" not in r.json.get("error", ""),
       "labels: over 4 KiB is 400 about the labels", r)
    expect("selectors: a key the name rule refuses",
           req("POST", "/api/v1/profiles", {"name": "s9", "kind": "local", "selector": {"-x": "y"}}), 400, "selector")
    expect("clients: a 300-character serial is refused, not cut",
           req("POST", "/api/v1/clients", {"name": "s300", "serial": "S" * 300}), 400, "serial")
    expect("clients: a serial with a newline", req("POST", "/api/v1/clients", {"name": "snl", "serial": "a\nb"}),
           400, "serial")
    r = req("POST", "/api/v1/clients", {"name": "s127", "serial": "S" * 127, "labels": {"room": "b12"}})
    ok(r.status == 201 and r.json["serial"] == "S" * 127, "clients: a 127-character serial is kept whole", r)
    for name in ["l1", "l2", "l3", "l4", "s300", "snl"]:
        ok(req("GET", "/api/v1/clients/" + name).status == 404, f"clients: refused {name} not recorded")


class Conn:
    """A raw keep-alive connection: requests as bytes, replies read off a buffer."""

    def __init__(self):
        import socket
        self.s = socket.create_connection(("127.0.0.1", t.D.port), timeout=10)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def _more(self):
        chunk = self.s.recv(65536)
        self.buf += chunk
        return bool(chunk)

    def reply(self, head_only=False):
        """(status, headers, body), or None when the connection ends first."""
        while b"\r\n\r\n" not in self.buf:
            if not self._more():
                return None
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
        want = 0 if head_only else int(headers.get("content-length", "0"))
        while len(self.buf) < want:
            if not self._more():
                return None
        body, self.buf = self.buf[:want], self.buf[want:]
        return int(lines[0].split()[1]), headers, body

    def closed(self):
        return not self.buf and not self._more()

    def close(self):
        self.s.close()


def test_one_connection():
    """Boot scripts are answered by the acceptor, everything else by libmicrohttpd: one
    keep-alive connection may mix both, pipeline them, and close as HTTP says."""
    q = "/boot/ipxe?mac=52-54-00-12-34-56"

    def get(path, extra=""):
        return f"GET {path} HTTP/1.1\r\nHost: 10.0.0.1:8080\r\n{extra}\r\n".encode()

    c = Conn()
    c.send(get(q))
    a = c.reply()
    c.send(get("/assets/hello.txt"))
    b = c.reply()
    c.send(get(q))
    d = c.reply()
    c.close()
    ok(a and a[0] == 200 and a[2].startswith(b"#!") and "date" in a[1] and
       a[1].get("content-type", "").startswith("text/plain"), "one connection: a script first", a)
    ok(b and b[0] == 200 and b[2] == b"hello, diskless world\n", "one connection: then an asset", b)
    ok(d and a and d[0] == 200 and d[2] == a[2], "one connection: then a script again", d)

    c = Conn()
    c.send(get(q) + get("/boot.ipxe") + get("/assets/hello.txt"))
    r1, r2, r3 = c.reply(), c.reply(), c.reply()
    c.close()
    ok(r1 and r2 and r3 and r1[0] == 200 and r1[2] == a[2] and
       r2[0] == 200 and b"chain " in r2[2] and r3[0] == 200 and r3[2] == b"hello, diskless world\n",
       "pipelined: a script, the entry script and an asset, answered in order", (r1, r2, r3))

    c = Conn()
    c.send(f"HEAD {q} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    r = c.reply(head_only=True)
    ok(r and a and r[0] == 200 and int(r[1].get("content-length", "0")) == len(a[2]),
       "HEAD: the script's length, no body", r)
    c.send(get(q, "Connection: close\r\n"))
    r = c.reply()
    ok(r and r[0] == 200 and r[1].get("connection", "").lower() == "close" and c.closed(),
       "Connection: close: the reply, then the connection is closed", r)
    c.close()

    c = Conn()
    c.send(f"GET {q} HTTP/1.0\r\n\r\n".encode())
    r = c.reply()
    ok(r and a and r[0] == 200 and r[2] == a[2] and c.closed(),
       "HTTP/1.0: the reply, then the connection is closed", r)
    c.close()

    m = raw_get("/metrics")
    ok(m.status == 200 and re.search(r'route="/boot/ipxe",code="200"\} \d+', m.raw.decode()),
       "metrics count the scripts the acceptor answered", m.raw.decode()[-1500:])

def main():
    tmp = tempfile.mkdtemp(prefix="bootsand-boot-test.")
    state = os.path.join(tmp, "state")
    os.makedirs(state, mode=0o700)
    make_assets(state)
    print("TAP version 13")
    t.D = t.Daemon(state)
    try:
        if ok(t.D.start(), "bootsand starts", t.D.logtext()):
            test_assets()
            test_profiles()
            test_preseed()
            test_winpe(state)
            test_settings()
            test_pxelinux()
            test_san_root()
            test_one_connection()
            test_ipxe_enrollment(state)
            test_references()
            test_rendered_at_creation()
            test_names_and_limits()
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
