#!/usr/bin/env python3
# The DHCP side end to end: the settings over REST (GET|PUT|PATCH
# /api/v1/dhcp, the reasons for refusals), the iPXE binaries at /ipxe/, and,
# as root, the dnsmasq bootsand runs, answering real DHCP requests the way
# each kind of firmware sends them, its TFTP root, and its supervision
# (killed: started again; mode off: stopped).
#
# Never on a real interface: the test runs itself in a new network
# namespace (unshare --net) holding bootsand, dnsmasq and one end of a veth
# pair; the other end is in a second namespace (ip netns), where the client
# side runs (this file with --client). 198.18.0.0/24 is a range for tests.
# Prints TAP.
#
#   daemon/tests/dhcp_test.py [path/to/bootsand]
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DNSMASQ = "/usr/sbin/dnsmasq"
SERVER_IF, CLIENT_IF = "bsdhcp-s", "bsdhcp-c"
SERVER_IP, CLIENT_IP = "198.18.0.1", "198.18.0.50"


# ---- the client side (run in the client namespace by --client) ----

def dhcp_discover(arch, vendor, user_class):
    """One DHCPDISCOVER as firmware sends it; the offer's boot fields as a dict."""
    xid = random.getrandbits(32)
    mac = bytes([0x52, 0x54, 0x00, 0x12, 0x34, random.randrange(256)])
    pkt = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000,
                      b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4, mac + b"\0" * 10,
                      b"\0" * 64, b"\0" * 128)
    opts = b"\x63\x82\x53\x63" + bytes([53, 1, 1])
    opts += bytes([55, 6, 1, 3, 60, 66, 67, 43])
    if arch is not None:
        opts += bytes([93, 2]) + struct.pack("!H", arch)
    if vendor:
        opts += bytes([60, len(vendor)]) + vendor.encode()
    if user_class:
        opts += bytes([77, len(user_class)]) + user_class.encode()
    opts += b"\xff"
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, CLIENT_IF.encode())
    s.bind(("0.0.0.0", 68))
    s.settimeout(1)
    deadline = time.time() + 8
    while time.time() < deadline:
        s.sendto(pkt + opts, ("255.255.255.255", 67))
        try:
            while True:
                data, _ = s.recvfrom(4096)
                if len(data) < 240 or struct.unpack("!I", data[4:8])[0] != xid:
                    continue
                return parse_reply(data)
        except socket.timeout:
            continue
    return {"error": "no answer"}


def parse_reply(data):
    out = {"yiaddr": socket.inet_ntoa(data[16:20]), "siaddr": socket.inet_ntoa(data[20:24]),
           "file": data[108:236].split(b"\0")[0].decode(errors="replace")}
    i = 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        code, ln = data[i], data[i + 1]
        val = data[i + 2:i + 2 + ln]
        if code == 53:
            out["type"] = val[0]
        elif code == 60:
            out["vendor"] = val.decode(errors="replace")
        elif code == 67:
            out["opt67"] = val.split(b"\0")[0].decode(errors="replace")
        elif code == 54:
            out["server_id"] = socket.inet_ntoa(val)
        elif code == 43:
            j = 0
            while j + 1 < len(val) and val[j] != 255:
                sub, sl = val[j], val[j + 1]
                if sub == 9 and sl >= 3:        # PXE_BOOT_MENU: type, length, text
                    out["menu_type"] = struct.unpack("!H", val[j + 2:j + 4])[0]
                    out["menu"] = val[j + 5:j + 5 + val[j + 4]].decode(errors="replace")
                j += 2 + sl
        i += 2 + ln
    return out


