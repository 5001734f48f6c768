#!/usr/bin/env python3
"""cdp_selftest: checks tests/support/cdp.py against Debian's chromium and a small HTTP server on
127.0.0.1: navigation, a form, JavaScript, screenshots and their sizes, horizontal scrolling,
cookies, downloads, timeouts, clean shutdown. Prints `N passed, N failed`; exits 1 on a failure.
"""
import functools
import html
import http.server
import os
import shutil
import signal
import struct
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, CDPError, JSError, live_group_members  # noqa: E402

# Four times what a run takes on a loaded machine: a hang is reported, not waited out.
WATCHDOG_S = 60

CSV = "mã,tên\r\n1,Hà Nội\r\n2,\"Huế, Thừa Thiên\"\r\n".encode("utf-8") + bytes(range(256))

HEAD = ('<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>%s</title></head><body style="margin:0;font:16px sans-serif">')

PAGES = {
    # A form, a download link, an element wider than any viewport, a cookie set by script.
    "index.html": HEAD % "Trang chủ" + (
        '<form action="/result" method="get"><input name="q" id="q">'
        '<button type="submit" id="go">Gửi</button></form>'
        '<a id="csv" href="/data.csv">Tải CSV</a>'
        '<div id="wide" style="width:2000px;height:20px;background:#c00"></div>'
        '<script>document.cookie = "js_cookie=xin-chao; path=/; SameSite=Lax";</script>'
        '</body></html>'),
    # A phone shows a page without <meta name=viewport> 980 px wide, then zooms out to fit
    # what is wider: innerWidth grows with the page.
    "wide-nometa.html": '<!doctype html><title>Rộng</title>'
                        '<div style="width:1500px;height:20px;background:#c00"></div>',
    # Fits any viewport; 1500 px tall for the full-page screenshot.
    "narrow.html": HEAD % "Hẹp" + (
        '<h1 style="margin:0;height:100px;background:#1565c0;color:#fff">Đánh giá</h1>'
        '<div style="height:1400px;background:linear-gradient(#fff,#4caf50)">'
        'Ông bà hài lòng?</div></body></html>'),
    # Served as a page, not an attachment: download() of it must fail, not hang.
    "plain.txt": "not a download\n",
}


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/result":
            q = urllib.parse.parse_qs(url.query).get("q", [""])[0]
            self._send(200, "text/html; charset=utf-8",
                       (HEAD % "Kết quả" + '<p id="out">%s</p><script src="/slow.js">'
                        '</script></body></html>' % html.escape(q)).encode("utf-8"))
        elif url.path == "/slow.js":
            # The load event comes after it: a wait that returned before it would be seen.
            time.sleep(0.3)
            self._send(200, "text/javascript", b"window.slowLoaded = true;")
        elif url.path == "/data.csv":
            # The query in the bytes: downloads of one name, told apart.
            self._send(200, "text/csv; charset=utf-8", CSV + url.query.encode(),
                       [("Content-Disposition", 'attachment; filename="data.csv"')])
        elif url.path in ("/", "/index.html"):
            # A cookie with the flags the dashboard's session cookie has, to read them back.
            with open(os.path.join(self.directory, "index.html"), "rb") as f:
                body = f.read()
            self._send(200, "text/html; charset=utf-8", body,
                       [("Set-Cookie", "srv_cookie=1; Path=/; HttpOnly; SameSite=Strict")])
        else:
            super().do_GET()

    def _send(self, code, ctype, body, headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass  # the test's output is its checks


def png_size(path):
    """Width and height from a PNG's IHDR chunk."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise AssertionError("%s is not a PNG" % path)
    return struct.unpack(">II", head[16:24])


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def run(self, name, fn):
        t = time.monotonic()
        try:
            fn()
        except Exception as e:  # a check's failure, whatever it is, is reported and counted
            self.failed += 1
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e))
        else:
            self.passed += 1
            print("ok   %s (%.2f s)" % (name, time.monotonic() - t))
        sys.stdout.flush()


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def expect_eq(got, want, what):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


class Watchdog(BaseException):
    """Not an Exception, so that no check counts it as its own failure and goes on."""


def main():
    def on_alarm(*_):
        raise Watchdog("the self-test took more than %d s" % WATCHDOG_S)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(WATCHDOG_S)
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="cdp-selftest.")
    site = os.path.join(work, "site")
    os.mkdir(site)
    for name, text in PAGES.items():
        with open(os.path.join(site, name), "w", encoding="utf-8") as f:
            f.write(text)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=site))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % server.server_address[1]
    c = Checks()
    try:
        run_checks(c, base, work)
    except (Exception, Watchdog) as e:  # e.g. no browser, or the watchdog: stop there
        c.failed += 1
        print("FAIL (stopped): %s: %s" % (type(e).__name__, e))
    finally:
        signal.alarm(0)
        server.shutdown()
        server.server_close()
        if os.environ.get("HL_TEST_KEEP") == "1":
            print("kept %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("cdp_selftest: %.1f s" % (time.monotonic() - started))
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


def run_checks(c, base, work):
    t = time.monotonic()
    b = Browser(1366, 768)
    print("chromium started and attached in %.2f s" % (time.monotonic() - t))
    shots = {}
    try:
        def goto_eval():
            b.goto(base + "/result?q=a")
            expect_eq(b.eval("[document.readyState, window.slowLoaded]"), ["complete", True],
                      "the page loaded when goto returns")
            b.goto(base + "/index.html")
            expect_eq(b.eval("document.title"), "Trang chủ", "title")
            expect_eq(b.eval("6 * 7"), 42, "a number")
            expect_eq(b.eval("({a: [1, 'ồ'], b: null})"), {"a": [1, "ồ"], "b": None}, "an object")
            expect_eq(b.eval("new Promise(r => setTimeout(() => r('later'), 50))"), "later",
                      "a promise awaited")
            expect_eq(b.eval("undefined"), None, "undefined")
            expect_eq(b.eval("[innerWidth, innerHeight]"), [1366, 768], "the viewport")
        c.run("goto and eval", goto_eval)

        def js_exception():
            try:
                b.eval("nope.x")
            except JSError as e:
                expect("ReferenceError" in str(e) and "nope" in str(e), "message: %s" % e)
            else:
                raise AssertionError("no JSError")
            expect_eq(b.eval("1 + 1"), 2, "eval after an exception")
        c.run("a JS exception raises JSError with its text", js_exception)

        def fill_submit():
            value = "Hà Nội & <b>\"x\"</b>"
            b.fill("#q", value)
            expect_eq(b.eval("document.querySelector('#q').value"), value, "the input's value")
            b.submit_and_wait("#go")
            expect_eq(b.eval("location.pathname"), "/result", "the page after submitting")
            expect_eq(b.eval("[document.readyState, window.slowLoaded]"), ["complete", True],
                      "the page loaded when submit_and_wait returns")
            expect_eq(b.eval("document.querySelector('#out').textContent"), value,
                      "the value as the next page shows it")
            try:
                b.fill("#missing", "x")
            except CDPError as e:
                expect("#missing" in str(e), "message names the selector: %s" % e)
            else:
                raise AssertionError("fill of a missing element did not raise")
        c.run("fill + submit_and_wait", fill_submit)

        def events_queued():
            b.goto(base + "/index.html")
            # The frame is attached while the evaluation runs, so its event arrives before
            # the reply: it must be waiting in the queue when eval returns.
            b.eval("document.body.appendChild(document.createElement('iframe')); 1")
            expect(b.events("Page.frameAttached"), "Page.frameAttached not queued: %s"
                   % [m for m, _ in b.events()])
            p = b.wait_event("Page.frameAttached", timeout=0.1)
            expect(p.get("parentFrameId"), "an iframe's event")
        c.run("events arriving during a command are queued", events_queued)

        def scroll_desktop():
            b.goto(base + "/index.html")
            expect_eq(b.no_horizontal_scroll(), False, "the wide page")
            b.goto(base + "/narrow.html")
            expect_eq(b.no_horizontal_scroll(), True, "the narrow page")
        c.run("no_horizontal_scroll at 1366x768", scroll_desktop)

        def cookies():
            b.goto(base + "/index.html")
            got = {k["name"]: k for k in b.cookies()}
            expect("js_cookie" in got and "srv_cookie" in got, "cookies: %s" % sorted(got))
            expect_eq(got["js_cookie"]["value"], "xin-chao", "js_cookie's value")
            expect_eq(got["js_cookie"]["httpOnly"], False, "js_cookie httpOnly")
            expect_eq(got["srv_cookie"]["httpOnly"], True, "srv_cookie httpOnly")
            expect_eq(got["srv_cookie"]["sameSite"], "Strict", "srv_cookie sameSite")
            expect_eq(got["srv_cookie"]["secure"], False, "srv_cookie secure")
        c.run("cookies with their flags", cookies)

        def downloads():
            b.goto(base + "/index.html")
            # A pseudo-class is a selector, not a URL of scheme "a".
            first = b.download("a#csv:not(.x)", timeout=10)
            expect_eq(os.path.basename(first), "data.csv", "the file's name")
            with open(first, "rb") as f:
                expect_eq(f.read(), CSV, "the bytes of the link's download")
            second = b.download(base + "/data.csv?v=2", timeout=10)
            with open(second, "rb") as f:
                expect_eq(f.read(), CSV + b"v=2", "the bytes of the URL's download")
            # As the docstring says: the same name again replaces the file.
            third = b.download("/data.csv?v=3", timeout=10)
            expect_eq(third, first, "the path of a download of the same name")
            with open(third, "rb") as f:
                expect_eq(f.read(), CSV + b"v=3", "the bytes of the path's download")
            expect_eq(b.eval("location.pathname"), "/index.html", "the page stays")
        c.run("download by selector and by URL", downloads)

        def not_a_download():
            b.goto(base + "/index.html")
            t0 = time.monotonic()
            try:
                b.download("/plain.txt", timeout=2)
            except CDPError as e:
                expect("download /plain.txt: no download began" in str(e), "message: %s" % e)
            else:
                raise AssertionError("no error")
            expect(time.monotonic() - t0 < 5, "gave up within its timeout")
        c.run("download of a page that is not one fails in time", not_a_download)

        def command_timeout():
            t0 = time.monotonic()
            try:
                b.eval("new Promise(() => {})", timeout=1)
            except CDPError as e:
                expect("Runtime.evaluate" in str(e) and "no reply within 1 s" in str(e),
                       "message: %s" % e)
            else:
                raise AssertionError("no error")
            expect(time.monotonic() - t0 < 3, "took %.1f s" % (time.monotonic() - t0))
            expect_eq(b.eval("'still here'"), "still here", "the browser after a timeout")
        c.run("a command with no reply raises within its timeout", command_timeout)

        def phone():
            b.set_viewport(390, 844, mobile=True)
            b.goto(base + "/narrow.html")
            path = b.screenshot(os.path.join(work, "phone.png"))
            expect_eq(png_size(path), (390, 844), "the screenshot's size")
            shots["phone"] = path
            expect(b.eval("navigator.maxTouchPoints") > 0, "touch emulated")
            expect_eq(b.no_horizontal_scroll(), True, "the narrow page")
            full = b.screenshot(os.path.join(work, "full.png"), full_page=True)
            expect_eq(png_size(full), (390, 1500), "the full page's size")
            b.goto(base + "/index.html")
            expect_eq(b.no_horizontal_scroll(), False, "the wide page")
            b.goto(base + "/wide-nometa.html")
            expect(b.eval("innerWidth") > 390, "innerWidth grown by the zoom-out")
            expect_eq(b.no_horizontal_scroll(), False, "the wide page without meta viewport")
            b.set_viewport(390, 844, mobile=True, scale=2)
            b.goto(base + "/narrow.html")
            expect_eq(png_size(b.screenshot(os.path.join(work, "x2.png"))), (780, 1688),
                      "the size at scale 2")
        c.run("set_viewport 390x844 mobile: screenshots, scrolling", phone)
    finally:
        b.close()

    def closed():
        expect(b.proc.poll() is not None, "chromium still running")
        left = live_group_members(b.proc.pid)
        expect(not left, "processes of chromium's group left: %s" % left)
        expect(not os.path.exists(b.dir) or os.environ.get("HL_TEST_KEEP") == "1",
               "the temporary profile is left")
    c.run("close ends chromium and removes its profile", closed)

    keep = os.path.join(work, "downloads")

    def second_browser():
        with Browser(390, 844, mobile=True, download_dir=keep) as m:
            m.goto(base + "/narrow.html")
            path = m.screenshot(os.path.join(work, "phone2.png"))
            expect_eq(png_size(path), (390, 844), "the screenshot's size")
            if "phone" in shots:
                with open(shots["phone"], "rb") as f1, open(path, "rb") as f2:
                    expect(f1.read() == f2.read(), "the same page drew differently in a second"
                           " browser (see HL_TEST_KEEP=1 and %s)" % work)
            m.goto(base + "/index.html")
            got = m.download("#csv", timeout=10)
            expect_eq(os.path.dirname(got), keep, "the download's folder")
        expect(os.path.isfile(os.path.join(keep, "data.csv")), "the download kept after close")
    c.run("Browser(390, 844, mobile=True, download_dir): same pixels, download kept",
          second_browser)

    def no_binary():
        t0 = time.monotonic()
        try:
            Browser(800, 600, binary="/nonexistent/chromium")
        except CDPError as e:
            expect("not found" in str(e), "message: %s" % e)
        else:
            raise AssertionError("no error")
        expect(time.monotonic() - t0 < 2, "slow")
    c.run("a missing chromium is named", no_binary)

    def dies():
        # A browser that dies under a test: the next command says so at once, with its log.
        with Browser(800, 600) as d:
            os.killpg(d.proc.pid, signal.SIGKILL)
            d.proc.wait(timeout=5)
            t0 = time.monotonic()
            try:
                d.eval("1")
            except CDPError as e:
                expect("Runtime.evaluate" in str(e) and "exited" in str(e), "message: %s" % e)
            else:
                raise AssertionError("no error")
            expect(time.monotonic() - t0 < 2, "slow")
    c.run("a dead browser fails the next command at once", dies)

    def hung():
        # A browser that stops answering: the command fails within its timeout, and close()
        # still ends the browser and everything it started, in a few seconds.
        d = Browser(800, 600, timeout=1)
        try:
            os.kill(d.proc.pid, signal.SIGSTOP)
            try:
                d.eval("1", timeout=1)
            except CDPError as e:
                expect("no reply within 1 s" in str(e), "message: %s" % e)
            else:
                raise AssertionError("no error")
        finally:
            t0 = time.monotonic()
            d.close()
        expect(time.monotonic() - t0 < 4, "close took %.1f s" % (time.monotonic() - t0))
        left = live_group_members(d.proc.pid)
        expect(not left, "processes of chromium's group left: %s" % left)
    c.run("a hung browser: the command times out, close kills it", hung)


if __name__ == "__main__":
    sys.exit(main())
