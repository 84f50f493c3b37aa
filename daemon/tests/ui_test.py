#!/usr/bin/python3
# The dashboard in a real browser: Debian's headless Chromium, driven by
# Debian's chromedriver through python3-selenium (no network needed), against
# the real bootsand on 127.0.0.1 (a free port, a temporary state directory, no
# kernel module). Signs in with the token, sees a machine appear when it
# boots (GET /boot/ipxe under the register policy), approves it with the
# button, watches clone jobs' progress, reads the history and the enrollment
# settings, sees overlays on a golden (their golden, what each wrote, the
# page cache they share) and, on a second bootsand whose state is a small
# tmpfs that fills up, images out of space; saves screenshots of each page
# under build/ui-screenshots/ (also at a phone's width). Prints TAP.
#
#   daemon/tests/ui_test.py [path/to/bootsand] [screenshot folder]
# /usr/bin/python3 on purpose: python3-selenium is Debian's.
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "bootsand"))
SHOTS = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(TOP, "build", "ui-screenshots"))
MiB = 1 << 20

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


class Bootsand:
    """bootsand on a free port of 127.0.0.1. With a tmpfs size: its state
    directory is a tmpfs of that size in a mount namespace of its own (gone
    with it), the way to a full file system without filling the host's; the
    test reaches its files through /proc/PID/root."""

    def __init__(self, state, tmpfs=None):
        self.state = state
        self.log = state + ".log"
        self.logf = open(self.log, "a")
        cmd = [BIN, "--state-dir", state, "--listen", "127.0.0.1:0", "--log-level", "debug"]
        if tmpfs:
            os.makedirs(state)
            # unshare execs the shell, which execs bootsand: one process, self.proc.
            cmd = (["unshare", "--mount"] + ([] if os.geteuid() == 0 else ["--map-root-user"]) +
                   ["sh", "-c", 'mount -t tmpfs -o size="$1" bootsan-ui-test "$2" && shift 2 && exec "$@"',
                    "sh", tmpfs, state] + cmd)
        self.proc = subprocess.Popen(cmd, stdout=self.logf, stderr=self.logf)
        self.files = f"/proc/{self.proc.pid}/root{state}" if tmpfs else state
        self.port = None
        deadline = time.time() + 20
        while time.time() < deadline and self.proc.poll() is None:
            m = re.findall(r"listening on http://127\.0\.0\.1:(\d+)", open(self.log, errors="replace").read())
            if m and "ready" in open(self.log, errors="replace").read():
                self.port = int(m[-1])
                break
            time.sleep(0.05)
        self.token = open(os.path.join(self.files, "api-token")).read().strip() if self.port else None
        self.base = f"http://127.0.0.1:{self.port}"

    def api(self, method, path, body=None, token=True):
        h = {"Authorization": "Bearer " + self.token} if token else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                text = r.read()
                return r.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            return e.code, None

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.logf.close()


