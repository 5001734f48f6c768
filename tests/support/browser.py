"""browser: Debian's chromium, headless, driven through the DevTools protocol over a pipe
(--remote-debugging-pipe: JSON messages ended by a NUL byte on the browser's fds 3 and 4), with
nothing but Python's standard library. What the dashboard's browser test needs: open a page, fill
and submit forms, read the page with JavaScript, screenshots at a given viewport, downloads.

    with Browser(1366, 768) as b:
        b.goto("http://127.0.0.1:8080/dang-nhap")
        b.fill("input[name=user]", "tinh"); b.submit("form button")
        b.screenshot("/tmp/x.png")

Every wait has a timeout: a hung browser fails the test with chromium's last words, it never
hangs it.
"""
import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time


class BrowserError(Exception):
    pass


class Browser:
    def __init__(self, width, height, mobile=False, binary="chromium", timeout=20):
        self.timeout = timeout
        self.dir = tempfile.mkdtemp(prefix="hl-browser.")
        self.download_dir = os.path.join(self.dir, "downloads")
        os.mkdir(self.download_dir)
        self.log_path = os.path.join(self.dir, "chromium.log")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # The browser reads commands on fd 3 and writes answers on fd 4 (kept open in the child:
        # pass_fds names the child's numbers, after preexec_fn has put them there).
        def child_fds():
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)
        args = [binary, "--headless=new", "--remote-debugging-pipe", "--no-sandbox",
                "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--hide-scrollbars", "--mute-audio",
                # The same pixels on every run and machine: no hinting or subpixel text, sRGB.
                "--font-render-hinting=none", "--disable-lcd-text",
                "--disable-font-subpixel-positioning", "--force-color-profile=srgb",
                "--force-device-scale-factor=1", "--lang=vi-VN",
                "--user-data-dir=" + os.path.join(self.dir, "profile"),
                "--window-size=%d,%d" % (width, height), "about:blank"]
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=self.log, preexec_fn=child_fds,
                                     pass_fds=(3, 4))
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buf = b""
        self._id = 0
        self._events = []
        self.session = None
        try:
            targets = self._call("Target.getTargets")["targetInfos"]
            page = next(t for t in targets if t["type"] == "page")
            self.session = self._call("Target.attachToTarget", targetId=page["targetId"],
                                      flatten=True)["sessionId"]
            self.send("Page.enable")
            self.send("Runtime.enable")
            self.send("Network.enable")
            self.set_viewport(width, height, mobile)
            # Dates and numbers in forms as a Vietnamese phone shows them (dd/mm/yyyy).
            self.send("Emulation.setLocaleOverride", locale="vi-VN")
            self._call("Browser.setDownloadBehavior", behavior="allow",
                       downloadPath=self.download_dir, eventsEnabled=True)
        except Exception:
            self.close()
            raise

    # ---- the protocol ----

    def _fail(self, what):
        self.log.flush()
        try:
            with open(self.log_path, "rb") as f:
                tail = f.read()[-2000:].decode("utf-8", "replace")
        except OSError:
            tail = ""
        raise BrowserError("%s\n--- chromium's log:\n%s" % (what, tail))

    def _read_message(self, deadline):
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if not ready:
                return None
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                self._fail("chromium closed its end of the pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def _call(self, method, session=None, timeout=None, **params):
        self._id += 1
        my = self._id
        m = {"id": my, "method": method, "params": params}
        if session:
            m["sessionId"] = session
        os.write(self._to_browser, json.dumps(m).encode() + b"\0")
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            r = self._read_message(deadline)
            if r is None:
                self._fail("%s: no answer within %s s" % (method, timeout or self.timeout))
            if r.get("id") == my:
                if "error" in r:
                    self._fail("%s: %s" % (method, r["error"]))
                return r.get("result", {})
            if "method" in r:
                # Events that arrive meanwhile are kept for the waits below.
                self._events.append(r)

    def send(self, method, timeout=None, **params):
        """A command to the page."""
        return self._call(method, session=self.session, timeout=timeout, **params)

    def wait_event(self, method, pred=None, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, e in enumerate(self._events):
                if e["method"] == method and (pred is None or pred(e.get("params", {}))):
                    del self._events[i]
                    return e.get("params", {})
            r = self._read_message(deadline)
            if r is None:
                self._fail("no %s within %s s" % (method, timeout or self.timeout))
            if "method" in r:
                self._events.append(r)

    # ---- what tests use ----

    def set_viewport(self, width, height, mobile=False):
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=mobile)
        self.send("Emulation.setTouchEmulationEnabled", enabled=mobile)
        self.width, self.height = width, height

    def goto(self, url):
        self._events = [e for e in self._events if e["method"] != "Page.loadEventFired"]
        r = self.send("Page.navigate", url=url)
        if r.get("errorText"):
            self._fail("goto %s: %s" % (url, r["errorText"]))
        self.wait_event("Page.loadEventFired")
        self._settle()

    def _settle(self):
        # Fonts are loaded by the load event, but make sure before a screenshot.
        self.eval("document.fonts.ready.then(() => true)")

    def eval(self, js):
        r = self.send("Runtime.evaluate", expression=js, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            self._fail("eval %r: %s" % (js, r["exceptionDetails"].get("exception", {})
                                              .get("description", r["exceptionDetails"])))
        return r.get("result", {}).get("value")

    def fill(self, selector, text):
        ok = self.eval("(() => { const e = document.querySelector(%s); if (!e) return false;"
                       " e.value = %s; return true; })()" % (json.dumps(selector), json.dumps(text)))
        if not ok:
            self._fail("fill: no element %s" % selector)

    def select(self, selector, value):
        self.fill(selector, value)

    def submit(self, selector):
        """Clicks selector (a submit button) and waits for the page it leads to."""
        self._events = [e for e in self._events if e["method"] != "Page.loadEventFired"]
        ok = self.eval("(() => { const e = document.querySelector(%s); if (!e) return false;"
                       " e.click(); return true; })()" % json.dumps(selector))
        if not ok:
            self._fail("submit: no element %s" % selector)
        self.wait_event("Page.loadEventFired")
        self._settle()

    def click_download(self, selector, timeout=30):
        """Clicks a download link; returns the downloaded file's path."""
        ok = self.eval("(() => { const e = document.querySelector(%s); if (!e) return false;"
                       " e.click(); return true; })()" % json.dumps(selector))
        if not ok:
            self._fail("download: no element %s" % selector)
        begin = self.wait_event("Browser.downloadWillBegin", timeout=timeout)
        guid = begin["guid"]
        self.wait_event("Browser.downloadProgress",
                        lambda p: p.get("guid") == guid and p.get("state") == "completed",
                        timeout=timeout)
        path = os.path.join(self.download_dir, guid)
        if not os.path.exists(path):
            path = os.path.join(self.download_dir, begin["suggestedFilename"])
        return path, begin["suggestedFilename"]

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def cookies(self):
        return self.send("Network.getCookies")["cookies"]

    def no_horizontal_scroll(self):
        # Against the viewport set, not innerWidth: a phone's layout viewport widens to fit a page
        # that overflows, which would hide the overflow.
        return self.eval("document.documentElement.scrollWidth") <= self.width

    def close(self):
        try:
            if self.proc.poll() is None:
                try:
                    self._call("Browser.close", timeout=5)
                except Exception:
                    pass
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            for fd in (self._to_browser, self._from_browser):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.log.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
