"""cdp: Debian's chromium, headless, driven through the Chrome DevTools Protocol over a pipe
(--remote-debugging-pipe: JSON messages ended by a NUL byte, read by the browser on its fd 3 and
written on its fd 4), with nothing but Python's standard library. For tests of the web dashboard.

    with Browser(1366, 768) as b:
        b.goto("http://127.0.0.1:8080/dang-nhap")
        b.fill("input[name=user]", "tinh")
        b.submit_and_wait("form button")
        assert b.eval("document.title") == "..."
        b.screenshot("/tmp/x.png")

Every wait has a timeout (20 s a command unless told): a hung browser fails the test with an
exception naming the method and the tail of chromium's log; it never hangs the test.
"""
import base64
import collections
import fcntl
import json
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time

__all__ = ["Browser", "CDPError", "JSError", "live_group_members"]


class CDPError(Exception):
    """The browser did not do what was asked: an error reply, a timeout, or the browser gone."""


class JSError(CDPError):
    """The page's JavaScript threw (eval and the helpers built on it)."""


# Flags beyond the DevTools pipe. Chromium ignores a switch it does not know, so those that
# differ between versions are harmless where unsupported.
_FLAGS = [
    "--headless=new",
    "--remote-debugging-pipe",
    # root in a container: the setuid/namespace sandbox cannot start there.
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    # Nothing of the browser's own traffic or background work to slow or disturb a test.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-breakpad",
    "--metrics-recording-only",
    "--password-store=basic",
    "--mute-audio",
    # Timers of a page the headless window does not show must still run (rAF, setTimeout).
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    # The same pixels on every run and machine, since tests compare screenshots: no font
    # hinting, no LCD or subpixel text, one device pixel per CSS pixel, sRGB output, and no
    # scrollbars (their width differs between themes and would shift the layout).
    "--hide-scrollbars",
    "--font-render-hinting=none",
    "--disable-lcd-text",
    "--disable-font-subpixel-positioning",
    "--force-device-scale-factor=1",
    "--force-color-profile=srgb",
]

# Where the browser expects the pipe; fixed by Chromium.
_CHILD_IN, _CHILD_OUT = 3, 4

# A URL rather than a CSS selector, for download().
# Not just "scheme:", which "a:not(.x)" would look like.
_URL_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://|/)")