def pxe_boot_request(arch, vendor, user_class, menu_type):
    """PXE's second step: ask the boot server (port 4011) for the menu item's file."""
    xid = random.getrandbits(32)
    mac = bytes([0x52, 0x54, 0x00, 0x12, 0x35, random.randrange(256)])
    pkt = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0,
                      socket.inet_aton(CLIENT_IP), b"\0" * 4, b"\0" * 4, b"\0" * 4,
                      mac + b"\0" * 10, b"\0" * 64, b"\0" * 128)
    opts = b"\x63\x82\x53\x63" + bytes([53, 1, 3])
    opts += bytes([93, 2]) + struct.pack("!H", arch)
    opts += bytes([60, len(vendor)]) + vendor.encode()
    if user_class:
        opts += bytes([77, len(user_class)]) + user_class.encode()
    if menu_type:       # the item chosen from the offer's menu
        item = bytes([71, 4]) + struct.pack("!HH", menu_type, 0)
        opts += bytes([43, len(item) + 1]) + item + b"\xff"
    opts += b"\xff"
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, CLIENT_IF.encode())
    s.bind((CLIENT_IP, 0))
    s.settimeout(2)
    for _ in range(4):
        s.sendto(pkt + opts, (SERVER_IP, 4011))
        try:
            data, _ = s.recvfrom(4096)
            if len(data) >= 240 and struct.unpack("!I", data[4:8])[0] == xid:
                return parse_reply(data)
        except socket.timeout:
            continue
    return {"error": "no answer"}