def browser(width, height):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              f"--window-size={width},{height}", "--no-first-run", "--disable-extensions",
              "--disable-background-networking", "--disable-sync", "--metrics-recording-only",
              "--force-color-profile=srgb", "--hide-scrollbars"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def wait_for(fn, timeout=10, step=0.05):
    """fn()'s first true value within timeout seconds, else None."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            v = fn()
            if v:
                return v
        except Exception as e:	# an element redrawn under us: ask again
            if os.environ.get("UI_TEST_DEBUG"):
                print("# " + repr(e)[:200])
        time.sleep(step)
    return None


def main():
    print("TAP version 13")
    if not (os.access("/usr/bin/chromium", os.X_OK) and os.access("/usr/bin/chromedriver", os.X_OK)):
        print("1..0 # SKIP Debian's chromium and chromium-driver are not installed (scripts/setup-deps)")
        return 1
    tmp = tempfile.mkdtemp(prefix="bootsand-ui-test.")
    os.makedirs(SHOTS, exist_ok=True)
    d = Bootsand(os.path.join(tmp, "state"))
    drv = None
    try:
        if not ok(d.port, "bootsand starts on 127.0.0.1", open(d.log).read()[-2000:]):
            return 1
        drv = browser(1280, 900)
        run(d, drv)
        out_of_space(drv, os.path.join(tmp, "full"))
    finally:
        if drv:
            for e in drv.get_log("browser"):
                # The API's refusals the test asks for (401, 400, 503) are logged as
                # failed loads; anything else, a script error, is a failure.
                if e.get("level") == "SEVERE" and "Failed to load resource" not in e.get("message", ""):
                    ok(False, "no error in the browser's console", e.get("message"))
            drv.quit()
        d.stop()
        log = open(d.log, errors="replace").read()
        ok("AddressSanitizer" not in log and "runtime error" not in log, "no sanitizer reports", log[-2000:])
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{n}")
    return 1 if failed else 0


def run(d, drv):
    from selenium.webdriver.common.by import By

    t0 = time.time()
    css = lambda sel: drv.find_elements(By.CSS_SELECTOR, sel)	# noqa: E731
    text = lambda sel: " ".join(e.text for e in css(sel))	# noqa: E731

    def shot(name):
        path = os.path.join(SHOTS, name + ".png")
        drv.save_screenshot(path)
        return path

    # What the machines boot, and the register policy: unknown machines wait for approval.
    d.api("POST", "/api/v1/profiles", {"name": "lab-local", "kind": "local", "title": "the local disk"})
    st, _ = d.api("PUT", "/api/v1/settings", {"enrollment": "register", "default_profile": "lab-local"})
    ok(st == 200, "enrollment set to register through the API", st)

    # Served by bootsand, without a token, with its type and caching headers.
    drv.get(d.base + "/")
    ok(wait_for(lambda: drv.current_url.endswith("/ui/")), "/ leads to /ui/", drv.current_url)
    with urllib.request.urlopen(d.base + "/ui/app.js") as r:
        ok(r.headers["Content-Type"] == "text/javascript; charset=utf-8" and r.headers["ETag"] and
           r.headers["Cache-Control"] == "no-cache", "app.js: its Content-Type, an ETag and no-cache",
           dict(r.headers))

    # Sign in: a wrong token is refused and said so, the right one is kept for the tab.
    ok(wait_for(lambda: css("#login")[0].is_displayed()), "the sign-in form is shown first")
    css("#token")[0].send_keys("0" * 64 + "\n")
    ok(wait_for(lambda: "refused" in text("#login-error")), "a wrong token is refused, and said so",
       text("#login-error"))
    shot("login")
    css("#token")[0].clear()
    css("#token")[0].send_keys(d.token + "\n")
    ok(wait_for(lambda: css("#page-machines")[0].is_displayed()), "signed in: the machines page",
       drv.page_source[:2000])
    ok(drv.execute_script("return sessionStorage.getItem('bootsan-token')") == d.token,
       "the token is kept in sessionStorage")
    ok(drv.execute_script("return localStorage.length") == 0, "and nowhere lasting (localStorage empty)")
    drv.refresh()
    ok(wait_for(lambda: css("#page-machines")[0].is_displayed() and not css("#login")[0].is_displayed()),
       "a reload keeps the session signed in")

    # A machine appears as it boots: enrollment records it pending.
    macs = ["52:54:00:c0:ff:01", "52:54:00:c0:ff:02", "52:54:00:c0:ff:03"]
    for mac in macs:
        with urllib.request.urlopen(d.base + "/boot/ipxe?mac=" + mac) as r:
            r.read()
    t = time.time()
    rows = wait_for(lambda: len(css('#pending li[data-name^="mac-525400c0ff"]')) == 3 and
                    css('#machines tr[data-name="mac-525400c0ff01"]'), timeout=8)
    ok(rows, "three booting machines appear, pending approval, without a reload (%.1f s)" % (time.time() - t),
       text("#page-machines"))
    ok("pending" in text('#machines tr[data-name="mac-525400c0ff01"]') and
       "profile lab-local" in text('#machines tr[data-name="mac-525400c0ff01"]'),
       "its row: pending, and its last boot (what it was served)", text('#machines tr[data-name="mac-525400c0ff01"]'))
    shot("machines-pending")

    # Approve one with its button: active in the API and on the page.
    css('#pending button[data-action="approve"][data-name="mac-525400c0ff01"]')[0].click()
    ok(wait_for(lambda: not css('#pending li[data-name="mac-525400c0ff01"]') and
                "active" in text('#machines tr[data-name="mac-525400c0ff01"]'), timeout=8),
       "approve: it leaves the pending list and shows active", text("#page-machines"))
    st, c = d.api("GET", "/api/v1/clients/mac-525400c0ff01")
    ok(st == 200 and c["state"] == "active", "approve: the API has it active", c)
    # Deny another (the page asks first).
    drv.execute_script("window.confirm = () => true")
    css('#pending button[data-action="deny"][data-name="mac-525400c0ff02"]')[0].click()
    ok(wait_for(lambda: not css('#machines tr[data-name="mac-525400c0ff02"]'), timeout=8),
       "deny: it is gone from the page", text("#page-machines"))
    ok(d.api("GET", "/api/v1/clients/mac-525400c0ff02")[0] == 404, "deny: and from the API")
    shot("machines")

    # A phone's width: one column, rows as blocks.
    drv.set_window_size(390, 844)
    time.sleep(0.3)
    ok(drv.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"),
       "at a phone's width (390 px) nothing scrolls sideways",
       drv.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]"))
    shot("machines-phone")
    drv.set_window_size(1280, 900)

    # Clone jobs with their progress: a golden image with data, three clones
    # (two copy at once, the third waits queued).
    st, _ = d.api("POST", "/api/v1/images", {"name": "golden", "size_bytes": 96 * MiB})
    with open(os.path.join(d.state, "images", "golden.img"), "r+b") as f:
        chunk = os.urandom(MiB)
        for _ in range(96):
            f.write(chunk)
    css('nav a[data-page="images"]')[0].click()
    ok(wait_for(lambda: css("#page-images")[0].is_displayed() and "golden" in text("#images")),
       "the images page lists the golden image", text("#page-images"))
    # Real clones: three (two copy at once, the third waits queued), followed
    # on the page to done.
    jobs = []
    for i in range(3):
        st, j = d.api("POST", "/api/v1/images", {"name": f"pc{i}", "from": "golden"})
        jobs.append(j and j.get("id"))
    ok(all(jobs), "three clone jobs started through the API", jobs)
    seen = {}

    def job_states():
        out = {}
        for li in css("#jobs li"):
            out[li.get_attribute("data-job")] = (li.get_attribute("data-state"),
                                                 li.find_element(By.CSS_SELECTOR, ".pct").text,
                                                 li.find_element(By.CSS_SELECTOR, "progress").get_attribute("value"))
            seen.setdefault(li.get_attribute("data-job"), set()).add(out[li.get_attribute("data-job")][:2])
        return out
    ok(wait_for(lambda: sum(v[:2] == ("done", "100%") for k, v in job_states().items()
                            if int(k) in jobs) == 3, timeout=25),
       "the three clones reach done, 100%, on the page", seen)
    # A clone of 96 MiB is done well within the page's poll (and bootsand's
    # API waits for the database while a job writes its progress, so the
    # test cannot hold the job back). A job row as a long clone keeps it, at
    # 42% then 77%, shows the bar move without a reload.
    db = sqlite3.connect(os.path.join(d.state, "bootsand.db"), timeout=5)
    cur = db.execute("INSERT INTO jobs (kind, subject, state, progress, created) VALUES "
                     "('clone', 'pc-big', 'running', 42, strftime('%s'))")
    slow = str(cur.lastrowid)
    db.commit()
    ok(wait_for(lambda: job_states().get(slow) == ("running", "42%", "42"), timeout=6),
       "a running clone shows its progress (42%)", job_states())
    db.execute("UPDATE jobs SET progress = 77 WHERE id = ?", (int(slow),))
    db.commit()
    ok(wait_for(lambda: job_states().get(slow) == ("running", "77%", "77"), timeout=3),
       "its bar moves as the job goes on (77%), polled twice a second", job_states())
    shot("images-cloning")
    db.execute("UPDATE jobs SET progress = 100, state = 'done', finished = strftime('%s') WHERE id = ?",
               (int(slow),))
    db.commit()
    db.close()
    ok(wait_for(lambda: job_states().get(slow) == ("done", "100%", "100"), timeout=3), "and shows it done",
       job_states())
    print("# states seen: " + json.dumps({k: sorted(v) for k, v in seen.items()}))
    ok(len(css("#jobs progress")) >= 3 and all(p.get_attribute("value") == "100" for p in css("#jobs progress")[:3]),
       "each job has its progress bar, full")
    ok(wait_for(lambda: "ready" in text('#images tr[data-name="pc2"]')), "the clones are listed, ready",
       text("#images"))

    # Overlays on the golden (issue 19): made at once, each shows its golden
    # and what it wrote; the golden its overlays and the page cache they
    # share. Before, the page showed overlays as plain images of the
    # golden's size, and nothing of the sharing.
    for i in range(3):
        st, _ = d.api("POST", "/api/v1/images", {"name": f"lab{i}", "from": "golden", "mode": "overlay"})
        ok(st == 201, f"overlay lab{i} of golden made through the API", st)
    # What a machine wrote lands in its delta (bootsan.ko writes it; here
    # the test does): 3 MiB at 8 MiB.
    with open(os.path.join(d.state, "images", "lab0.delta"), "r+b") as f:
        f.seek(8 * MiB)
        f.write(os.urandom(3 * MiB))
        os.fsync(f.fileno())
    golden = 'tr[data-name="golden"]'
    ok(wait_for(lambda: css(golden)[0].get_attribute("data-overlays") == "3" and
                "3 overlays" in text(golden + ' td[data-label="Overlays"]'), timeout=6),
       "the golden shows its three overlays", text(golden))
    st, g = d.api("GET", "/api/v1/images/golden")
    cache = css(golden + " .cache")
    ok(g and g.get("cached_bytes", 0) > 0 and cache and int(cache[0].get_attribute("data-cached")) > 0 and
       "page cache" in cache[0].text and "held once for all 3" in cache[0].text and "full copies" in cache[0].text,
       "and the page cache they share, held once (the API's cached_bytes)", [g, text(golden)])
    ok("golden" in text(golden + ' td[data-label="Name"]'), "it is marked golden, with its version",
       text(golden))
    lab0 = 'tr[data-name="lab0"]'
    ok(wait_for(lambda: "3.0 MiB written" in text(lab0 + ' td[data-label="On disk"]'), timeout=6) and
       css(lab0)[0].get_attribute("data-golden") == "golden" and
       "of golden" in text(lab0 + ' td[data-label="Overlays"]') and
       "overlay of golden v1" in text(lab0 + ' td[data-label="Name"]'),
       "an overlay shows its golden, the version and what it wrote (its delta)", text(lab0))
    ok("0 B written" in text('tr[data-name="lab1"] td[data-label="On disk"]'),
       "an overlay that wrote nothing shows 0 B written", text('tr[data-name="lab1"]'))
    ok(wait_for(lambda: "3 overlays on 1 golden image" in text("#overlay-summary")),
       "above the table: the overlays, their goldens and the shared page cache", text("#overlay-summary"))
    ok(not css("#space-alert")[0].is_displayed() and not css("#images .space"),
       "no image is out of space here", text("#page-images"))
    shot("images")
    # A machine whose disk is an overlay says of which golden.
    st, _ = d.api("POST", "/api/v1/clients", {"name": "lab-pc0", "mac": ["52:54:00:1a:b0:00"], "image": "lab0"})
    ok(st == 201, "a machine made with overlay lab0 as its disk", st)
    css('nav a[data-page="machines"]')[0].click()
    ok(wait_for(lambda: "overlay of golden" in text('#machines tr[data-name="lab-pc0"] td[data-label="Disk"]'),
                timeout=6), "the machines page: its disk, an overlay of golden",
       text('#machines tr[data-name="lab-pc0"]'))
    css('nav a[data-page="images"]')[0].click()
    ok(wait_for(lambda: "1 machine: lab-pc0" in text('#images tr[data-name="lab0"]')),
       "the images page: the overlay used by that machine", text('#images tr[data-name="lab0"]'))

    # The boot history as a timeline, newest first.
    css('nav a[data-page="history"]')[0].click()
    ok(wait_for(lambda: len(css("#timeline li:not(.day)")) >= 2, timeout=6), "the history page shows the boots",
       text("#page-history"))
    first = css("#timeline li:not(.day)")
    ok(first and "mac-525400c0ff03" in first[0].text, "newest first", [e.text for e in first[:3]])
    shot("history")

    # Sessions: without bootsan.ko the page says so.
    css('nav a[data-page="sessions"]')[0].click()
    ok(wait_for(lambda: "not loaded" in text("#sessions-note")), "sessions: the page says the module is not loaded",
       text("#page-sessions"))
    shot("sessions")

    # Enrollment settings: shown, and a change saved through the API.
    css('nav a[data-page="settings"]')[0].click()
    ok(wait_for(lambda: css("#s-enrollment")[0].get_attribute("value") == "register" and
                css("#s-default_profile")[0].get_attribute("value") == "lab-local"),
       "settings: the enrollment policy and default profile are shown")
    from selenium.webdriver.support.ui import Select
    ok(css("#s-provision_disk")[0].get_attribute("value") == "clone",
       "settings: a provisioned machine's disk, clone by default")
    ok(not css('#s-golden_image option[value="lab0"]') and css('#s-golden_image option[value="golden"]'),
       "settings: overlays are not offered as the golden image")
    Select(css("#s-enrollment")[0]).select_by_value("deny")
    Select(css("#s-provision_disk")[0]).select_by_value("overlay")
    css("#s-enroll_rate")[0].clear()
    css("#s-enroll_rate")[0].send_keys("30")
    css('#settings-form button[type="submit"]')[0].click()
    ok(wait_for(lambda: "Saved" in text("#settings-status")), "settings: saved", text("#settings-status"))
    st, s = d.api("GET", "/api/v1/settings")
    ok(s and s["enrollment"] == "deny" and s["enroll_rate"] == "30" and s["provision_disk"] == "overlay",
       "settings: the API has the change (provision with overlays)", s)
    ok(wait_for(lambda: css("#s-provision_disk")[0].get_attribute("value") == "overlay"),
       "settings: the form shows it after saving")
    css("#s-enroll_rate")[0].clear()
    css("#s-enroll_rate")[0].send_keys("x")
    css('#settings-form button[type="submit"]')[0].click()
    ok(wait_for(lambda: "enroll_rate" in text("#settings-status")), "settings: a bad value shows the API's error",
       text("#settings-status"))
    shot("settings")

    # Signing out forgets the token.
    css("#logout")[0].click()
    ok(wait_for(lambda: css("#login")[0].is_displayed()) and
       drv.execute_script("return sessionStorage.getItem('bootsan-token')") is None, "sign out forgets the token")
    ok(time.time() - t0 < 60, "the browser part took %.1f s" % (time.time() - t0))


def out_of_space(drv, state):
    """A bootsand whose images' file system fills up: its thin images, an
    overlay among them, are shown out of space (issue 19's out_of_space;
    before, the page did not show it at all)."""
    from selenium.webdriver.common.by import By

    css = lambda sel: drv.find_elements(By.CSS_SELECTOR, sel)	# noqa: E731
    text = lambda sel: " ".join(e.text for e in css(sel))	# noqa: E731
    d = Bootsand(state, tmpfs="48m")
    try:
        if not ok(d.port, "a second bootsand, its state on a 48 MiB tmpfs of its own", open(d.log).read()[-2000:]):
            return
        images = os.path.join(d.files, "images")
        d.api("POST", "/api/v1/images", {"name": "gold", "size_bytes": 8 * MiB})
        with open(os.path.join(images, "gold.img"), "r+b") as f:
            f.write(os.urandom(8 * MiB))	# fully allocated: never out of space
        d.api("POST", "/api/v1/images", {"name": "thin", "size_bytes": 64 * MiB})
        d.api("POST", "/api/v1/images", {"name": "room1", "from": "gold", "mode": "overlay"})
        # Fill what is left of the tmpfs.
        with open(os.path.join(d.files, "filler"), "wb") as f:
            try:
                while True:
                    f.write(b"\0" * MiB)
                    f.flush()
            except OSError:
                pass
        st, th = d.api("GET", "/api/v1/images/thin")
        ok(st == 200 and th["out_of_space"], "the API says the thin image is out of space", th)
        drv.get(d.base + "/ui/#images")
        ok(wait_for(lambda: css("#token")[0].is_displayed()), "its dashboard asks for its own token")
        css("#token")[0].send_keys(d.token + "\n")
        ok(wait_for(lambda: css('#images tr[data-name="thin"][data-out-of-space] .space') and
                    css('#images tr[data-name="room1"][data-out-of-space] .space'), timeout=8),
           "the thin image and the overlay are marked out of space", text("#images"))
        ok(not css('#images tr[data-name="gold"][data-out-of-space]'),
           "the fully allocated golden is not", text('#images tr[data-name="gold"]'))
        ok(css("#space-alert")[0].is_displayed() and "room1" in text("#space-alert") and
           "thin" in text("#space-alert") and "gold," not in text("#space-alert"),
           "a banner names them and says what fails", text("#space-alert"))
        drv.save_screenshot(os.path.join(SHOTS, "images-out-of-space.png"))
        # Space again: the marks go away without a reload.
        os.unlink(os.path.join(d.files, "filler"))
        ok(wait_for(lambda: not css("#images .space") and not css("#space-alert")[0].is_displayed(), timeout=8),
           "with space again, the marks go", text("#page-images"))
    finally:
        d.stop()
        log = open(d.log, errors="replace").read()
        ok("AddressSanitizer" not in log and "runtime error" not in log, "no sanitizer reports (second bootsand)",
           log[-2000:])


if __name__ == "__main__":
    sys.exit(main())