def _high_fd(fd):
    """A close-on-exec copy of fd numbered 10 or above, the original closed. The launcher's
    redirections "3<&R 4>&W" must never read a descriptor that an earlier one replaced, which
    could happen if os.pipe() handed out 3 or 4 itself."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Browser:
    """One headless chromium with one page, attached through a flat DevTools session.

    width, height, mobile: the viewport (see set_viewport). download_dir: where download() puts
    files; by default a folder inside the browser's temporary directory, deleted by close().
    binary: the chromium to run (default: `chromium` on PATH). timeout: seconds a command may
    take before CDPError. Set HL_TEST_KEEP=1 to keep the temporary directory (profile, log).
    """

    def __init__(self, width=1366, height=768, mobile=False, download_dir=None, binary=None,
                 timeout=20):
        self.timeout = timeout
        self.width, self.height, self.mobile = width, height, mobile
        self.proc = None
        self.session = None
        self._to_browser = self._from_browser = None
        self._log = None
        self._buf = bytearray()  # what the browser wrote that is not a whole message yet
        self._scanned = 0  # how much of _buf is known to hold no NUL
        self._id = 0
        self._seq = 0  # arrival number of events, to tell those after a given moment
        self._events = collections.deque()  # (seq, method, params, sessionId)
        self._closed = False
        self.dir = tempfile.mkdtemp(prefix="cdp.")
        self.log_path = os.path.join(self.dir, "chromium.log")
        self.download_dir = download_dir or os.path.join(self.dir, "downloads")
        os.makedirs(self.download_dir, exist_ok=True)
        try:
            self._launch(binary or "chromium", width, height)
            self._attach()
        except BaseException:
            self.close()
            raise

    # ---- starting and stopping ----

    def _launch(self, binary, width, height):
        path = shutil.which(binary)
        if path is None:
            raise CDPError("cdp: %r not found; install it: apt-get install -y chromium" % binary)
        r_in, w_in = os.pipe()  # us -> browser
        r_out, w_out = os.pipe()  # browser -> us
        r_in, w_in, r_out, w_out = (_high_fd(fd) for fd in (r_in, w_in, r_out, w_out))
        self._to_browser, self._from_browser = w_in, r_out
        # A command that never gets read must not block us past our deadline.
        os.set_blocking(self._to_browser, False)
        # subprocess can keep descriptors open in the child but not renumber them; bash does
        # that before exec-ing chromium. bash rather than /bin/sh because dash refuses descriptor
        # numbers above 9; a Popen preexec_fn could do it too, but is unsafe with threads (the
        # tests run HTTP servers in threads).
        launcher = "exec %d<&%d %d>&%d %d<&- %d>&-; exec \"$@\"" % (
            _CHILD_IN, r_in, _CHILD_OUT, w_out, r_in, w_out)
        args = ["/bin/bash", "-c", launcher, "cdp-launch", path] + _FLAGS + [
            "--user-data-dir=" + os.path.join(self.dir, "profile"),
            "--window-size=%d,%d" % (width, height),
            "about:blank",
        ]
        self._log = open(self.log_path, "wb")
        try:
            # A session of its own, so close() can end the renderers and helpers with the
            # browser by their process group (the browser's own pid).
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self._log,
                                         stderr=self._log, pass_fds=(r_in, w_out),
                                         start_new_session=True)
        finally:
            # The child's copies are all the browser needs; ours would hide its exit from
            # the reader (no end of file while we hold a writer).
            os.close(r_in)
            os.close(w_out)

    def _attach(self):
        # The first answer waits for the browser to start (about half a second, more on a busy
        # machine): not held to a short timeout meant for commands.
        start = max(self.timeout, 20)
        targets = self.call("Target.getTargets", session=None, timeout=start)["targetInfos"]
        pages = [t for t in targets if t.get("type") == "page"]
        if pages:
            target = pages[0]["targetId"]
        else:
            target = self.call("Target.createTarget", session=None, timeout=start,
                               url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", session=None, timeout=start,
                                 targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable")
        self.set_viewport(self.width, self.height, self.mobile)
        self._allow_downloads()

    def close(self):
        """Asks the browser to quit (Browser.close); kills it and its children if it does not
        answer in 3 s (or the browser's timeout, if shorter) or has not quit 5 s later; deletes the temporary directory (unless
        HL_TEST_KEEP=1). Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.proc is not None and self.proc.poll() is None:
                try:
                    self.call("Browser.close", session=None, timeout=min(3, self.timeout))
                    self.proc.wait(timeout=5)
                except (CDPError, subprocess.TimeoutExpired):
                    pass  # hung or gone: killed below
            if self.proc is not None:
                self._kill_group()
        finally:
            for fd in (self._to_browser, self._from_browser):
                if fd is not None:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            self._to_browser = self._from_browser = None
            if self._log is not None:
                self._log.close()
            if os.environ.get("HL_TEST_KEEP") == "1":
                print("cdp: kept %s" % self.dir)
            else:
                shutil.rmtree(self.dir, ignore_errors=True)

    def _kill_group(self):
        # Renderers and the zygote may outlive a browser that was killed; they are in the
        # browser's process group, which is ours to end (start_new_session above).
        deadline = time.monotonic() + 5
        while True:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                break
            try:
                self.proc.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                pass
            # Until every one has died, so that the next browser does not compete with this one.
            # Dead ones can linger as zombies: orphans are reaped by init, in a container
            # perhaps late or never, so they do not count.
            if not live_group_members(self.proc.pid) or time.monotonic() > deadline:
                break
            time.sleep(0.02)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- the protocol ----

    def log_tail(self, lines=20):
        """The last lines chromium wrote on stdout and stderr, without its complaints about
        D-Bus (there is no bus in a container or CI, and they would fill the tail)."""
        try:
            if self._log is not None and not self._log.closed:
                self._log.flush()
            with open(self.log_path, "rb") as f:
                text = f.read()[-65536:].decode("utf-8", "replace")
        except OSError:
            return ""
        kept = [line for line in text.splitlines() if ":ERROR:dbus/" not in line]
        return "\n".join(kept[-lines:])

    def _fail(self, what, cls=CDPError, log=True):
        if not log:
            raise cls("cdp: " + what)  # the page's fault: chromium's log would only distract
        state = "running"
        if self.proc is not None and self.proc.poll() is not None:
            state = "exited with status %s" % self.proc.returncode
        raise cls("cdp: %s (chromium %s)\n--- the end of chromium's log (%s):\n%s"
                  % (what, state, self.log_path, self.log_tail()))

    def _write(self, data, deadline, method):
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                self._fail("%s: the browser did not read the command" % method)
            select.select([], [self._to_browser], [], left)
            try:
                n = os.write(self._to_browser, view)
            except BlockingIOError:
                continue
            except BrokenPipeError:
                self._fail("%s: the browser closed its end of the pipe" % method)
            view = view[n:]

    def _read(self, deadline, method):
        """The next message, or None at the deadline; events are queued on the way."""
        while True:
            # From where the last look ended: a screenshot is megabytes read in many pieces.
            nul = self._buf.find(b"\0", self._scanned)
            if nul >= 0:
                raw = bytes(self._buf[:nul])
                del self._buf[:nul + 1]
                self._scanned = 0
                msg = json.loads(raw)
                if "method" in msg and "id" not in msg:
                    self._seq += 1
                    self._events.append((self._seq, msg["method"], msg.get("params", {}),
                                         msg.get("sessionId")))
                return msg
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if not ready:
                return None
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                self._fail("%s: the browser closed its end of the pipe" % method)
            self._scanned = len(self._buf)
            self._buf += chunk

    def call(self, method, session=True, timeout=None, **params):
        """Sends one command and returns its result. session=True: to the page's session;
        None: to the browser itself (Target.*, Browser.*). Raises CDPError on an error reply
        or when no reply comes within timeout seconds (default: the browser's)."""
        if self._to_browser is None:
            raise CDPError("cdp: %s: the browser is closed" % method)
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session is True:
            session = self.session
        if session:
            msg["sessionId"] = session
        self._write(json.dumps(msg).encode() + b"\0", deadline, method)
        while True:
            reply = self._read(deadline, method)
            if reply is None:
                self._fail("%s: no reply within %g s" % (method, timeout))
            # Replies carry our id; anything else read meanwhile was an event, queued by _read.
            if reply.get("id") == self._id:
                if "error" in reply:
                    err = reply["error"]
                    self._fail("%s: %s (%s)" % (method, err.get("message"), err.get("data", "")))
                return reply.get("result", {})

    def mark(self):
        """A point in the event stream: wait_event(..., after=mark) ignores what came before."""
        return self._seq

    def wait_event(self, method, pred=None, timeout=None, after=None, what=None):
        """The parameters of the first queued or coming event named method (for which
        pred(params) is true, and which arrived after the mark `after`), removed from the
        queue. Raises CDPError after timeout seconds, its message starting with `what`."""
        return self._wait_event(method, pred, timeout, after, what)[1]

    def _wait_event(self, method, pred, timeout, after, what=None):
        """wait_event, returning (the event's mark, its parameters)."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        checked = 0  # events already looked at are not looked at again
        while True:
            for i in range(checked, len(self._events)):
                seq, name, params, _ = self._events[i]
                if name == method and (after is None or seq > after) and (
                        pred is None or pred(params)):
                    del self._events[i]
                    return seq, params
            checked = len(self._events)
            if self._read(deadline, "%swaiting for %s" % (what + ": " if what else "", method)
                          ) is None:
                self._fail("%sno %s within %g s" % (what + ": " if what else "", method, timeout))

    def events(self, method=None):
        """The queued events (method, params), oldest first, without removing them."""
        return [(m, p) for _, m, p, _ in self._events if method is None or m == method]

    def clear_events(self):
        self._events.clear()

    # ---- what tests use ----

    def set_viewport(self, width, height, mobile=False, scale=1):
        """The page's viewport in CSS pixels; mobile: a phone's meta-viewport handling and touch
        events; scale: device pixels per CSS pixel (screenshots are width*scale wide)."""
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=scale, mobile=mobile)
        touch = {"enabled": bool(mobile)}
        if mobile:
            touch["maxTouchPoints"] = 5
        self.call("Emulation.setTouchEmulationEnabled", **touch)
        self.width, self.height, self.mobile, self.scale = width, height, mobile, scale

    def goto(self, url, timeout=15):
        """Opens url and waits for its load event (then for its web fonts)."""
        mark = self.mark()
        nav = self.call("Page.navigate", url=url, timeout=timeout)
        if nav.get("errorText"):
            self._fail("goto %s: %s" % (url, nav["errorText"]))
        if nav.get("loaderId"):  # none: a same-document navigation (#fragment), no load event
            self.wait_event("Page.loadEventFired", timeout=timeout, after=mark,
                            what="goto " + url)
        self._settle(timeout)

    def _settle(self, timeout):
        # Text drawn before a web font arrives would differ between runs.
        self.eval("document.fonts ? document.fonts.ready.then(() => true) : true", timeout=timeout)

    def eval(self, js, timeout=None):
        """The value of the JavaScript expression js (awaited if a promise), as JSON gives it
        (None for undefined). Raises JSError with the exception's text if it throws."""
        r = self.call("Runtime.evaluate", timeout=timeout, expression=js, returnByValue=True,
                      awaitPromise=True, userGesture=True)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            text = d.get("exception", {}).get("description") or d.get("text", "")
            self._fail("eval %s: %s" % (_short(js), text), JSError, log=False)
        return r.get("result", {}).get("value")

    def _on(self, what, selector, action):
        """Runs action (JS using `e`) on the element selector matches; CDPError if none."""
        found = self.eval("(() => { const e = document.querySelector(%s); if (!e) return false;"
                          " %s; return true; })()" % (json.dumps(selector), action))
        if not found:
            self._fail("%s: no element matches %s" % (what, selector), log=False)

    def fill(self, selector, text):
        """Sets an input's or textarea's (or select's) value as typing would, firing input and
        change events so scripts that listen see it."""
        # The prototype's setter, not e.value =, so frameworks that wrap value notice.
        self._on("fill", selector,
                 "e.focus(); const d = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(e),"
                 " 'value'); if (d && d.set) d.set.call(e, %s); else e.value = %s;"
                 " e.dispatchEvent(new Event('input', {bubbles: true}));"
                 " e.dispatchEvent(new Event('change', {bubbles: true}))"
                 % (json.dumps(text), json.dumps(text)))

    def click(self, selector):
        """element.click() on the element selector matches; does not wait for anything."""
        self._on("click", selector, "e.click()")

    def submit_and_wait(self, selector, timeout=15):
        """Clicks selector (a submit button, a link) and waits for the page it leads to."""
        mark = self.mark()
        self.click(selector)
        # The main frame's navigation first, then a load event after it: a late load event of
        # the page being left can never be taken for the new one's.
        what = "submit_and_wait " + selector
        nav, _ = self._wait_event("Page.frameNavigated",
                                  lambda p: not p["frame"].get("parentId"), timeout, mark, what)
        self.wait_event("Page.loadEventFired", timeout=timeout, after=nav, what=what)
        self._settle(timeout)

    def screenshot(self, path, full_page=False):
        """Writes a PNG of the viewport (full_page: of the whole page) to path; returns path."""
        params = {"format": "png", "fromSurface": True}
        if full_page:
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": max(size["width"], self.width),
                              "height": max(size["height"], self.height), "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.call("Page.captureScreenshot", **params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path

    def cookies(self, urls=None):
        """The cookies the page's URL (or the given urls) would send, as the protocol gives them:
        name, value, domain, path, expires, httpOnly, secure, sameSite, session..."""
        params = {"urls": urls} if urls else {}
        return self.call("Network.getCookies", **params)["cookies"]

    def _allow_downloads(self):
        self.call("Browser.setDownloadBehavior", session=None, behavior="allow",
                  downloadPath=os.path.abspath(self.download_dir), eventsEnabled=True)

    def download(self, selector_or_url, timeout=30):
        """Clicks the element a CSS selector names, or follows a URL (absolute, or starting with
        /) as a link would, and waits for the download it starts to complete; returns the path
        of the file in download_dir. The file keeps the name the server suggests, and a later
        download of the same name replaces it: read or move it before the next one."""
        self._allow_downloads()
        mark = self.mark()
        if _URL_RE.match(selector_or_url):
            # A link clicked, not Page.navigate: that is how a user starts one, and a URL that
            # is not a download then simply shows up as no download (a clear timeout).
            self.eval("(() => { const a = document.createElement('a'); a.href = %s;"
                      " document.body.appendChild(a); a.click(); a.remove(); })()"
                      % json.dumps(selector_or_url))
        else:
            self._on("download", selector_or_url, "e.click()")
        what = "download " + selector_or_url
        begin = self.wait_event("Browser.downloadWillBegin", timeout=timeout, after=mark,
                                what=what + ": no download began")
        guid = begin["guid"]
        end = self.wait_event("Browser.downloadProgress",
                              lambda p: p.get("guid") == guid and p.get("state") in (
                                  "completed", "canceled"), timeout=timeout, after=mark,
                              what=what + ": not completed")
        if end["state"] != "completed":
            self._fail("download %s: canceled" % selector_or_url)
        # Recent Chromium says where it put the file; older ones keep the suggested name.
        path = end.get("filePath") or os.path.join(self.download_dir, begin["suggestedFilename"])
        if not os.path.isfile(path):
            self._fail("download %s: completed, but %s is not there" % (selector_or_url, path))
        return path

    def no_horizontal_scroll(self):
        """True when the page is no wider than the viewport. Against the width set as well as
        innerWidth: a phone (mobile=True) widens its layout viewport to fit a page that
        overflows, which would hide the overflow."""
        return bool(self.eval(
            "Math.max(document.documentElement.scrollWidth,"
            " document.body ? document.body.scrollWidth : 0) <= Math.min(window.innerWidth, %d)"
            % self.width))


def live_group_members(pgid):
    """The pids of process group pgid that are not zombies (from /proc)."""
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                stat = f.read()
        except OSError:
            continue  # gone meanwhile
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != b"Z":
            pids.append(int(name))
    return pids


def _short(js, n=80):
    js = " ".join(js.split())
    return js if len(js) <= n else js[:n - 3] + "..."
