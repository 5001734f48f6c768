#!/usr/bin/env python3
"""test_dashboard_ui: the dashboard in a real browser (Debian's chromium, headless, through
tests/support/cdp.py), as a leader uses it: the login page, signing in, the province's
overview, choosing another period, a commune's page, downloading its votes as CSV, the feedback
inbox and one item of it (issue 12: the whole page, its form, no contact data for the province);
at a desk
screen (1366x768) and a phone (390x844, touch): no horizontal scrolling on the phone, and a
screenshot of each page compared with its golden (tests/golden/dashboard/; HL_UPDATE_GOLDENS=1
writes them). The collector and the seeding run under libfaketime at 2026-11-20 10:00 (Vietnam),
so that the pages show the same days and figures on every run.

    test_dashboard_ui.py COLLECTOR_BIN
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "support"))
from cdp import Browser  # noqa: E402
from png_probe import decode  # noqa: E402

GOLDEN = os.path.join(HERE, "golden", "dashboard")
NOW = "2026-11-20 03:00:00"  # UTC: 10:00 in Vietnam
TODAY = "2026-11-20"
passed = failed = 0


def ok(name):
    global passed
    passed += 1
    print("ok   " + name, file=sys.stderr)


def bad(name, more=""):
    global failed
    failed += 1
    print("FAIL " + name + (("\n    " + more) if more else ""), file=sys.stderr)


def check(name, cond, more=""):
    ok(name) if cond else bad(name, more)


def faketime_env():
    libs = [os.path.join(d, "faketime", "libfaketime.so.1")
            for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib")]
    lib = next((p for p in libs if os.path.exists(p)), None)
    if not lib:
        sys.exit("test_dashboard_ui: libfaketime is missing (scripts/deps.sh --test installs it)")
    env = dict(os.environ, LD_PRELOAD=lib, FAKETIME="@" + NOW, FAKETIME_DONT_FAKE_MONOTONIC="1",
               FAKETIME_DONT_RESET="1")
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0").lstrip(":")
    return env


def same_picture(got, want, tolerance=0.002):
    """Exact bytes, or (another chromium's encoder) at most 0.2 % of pixels off by more than 40."""
    if open(got, "rb").read() == open(want, "rb").read():
        return True, ""
    gw, gh, gp = decode(got)
    ww, wh, wp = decode(want)
    if (gw, gh) != (ww, wh):
        return False, "size %dx%d, golden %dx%d" % (gw, gh, ww, wh)
    off = 0
    for y in range(0, gh):
        for x in range(0, gw):
            a, b = gp(x, y), wp(x, y)
            if max(abs(a[0] - b[0]), abs(a[1] - b[1]), abs(a[2] - b[2])) > 40:
                off += 1
    share = off / (gw * gh)
    return share <= tolerance, "%.2f %% of pixels differ" % (share * 100)


def shot(b, name, work, full_page=False):
    path = os.path.join(work, name + ".png")
    b.screenshot(path, full_page=full_page)
    want = os.path.join(GOLDEN, name + ".png")
    if os.environ.get("HL_UPDATE_GOLDENS"):
        os.makedirs(GOLDEN, exist_ok=True)
        shutil.copy(path, want)
        ok("golden written: " + name)
        return
    if not os.path.exists(want):
        bad("golden %s: missing (HL_UPDATE_GOLDENS=1 writes it)" % name)
        return
    same, why = same_picture(path, want)
    if not same:
        keep = os.path.join(tempfile.gettempdir(), "hl-dashboard-" + name + ".png")
        shutil.copy(path, keep)
        bad("golden " + name, why + "; this run's picture: " + keep)
    else:
        ok("golden " + name)


def main():
    collector = sys.argv[1]
    if not shutil.which("chromium"):
        sys.exit("test_dashboard_ui: chromium is missing (scripts/deps.sh --test installs it)")
    work = tempfile.mkdtemp(prefix="hl-dash-ui.")
    env = faketime_env()
    db = "sqlite:" + os.path.join(work, "c.db")
    server = None
    try:
        def run(*args, stdin=None):
            r = subprocess.run([collector, *args, "--db", db], input=stdin, env=env,
                               capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit("%s: %s" % (" ".join(args), r.stderr))
            return r.stdout.strip()
        run("init")
        kiosks = [("bombo-01", "Xã Bom Bo"), ("bombo-02", "Xã Bom Bo"),
                  ("tanphu-01", "Phường Tân Phú"), ("locninh-01", "Xã Lộc Ninh")]
        tokens = {k: run("kiosk", "add", k, "--unit", u) for k, u in kiosks}
        run("user", "add", "tinh", "--role", "province", stdin="matkhau-tinh-123\n")
        port_file = os.path.join(work, "port")
        log = open(os.path.join(work, "serve.log"), "w")
        server = subprocess.Popen([collector, "serve", "--listen", "127.0.0.1:0", "--port-file",
                                   port_file, "--db", db], env=env, stdout=log, stderr=log)
        for _ in range(400):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.025)
        base = "http://127.0.0.1:" + open(port_file).read().strip()
        seed = [sys.executable, os.path.join(HERE, "support", "seed_collector.py"), "--url", base,
                "--end", TODAY]
        subprocess.run(seed + ["--votes", "900", "--days", "60", "--feedback", "9"] +
                       sum((["--kiosk", "%s:%s:%s" % (k, tokens[k], u)]
                            for k, u in kiosks[:3]), []), env=env, check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run(seed + ["--votes", "12", "--days", "10", "--seed", "5", "--kiosk",
                               "locninh-01:%s:Xã Lộc Ninh" % tokens["locninh-01"]],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        con = sqlite3.connect(os.path.join(work, "c.db"))
        first_item = con.execute("SELECT uuid FROM feedback WHERE kiosk_id = 'bombo-01' AND "
                                 "seq = 1 AND consent = 1 AND vote_uuid <> ''").fetchone()[0]
        con.close()
        ok("a collector with four kiosks' votes and feedback, at " + TODAY)

        with Browser(1366, 768) as b:
            for size, mobile in (((1366, 768), False), ((390, 844), True)):
                w, h = size
                tag = "%dx%d" % size
                b.set_viewport(w, h, mobile)
                b.goto(base + "/dang-nhap")
                check(tag + ": the login page", b.eval("document.querySelector('h1').textContent")
                      == "Đăng nhập")
                check(tag + ": ... no horizontal scrolling", b.no_horizontal_scroll())
                shot(b, "login-" + tag, work)
                b.fill("input[name=user]", "tinh")
                b.fill("input[name=password]", "matkhau-tinh-123")
                b.submit_and_wait("form button[type=submit]")
                check(tag + ": signed in, on the overview", b.eval("location.pathname") == "/" and
                      "các xã, phường" in b.eval("document.querySelector('h1').textContent"))
                cookie = [c for c in b.cookies() if c["name"] == "hl_session"]
                check(tag + ": ... the session cookie is HttpOnly and SameSite=Strict",
                      cookie and cookie[0]["httpOnly"] and cookie[0]["sameSite"] == "Strict")
                check(tag + ": ... the period is this month",
                      "Từ 01/11/2026 đến 30/11/2026" in b.eval("document.body.innerText"))
                check(tag + ": ... no horizontal scrolling", b.no_horizontal_scroll(),
                      "scrollWidth %s" % b.eval("document.documentElement.scrollWidth"))
                shot(b, "overview-" + tag, work)
                # Another period: October, from the list.
                b.fill("form.period select[name=period]", "2026-10")
                b.submit_and_wait("form.period button[type=submit]")
                text = b.eval("document.body.innerText")
                check(tag + ": October chosen", "Từ 01/10/2026 đến 31/10/2026" in text and
                      "period=2026-10" in b.eval("location.search"))
                # A commune, through its link in the table.
                href = b.eval("[...document.querySelectorAll('td.name a')]"
                              ".find(a => a.textContent === 'Xã Bom Bo').getAttribute('href')")
                b.goto(base + href)
                check(tag + ": Bom Bo's page, still October",
                      b.eval("document.querySelector('h1').textContent") == "Xã Bom Bo" and
                      "Từ 01/10/2026 đến 31/10/2026" in b.eval("document.body.innerText"))
                b.goto(base + "/xa?unit=" + urllib.parse.quote("Xã Bom Bo"))
                check(tag + ": ... no horizontal scrolling", b.no_horizontal_scroll(),
                      "scrollWidth %s" % b.eval("document.documentElement.scrollWidth"))
                shot(b, "commune-" + tag, work)
                if not mobile:
                    path = b.download("a[href^='/tai/phieu.csv']")
                    name = os.path.basename(path)
                    data = open(path, "rb").read()
                    lines = data.decode("utf-8-sig").splitlines()
                    check("the votes' CSV downloaded, named for its period",
                          name == "hailong-phieu-2026-11-01-2026-11-30.csv", name)
                    check("... UTF-8 with a BOM, Vietnamese headers",
                          data[:3] == b"\xef\xbb\xbf" and lines[0].startswith("Mã phiếu,"))
                    rows = [line for line in lines[1:] if ",Xã Bom Bo," in line]
                    check("... Bom Bo's votes of November only", len(rows) == len(lines) - 1 > 50,
                          "%d rows, %d of Bom Bo" % (len(lines) - 1, len(rows)))
                # The feedback inbox, through the navigation, and its newest item.
                b.goto(base + b.eval("document.querySelector('header nav a[href=\"/hop-thu\"]')"
                                     ".getAttribute('href')"))
                check(tag + ": the inbox", b.eval("document.querySelector('h1').textContent") ==
                      "Hộp thư góp ý" and b.eval("document.querySelectorAll("
                                                 "'table.inbox tbody tr').length") == 27)
                check(tag + ": ... no horizontal scrolling", b.no_horizontal_scroll(),
                      "scrollWidth %s" % b.eval("document.documentElement.scrollWidth"))
                shot(b, "inbox-" + tag, work)
                # Bom Bo's first item: a contact (the province sees only that there is one) and
                # the vote it follows.
                b.goto(base + "/hop-thu/" + first_item)
                text = b.eval("document.body.innerText")
                check(tag + ": an item: its text, state, vote, form",
                      "Nội dung" in text and "Mới" in text and "Sau lượt đánh giá" in text and
                      "Có thông tin liên hệ (chỉ lãnh đạo xã xem được)" in text and
                      b.eval("!!document.querySelector('form.fb-form input[name=csrf]')"))
                check(tag + ": ... no contact data for the province",
                      "0913" not in b.eval("document.documentElement.outerHTML"))
                check(tag + ": ... no horizontal scrolling", b.no_horizontal_scroll(),
                      "scrollWidth %s" % b.eval("document.documentElement.scrollWidth"))
                shot(b, "item-" + tag, work, full_page=True)
                b.submit_and_wait("form.out button")
                check(tag + ": signed out", b.eval("location.pathname") == "/dang-nhap")
    finally:
        if server:
            server.terminate()
            server.wait(timeout=10)
        if not os.environ.get("HL_TEST_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