def tftp_get(name):
    """A TFTP read of @name from the server: its bytes, or the error text."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.sendto(b"\0\x01" + name.encode() + b"\0octet\0", (SERVER_IP, 69))
    got, want = b"", 1
    while True:
        data, peer = s.recvfrom(65536)
        op = struct.unpack("!H", data[:2])[0]
        if op == 5:
            return {"error": data[4:].split(b"\0")[0].decode(errors="replace")}
        block = struct.unpack("!H", data[2:4])[0]
        if block == want:
            got += data[4:]
            want = (want + 1) & 0xffff
        s.sendto(b"\0\x04" + data[2:4], peer)
        if len(data) - 4 < 512:
            return {"hex_len": len(got), "sha": __import__("hashlib").sha256(got).hexdigest()}


def client_main(argv):
    if argv[0] == "dhcp":
        arch = None if argv[1] == "-" else int(argv[1])
        print(json.dumps(dhcp_discover(arch, argv[2] if argv[2] != "-" else "",
                                       argv[3] if argv[3] != "-" else "")))
    elif argv[0] == "pxebs":
        print(json.dumps(pxe_boot_request(int(argv[1]), argv[2], argv[3] if argv[3] != "-" else "",
                                          int(argv[4]))))
    elif argv[0] == "tftp":
        try:
            print(json.dumps(tftp_get(argv[1])))
        except OSError as e:
            print(json.dumps({"error": f"no answer: {e}"}))
    return 0


# ---- the test proper ----

def sh(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def run_client(ns, *args):
    r = subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__),
                        "--client", *[str(a) for a in args]], capture_output=True, text=True,
                       timeout=60)
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {"error": r.stderr[-500:]}


def bootfile(o):
    """The boot file of an offer: dnsmasq puts it in option 67 when the client asks for it."""
    return o.get("opt67") or o.get("file")


def wait_for(cond, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.2)
    return cond()


def test_api(t, ok, req, expect):
    r = req("GET", "/api/v1/dhcp")
    ok(r.status == 200 and r.json == {"mode": "off", "interface": "", "server_address": "",
                                      "http_port": 8080, "range_start": "", "range_end": "",
                                      "netmask": "", "router": "", "lease_seconds": 3600,
                                      "proxy_subnet": "", "tftp": True},
       "GET /api/v1/dhcp: the defaults, off", r)
    st = req("GET", "/api/v1/dhcp/status").json or {}
    ok(st.get("mode") == "off" and st.get("running") is False and st.get("pid") is None,
       "status: off, nothing running", st)
    expect("the settings need the token", req("GET", "/api/v1/dhcp", token=None), 401)
    r = req("PUT", "/api/v1/dhcp", {"mode": "full", "interface": "eth0"})
    ok(r.status == 400 and "server_address" in (r.json or {}).get("error", ""),
       "PUT full without server_address: 400 naming it", r)
    r = req("PATCH", "/api/v1/dhcp", {"mode": "relay"})
    ok(r.status == 400 and "mode" in (r.json or {}).get("error", ""), "PATCH a bad mode: 400", r)
    r = req("PATCH", "/api/v1/dhcp", {"lease_time": 5})
    ok(r.status == 400 and "lease_time" in (r.json or {}).get("error", ""),
       "PATCH an unknown field: 400 naming it", r)
    r = req("PATCH", "/api/v1/dhcp", {"mode": "full", "interface": "eth0\nport=53",
                                      "server_address": SERVER_IP, "range_start": "198.18.0.100",
                                      "range_end": "198.18.0.150"})
    ok(r.status == 400 and "interface" in (r.json or {}).get("error", ""),
       "PATCH a line end in the interface: 400", r)
    ok((req("GET", "/api/v1/dhcp").json or {}).get("mode") == "off",
       "refused changes leave the settings alone")
    spec = req("GET", "/api/v1/openapi.json").json or {}
    paths = spec.get("paths", {})
    ok(all(m in paths.get("/api/v1/dhcp", {}) for m in ("get", "put", "patch")) and
       "/api/v1/dhcp/status" in paths and "/ipxe/{name}" in paths,
       "the OpenAPI document has the DHCP routes", list(paths)[:50])


def test_ipxe_files(t, ok, ipxe_dir):
    import http.client

    def get(path, method="GET"):
        c = http.client.HTTPConnection("127.0.0.1", t.D.port, timeout=20)
        c.request(method, path)
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, body, dict(r.getheaders())

    want = open(os.path.join(ipxe_dir, "real-ipxe.efi"), "rb").read()
    status, body, _ = get("/ipxe/ipxe.efi")
    ok(status == 200 and body == want,
       "GET /ipxe/ipxe.efi without a token, through the folder's symlink", (status, len(body)))
    status, body, h = get("/ipxe/undionly.kpxe", "HEAD")
    ok(status == 200 and body == b"" and
       h.get("Content-Length") == str(os.path.getsize(os.path.join(ipxe_dir, "undionly.kpxe"))),
       "HEAD /ipxe/undionly.kpxe: its length", (status, h))
    status, body, _ = get("/ipxe/snponly.efi")
    ok(status == 404 and b"not installed" in body, "a binary not installed: 404 saying so",
       (status, body))
    for bad in ["/ipxe/real-ipxe.efi", "/ipxe/..%2fapi-token", "/ipxe/ipxe.lkrn", "/ipxe/"]:
        status, body, _ = get(bad)
        ok(status == 404, f"GET {bad}: only the three binaries are served", (status, body[:200]))


def test_dnsmasq(t, ok, req, ns, tmp, ipxe_dir, tftp_dir):
    port = t.D.port
    base = f"http://{SERVER_IP}:{port}"
    r = req("PUT", "/api/v1/dhcp", {"mode": "full", "interface": SERVER_IF,
                                    "server_address": SERVER_IP, "http_port": port,
                                    "range_start": "198.18.0.100", "range_end": "198.18.0.150",
                                    "netmask": "255.255.255.0"})
    ok(r.status == 200 and r.json.get("mode") == "full", "PUT full mode", r)
    st = wait_for(lambda: (lambda s: s if s.get("running") else None)(
        req("GET", "/api/v1/dhcp/status").json or {}))
    ok(st and st.get("pid") and st.get("starts") == 1, "status: dnsmasq runs",
       req("GET", "/api/v1/dhcp/status").json)
    conf = open(os.path.join(t.D.state, "dnsmasq.conf")).read()
    ok(f"interface={SERVER_IF}\n" in conf, "the configuration it runs with", conf)

    o = run_client(ns, "dhcp", 16, "HTTPClient:Arch:00016:UNDI:003001", "-")
    ok(o.get("type") == 2 and o.get("yiaddr", "").startswith("198.18.0.") and
       o.get("vendor") == "HTTPClient" and
       bootfile(o) == f"{base}/ipxe/ipxe.efi",
       "UEFI HTTP Boot (arch 16, HTTPClient): an offer with ipxe.efi's URL and HTTPClient back", o)
    o = run_client(ns, "dhcp", 7, "PXEClient:Arch:00007:UNDI:003016", "-")
    ok(o.get("type") == 2 and bootfile(o) == "snponly.efi" and o.get("siaddr") == SERVER_IP,
       "UEFI PXE (arch 7): snponly.efi from this server's TFTP", o)
    o = run_client(ns, "dhcp", 9, "PXEClient:Arch:00009:UNDI:003016", "-")
    ok(o.get("type") == 2 and bootfile(o) == "snponly.efi", "UEFI PXE (arch 9): snponly.efi", o)
    o = run_client(ns, "dhcp", 0, "PXEClient:Arch:00000:UNDI:002001", "-")
    ok(o.get("type") == 2 and bootfile(o) == "undionly.kpxe" and o.get("vendor") != "HTTPClient",
       "BIOS PXE (arch 0): undionly.kpxe", o)
    o = run_client(ns, "dhcp", 7, "PXEClient:Arch:00007:UNDI:003010", "iPXE")
    ok(o.get("type") == 2 and bootfile(o) == f"{base}/boot.ipxe",
       "iPXE (user class iPXE): the boot script's URL", o)
    o = run_client(ns, "dhcp", "-", "-", "-")
    ok(o.get("type") == 2 and not bootfile(o), "a plain DHCP client: an address, no boot file", o)

    # TFTP: the binaries, and nothing else.
    sh("ip", "netns", "exec", ns, "ip", "addr", "add", f"{CLIENT_IP}/24", "dev", CLIENT_IF)
    o = run_client(ns, "tftp", "undionly.kpxe")
    want = __import__("hashlib").sha256(open(os.path.join(ipxe_dir, "undionly.kpxe"), "rb").read())
    ok(o.get("sha") == want.hexdigest(), "TFTP: undionly.kpxe, as installed", o)
    ok(sorted(os.listdir(tftp_dir)) == ["ipxe.efi", "undionly.kpxe"],
       "the TFTP root holds the installed binaries only", os.listdir(tftp_dir))
    for bad in ["../dnsmasq.conf", "/etc/passwd", "nothing.efi"]:
        o = run_client(ns, "tftp", bad)
        ok("error" in o and not o["error"].startswith("no answer"),
           f"TFTP: {bad} is refused with an error packet", o)

    # Supervision: killed, it comes back; new settings restart it; off stops it.
    pid = st["pid"]
    os.kill(pid, signal.SIGKILL)
    st = wait_for(lambda: (lambda s: s if s.get("running") and s.get("pid") != pid else None)(
        req("GET", "/api/v1/dhcp/status").json or {}), 30)
    ok(st and st.get("starts") == 2 and "SIGKILL" not in str(st.get("error")) and
       st.get("last_exit", "").startswith("signal"),
       "a killed dnsmasq is started again", req("GET", "/api/v1/dhcp/status").json)
    o = run_client(ns, "dhcp", 16, "HTTPClient:Arch:00016:UNDI:003001", "-")
    ok(o.get("vendor") == "HTTPClient", "and answers again", o)
    pid = (st or {}).get("pid")
    r = req("PATCH", "/api/v1/dhcp", {"range_start": "198.18.0.160", "range_end": "198.18.0.170"})
    st = wait_for(lambda: (lambda s: s if s.get("running") and s.get("pid") != pid else None)(
        req("GET", "/api/v1/dhcp/status").json or {}))
    o = run_client(ns, "dhcp", "-", "-", "-")
    ok(r.status == 200 and st and 160 <= int(o.get("yiaddr", "0.0.0.0").split(".")[3]) <= 170,
       "PATCH the range: dnsmasq restarted with it", (r, st, o))
    pid = (st or {}).get("pid")
    r = req("PATCH", "/api/v1/dhcp", {"mode": "off"})
    st = wait_for(lambda: (lambda s: s if not s.get("running") else None)(
        req("GET", "/api/v1/dhcp/status").json or {}))
    ok(r.status == 200 and st and st.get("mode") == "off" and pid and
       not os.path.exists(f"/proc/{pid}/status"), "mode off: dnsmasq stopped", st)

    # Proxy mode: the site's DHCP hands out addresses (here: none does);
    # bootsand's dnsmasq adds boot information for PXE clients only.
    r = req("PUT", "/api/v1/dhcp", {"mode": "proxy", "interface": SERVER_IF,
                                    "server_address": SERVER_IP, "http_port": port,
                                    "proxy_subnet": "198.18.0.0", "netmask": "255.255.255.0"})
    st = wait_for(lambda: (lambda s: s if s.get("running") else None)(
        req("GET", "/api/v1/dhcp/status").json or {}))
    ok(r.status == 200 and st, "PUT proxy mode: dnsmasq runs", (r, st))
    # PXE's two steps: the proxy offer carries a menu (option 43), the
    # client asks the boot server on port 4011 for the item's file.
    for arch, vendor, uc, want, what in [
            (0, "PXEClient:Arch:00000:UNDI:002001", "-", "undionly.kpxe", "BIOS PXE"),
            (0, "PXEClient:Arch:00000:UNDI:002001", "iPXE", f"{base}/boot.ipxe", "BIOS iPXE"),
            (7, "PXEClient:Arch:00007:UNDI:003016", "-", "snponly.efi", "UEFI PXE"),
            (7, "PXEClient:Arch:00007:UNDI:003010", "iPXE", f"{base}/boot.ipxe", "UEFI iPXE")]:
        # UEFI firmware shows no menus: for arch 6 and up, dnsmasq offers
        # none when one item fits and gives its file to the port 4011
        # request that names no item.
        o = run_client(ns, "dhcp", arch, vendor, uc)
        ok(o.get("type") == 2 and o.get("yiaddr") == "0.0.0.0" and o.get("vendor") == "PXEClient" and
           o.get("menu") == ("bootsan" if arch == 0 else None),
           f"proxy, {what}: an offer with no address" + (", a boot menu" if arch == 0 else ""), o)
        b = run_client(ns, "pxebs", arch, vendor, uc, o.get("menu_type", 0))
        ok(b.get("type") == 5 and bootfile(b) == want,
           f"proxy, {what}: the boot server (port 4011) gives {want}", b)
    o = run_client(ns, "dhcp", "-", "-", "-")
    ok(o.get("error") == "no answer", "proxy: a plain DHCP client gets no answer", o)
    # dnsmasq 2.90's ProxyDHCP answers PXEClient only (doc/dhcp.md): UEFI
    # HTTP Boot needs the site's DHCP to send the URL. This checks that
    # limit; when it fails, dnsmasq learnt it and the document is wrong.
    o = run_client(ns, "dhcp", 16, "HTTPClient:Arch:00016:UNDI:003001", "-")
    ok(o.get("error") == "no answer", "proxy, UEFI HTTP Boot: dnsmasq 2.90 does not answer "
       "(the documented limit)", o)
    req("PATCH", "/api/v1/dhcp", {"mode": "off"})

    # A folder that is not bootsand's is refused, not emptied.
    open(os.path.join(tftp_dir, "someone-elses"), "w").close()
    req("PUT", "/api/v1/dhcp", {"mode": "full", "interface": SERVER_IF,
                                "server_address": SERVER_IP, "range_start": "198.18.0.100",
                                "range_end": "198.18.0.150"})
    st = wait_for(lambda: (lambda s: s if s.get("error") else None)(
        req("GET", "/api/v1/dhcp/status").json or {}))
    ok(st and not st.get("running") and "someone-elses" in st.get("error", "") and
       os.path.exists(os.path.join(tftp_dir, "someone-elses")),
       "a TFTP folder with other files: refused with the reason, left alone", st)
    req("PATCH", "/api/v1/dhcp", {"mode": "off"})
    os.unlink(os.path.join(tftp_dir, "someone-elses"))

    # Stopping bootsand stops its dnsmasq.
    req("PATCH", "/api/v1/dhcp", {"mode": "full"})
    st = wait_for(lambda: (lambda s: s if s.get("running") else None)(
        req("GET", "/api/v1/dhcp/status").json or {}))
    return (st or {}).get("pid")


def main():
    sys.path.insert(0, HERE)
    import api_test as t
    from api_test import ok, expect, req

    tmp = tempfile.mkdtemp(prefix="bootsand-dhcp-test.")
    os.chmod(tmp, 0o755)    # dnsmasq's user reads the TFTP root below it
    state = os.path.join(tmp, "state")
    os.makedirs(state, mode=0o700)
    ipxe_dir = os.path.join(tmp, "ipxe")
    os.makedirs(ipxe_dir)
    # Like Debian's folder: ipxe.efi is a symlink (to /boot there); no snponly.efi.
    with open(os.path.join(ipxe_dir, "real-ipxe.efi"), "wb") as f:
        f.write(os.urandom(300000))
    os.symlink("real-ipxe.efi", os.path.join(ipxe_dir, "ipxe.efi"))
    with open(os.path.join(ipxe_dir, "undionly.kpxe"), "wb") as f:
        f.write(os.urandom(70001))
    tftp_dir = os.path.join(tmp, "tftp")
    ns = f"bsdhcp-{os.getpid()}"
    in_ns = os.environ.get("BOOTSAND_DHCP_TEST_NETNS") == "1"
    if in_ns:
        sh("ip", "link", "set", "lo", "up")
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", SERVER_IF, "type", "veth", "peer", "name", CLIENT_IF)
        sh("ip", "link", "set", CLIENT_IF, "netns", ns)
        sh("ip", "addr", "add", f"{SERVER_IP}/24", "dev", SERVER_IF)
        sh("ip", "link", "set", SERVER_IF, "up")
        sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
        sh("ip", "netns", "exec", ns, "ip", "link", "set", CLIENT_IF, "up")
    print("TAP version 13")
    t.D = t.Daemon(state)
    dn_pid = None
    try:
        if ok(t.D.start(["--ipxe-dir", ipxe_dir, "--tftp-dir", tftp_dir, "--dnsmasq", DNSMASQ]),
              "bootsand starts", t.D.logtext()):
            test_api(t, ok, req, expect)
            test_ipxe_files(t, ok, ipxe_dir)
            if not in_ns:
                ok(True, "# SKIP dnsmasq: needs root, unshare, ip and " + DNSMASQ)
            else:
                dn_pid = test_dnsmasq(t, ok, req, ns, tmp, ipxe_dir, tftp_dir)
            ok(t.D.alive(), "bootsand is still running")
            rc = t.D.stop()
            ok(rc == 0, "it stops cleanly", f"status {rc}\n" + t.D.logtext()[-3000:])
            if in_ns:
                ok(dn_pid and wait_for(lambda: not os.path.exists(f"/proc/{dn_pid}/status"), 10),
                   "its dnsmasq stopped with it", dn_pid)
            ok("AddressSanitizer" not in t.D.logtext() and "runtime error" not in t.D.logtext(),
               "no sanitizer reports", t.D.logtext()[-3000:])
    finally:
        if t.D.proc and t.D.alive():
            t.D.stop(signal.SIGKILL)
        if in_ns:
            sh("ip", "netns", "del", ns)
        if os.environ.get("KEEP_STATE"):
            print(f"# state kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{t.n}")
    return 1 if t.failed else 0


def can_netns():
    return (os.geteuid() == 0 and shutil.which("unshare") and shutil.which("ip") and
            os.access(DNSMASQ, os.X_OK))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        sys.exit(client_main(sys.argv[2:]))
    if os.environ.get("BOOTSAND_DHCP_TEST_NETNS") != "1" and can_netns():
        env = dict(os.environ, BOOTSAND_DHCP_TEST_NETNS="1")
        sys.exit(subprocess.run(["unshare", "--net", sys.executable, os.path.abspath(__file__),
                                 *sys.argv[1:]], env=env).returncode)
    sys.exit(main())
