#!/usr/bin/env python3
# bootsand as bootsand.service runs it, on the host (no kernel module):
# `systemctl reload` (SIGHUP) applies the configuration file's log-level and
# a broken file changes nothing; `systemctl stop` (SIGTERM) writes the boot
# history still queued in memory before bootsand exits; a database of a newer
# schema (a downgrade) is refused with a message that says so; the database
# file's header carries its schema version (PRAGMA user_version), which the
# bootsand package's preinst reads to refuse such a downgrade before it
# replaces anything. scripts/install/proof checks the same under systemd in
# make check-install's VM. Prints TAP; about 7 s. The header check failed
# (user_version 0) before store/open.c stamped it.
#
#   daemon/tests/service_test.py [path/to/bootsand]
import http.client
import os
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_test as t  # noqa: E402
from api_test import ok, expect, req  # noqa: E402


class Service:
    """bootsand with a configuration file and no --log-level, as the unit runs it."""

    def __init__(self, tmp):
        self.state = os.path.join(tmp, "state")
        self.conf = os.path.join(tmp, "bootsand.conf")
        self.log = os.path.join(tmp, "bootsand.log")
        self.proc = None
        self.port = None
        self.token = None

    def write_conf(self, text):
        with open(self.conf, "w") as f:
            f.write(text)

    def start(self):
        self.mark = self.size()
        self.logf = open(self.log, "a")
        self.proc = subprocess.Popen([t.BIN, "--config", self.conf, "--state-dir", self.state,
                                      "--listen", "127.0.0.1:0"],
                                     stdout=self.logf, stderr=self.logf)
        self.port = None
        deadline = time.time() + 20
        while time.time() < deadline and self.proc.poll() is None:
            m = re.findall(r"listening on http://127\.0\.0\.1:(\d+)", self.since())
            if m and "ready" in self.since().split("listening on")[-1]:
                self.port = int(m[-1])
                self.token = open(os.path.join(self.state, "api-token")).read().strip()
                break
            time.sleep(0.05)
        return self.port is not None

    def wait(self, seconds=20):
        try:
            return self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def size(self):
        return os.path.getsize(self.log) if os.path.exists(self.log) else 0

    def since(self, mark=None):
        with open(self.log, errors="replace") as f:
            f.seek(self.mark if mark is None else mark)
            return f.read()

    def wait_log(self, text, mark, seconds=10):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if text in self.since(mark):
                return True
            time.sleep(0.05)
        return False


def header_version(path):
    """The database file's PRAGMA user_version: 4 bytes big-endian at offset 60."""
    with open(path, "rb") as f:
        head = f.read(64)
    return struct.unpack(">I", head[60:64])[0] if head.startswith(b"SQLite format 3\0") else None


def test_reload(s):
    # bootsand logs each HTTP request at debug level only.
    mark = s.size()
    expect("reload: a request at log level info", req("GET", "/api/v1/images"), 200)
    time.sleep(0.3)
    ok("GET /api/v1/images" not in s.since(mark), "reload: at info, requests are not logged",
       s.since(mark))
    s.write_conf("# changed by service_test\nlog-level = debug\n")
    mark = s.size()
    s.proc.send_signal(signal.SIGHUP)
    ok(s.wait_log(f"SIGHUP: {s.conf} re-read: log level debug", mark),
       "reload: SIGHUP re-reads the file and says so", s.since(mark))
    mark = s.size()
    expect("reload: a request after it", req("GET", "/api/v1/images"), 200)
    ok(s.wait_log("GET /api/v1/images", mark), "reload: the new log level (debug) is applied",
       s.since(mark))
    for text, says in [("log-level = loud\n", "bad log-level 'loud'; nothing changed"),
                       ("log-level debug\n", "nothing changed")]:
        s.write_conf(text)
        mark = s.size()
        s.proc.send_signal(signal.SIGHUP)
        ok(s.wait_log(says, mark), f"reload: a file with {text.strip()!r} changes nothing: "
           "an error in the log", s.since(mark))
        ok(s.proc.poll() is None, f"reload: bootsand runs on after {text.strip()!r}")
        mark = s.size()
        expect("reload: a request", req("GET", "/api/v1/images"), 200)
        ok(s.wait_log("GET /api/v1/images", mark), "reload: the log level is still debug",
           s.since(mark))
    s.write_conf("log-level = info\n")


def test_stop_flushes_history(s):
    n = 20
    expect("stop: a local profile", req("POST", "/api/v1/profiles", {"name": "local", "kind": "local"}), 201)
    expect("stop: a client", req("POST", "/api/v1/clients", {"name": "pc-stop", "mac": ["52:54:00:00:20:01"],
                                                             "profile": "local"}), 201)
    # Each script fetch queues a boot history row, written in batches 50 ms
    # later; the SIGTERM follows the last fetch at once, so the last rows
    # at least are still in memory when it comes.
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=20)
    statuses = []
    for _ in range(n):
        c.request("GET", "/boot/ipxe?mac=52-54-00-00-20-01&platform=efi", headers={"Host": "10.0.0.1:8080"})
        r = c.getresponse()
        r.read()
        statuses.append(r.status)
    s.proc.send_signal(signal.SIGTERM)
    c.close()
    ok(statuses == [200] * n, f"stop: {n} boot scripts served", statuses)
    rc = s.wait()
    ok(rc == 0, "stop: SIGTERM ends bootsand with status 0", f"status {rc}\n" + s.since()[-2000:])
    ok("not written" not in s.since(), "stop: no boot history row lost on the way", s.since()[-2000:])
    db = sqlite3.connect(os.path.join(s.state, "bootsand.db"), timeout=10)
    try:
        rows = db.execute("SELECT count(*) FROM boot_history WHERE client = 'pc-stop'").fetchone()[0]
    finally:
        db.close()
    ok(rows == n, f"stop: all {n} boot history rows are in the database after the stop", rows)


def test_downgrade(s):
    path = os.path.join(s.state, "bootsand.db")
    db = sqlite3.connect(path, timeout=10)
    try:
        have = db.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    finally:
        db.close()
    ok(header_version(path) == have,
       f"downgrade: the database file's header says schema version {have} (user_version)",
       header_version(path))
    # What a newer bootsand would leave: one version more.
    db = sqlite3.connect(path, timeout=10)
    try:
        db.execute("UPDATE schema_version SET version = ?", (have + 1,))
        db.execute(f"PRAGMA user_version = {have + 1}")
        db.commit()
    finally:
        db.close()
    started = s.start()
    rc = s.wait()
    want = (f"database schema version {have + 1} is newer than this bootsand understands ({have}); "
            "use a newer bootsand or restore a backup")
    ok(not started and rc == 1 and want in s.since(),
       "downgrade: a database of a newer schema is refused at start, exit status 1, saying so",
       f"started {started}, status {rc}\n" + s.since()[-2000:])


def main():
    tmp = tempfile.mkdtemp(prefix="bootsand-service-test.")
    s = Service(tmp)
    t.D = s
    print("TAP version 13")
    try:
        s.write_conf("log-level = info\n")
        if ok(s.start(), "bootsand starts with a configuration file", s.since()):
            test_reload(s)
            test_stop_flushes_history(s)
            if ok(s.start(), "bootsand starts again"):
                s.proc.send_signal(signal.SIGTERM)
                ok(s.wait() == 0, "and stops")
            test_downgrade(s)
    finally:
        if s.proc and s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()
        if not os.environ.get("KEEP_STATE"):
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{t.n}")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
