/* test_alert_send: delivering alerts (sync/collector/alert/) to an SMTP server and a webhook
 * receiver of the test's own on 127.0.0.1 (tests/support/alert_rx.py), read back by Python's own
 * email, json and hmac modules rather than by the code under test; refusals, header injection, a
 * receiver that never answers, and the retry schedule's numbers. */
#include "test.h"

#include "alert_send.h"
#include "util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define SUBJECT "Chưa hài lòng: Nguyễn Văn A (xã Bom Bo)"
/* Longer than one 76-column base64 line, with a bare LF the mail must carry as CRLF. */
#define TEXT                                                                                       \
    SUBJECT "\nMáy bombo-01 lúc 09:00 Thứ Tư 18/11/2026. Lý do: chậm trễ, thái độ chưa tốt."
#define AT_MS    1794967200000LL /* 2026-11-18T02:00:00Z, 09:00 in Vietnam */
#define ALERT_ID "r3-e1794967200000-bombo-01.mail"
#define FROM     "canh-bao@bombo.gov.vn"

/* ---- the receiver (tests/support/alert_rx.py), one per test ---- */

typedef struct {
    pid_t pid;
    char dir[PATH_MAX];
    int smtp_port, http_port;
} rx;

static const char *src_dir(void)
{
    const char *s = getenv("HL_TEST_SRC");
    return s && *s ? s : "tests";
}

static void rx_stop(rx *r)
{
    if (r->pid > 0) {
        kill(r->pid, SIGTERM);
        waitpid(r->pid, NULL, 0);
        r->pid = 0;
    }
}

/* Starts alert_rx.py in a fresh folder, refusing its first fail_mail DATA commands and its first
 * fail_hook POSTs, and waits for the ports it writes. 0, or -1 after saying why. */
static int rx_start(rx *r, int fail_mail, int fail_hook)
{
    memset(r, 0, sizeof *r);
    test_new_dir(r->dir, sizeof r->dir);
    char script[PATH_MAX], fm[16], fh[16], parent[16], ports[PATH_MAX];
    util_fmt(script, sizeof script, "%s/support/alert_rx.py", src_dir());
    util_fmt(fm, sizeof fm, "%d", fail_mail);
    util_fmt(fh, sizeof fh, "%d", fail_hook);
    util_fmt(parent, sizeof parent, "%d", (int)getpid());
    char *argv[] = {"python3",     script, r->dir,     "--fail-data", fm,
                    "--fail-http", fh,     "--parent", parent,        NULL};
    if (posix_spawnp(&r->pid, "python3", NULL, NULL, argv, environ) != 0) {
        fprintf(stderr, "cannot start python3 %s\n", script);
        r->pid = 0;
        return -1;
    }
    test_path(ports, sizeof ports, r->dir, "ports");
    int64_t end = test_mono_ms() + 15000;
    while (!util_file_exists(ports)) {
        if (test_mono_ms() > end || waitpid(r->pid, NULL, WNOHANG) == r->pid) {
            fprintf(stderr, "%s: no ports within 15 s, or it ended\n", script);
            if (test_mono_ms() > end)
                rx_stop(r);
            r->pid = 0;
            return -1;
        }
        test_nap_ms(10);
    }
    char *t = util_read_file(ports, NULL);
    int ok = t && sscanf(t, "%d %d", &r->smtp_port, &r->http_port) == 2;
    free(t);
    if (!ok) {
        fprintf(stderr, "%s: unreadable\n", ports);
        rx_stop(r);
        return -1;
    }
    return 0;
}

static alert_channel_cfg cfg_for(const rx *r)
{
    alert_channel_cfg c;
    memset(&c, 0, sizeof c);
    util_fmt(c.smtp_url, sizeof c.smtp_url, "smtp://127.0.0.1:%d", r->smtp_port);
    util_strlcpy(c.from, FROM, sizeof c.from);
    /* A token in the path and the query, as relays' URLs have: never in an error message. */
    util_fmt(c.webhook_url, sizeof c.webhook_url, "http://127.0.0.1:%d/hook/TOKEN123?key=TOKEN456",
             r->http_port);
    c.timeout_s = 10;
    return c;
}

static alert_msg sample(void)
{
    alert_msg m = {.kind = "nhieu-chua-hai-long",
                   .unit = "xa-bom-bo",
                   .officer_code = "tp-a",
                   .officer_name = "Nguyễn Văn A",
                   .kiosk_id = "bombo-01",
                   .subject = SUBJECT,
                   .text = TEXT,
                   .at_ms = AT_MS,
                   .id = ALERT_ID};
    return m;
}

static int files(const rx *r, const char *suffix)
{
    int n = 0;
    test_count_files(r->dir, suffix, &n);
    return n;
}

/* Runs a Python script (written to the test's folder) with args; its stdout into out. */
static int py(const char *name, const char *script, const char *args, char *out, size_t cap)
{
    char path[PATH_MAX], cmd[PATH_MAX * 3];
    test_path(path, sizeof path, test_root, name);
    test_write_text(path, script);
    util_fmt(cmd, sizeof cmd, "python3 '%s' %s", path, args);
    return test_capture_to(cmd, out, cap);
}

/* What a mail client makes of a received message: Python's email package decodes the RFC 2047
 * subject and the base64 body; and how its lines are built. */
static const char py_mail[] =
    "import email, email.policy, json, sys\n"
    "env = open(sys.argv[1] + '.env').read().splitlines()\n"
    "raw = open(sys.argv[1] + '.eml', 'rb').read()\n"
    "mail_from, _, params = env[0].partition('> ')\n"
    "print(mail_from + '>')\n"
    "print('SIZE ' + ('= bytes' if params == 'SIZE=%d' % len(raw) else '!= bytes: ' + params))\n"
    "print('\\n'.join(env[1:]))\n"
    "m = email.message_from_bytes(raw, policy=email.policy.default)\n"
    "head, _, body = raw.partition(b'\\r\\n\\r\\n')\n"
    "for k in ('Date', 'From', 'To', 'Message-ID', 'MIME-Version',\n"
    "          'Content-Transfer-Encoding', 'Auto-Submitted'):\n"
    "    print(k + '=' + str(m[k]))\n"
    "print('Subject=' + m['Subject'])\n"
    "print('type=%s charset=%s' % (m.get_content_type(), m.get_content_charset()))\n"
    "print('text=' + json.dumps(m.get_content(), ensure_ascii=False))\n"
    "lines = raw.split(b'\\r\\n')\n"
    "print('longest head line=%d' % max(len(l) for l in head.split(b'\\r\\n')))\n"
    "print('body lines=%s' % sorted(set(len(l) for l in body.split(b'\\r\\n') if l)))\n"
    "print('bare LF=%d' % sum(b'\\n' in l for l in lines))\n"
    /* Some clients decode each encoded-word alone: each must be whole UTF-8 characters. */
    "import base64, re\n"
    "words = re.findall(rb'=\\?UTF-8\\?B\\?([^?]*)\\?=', head)\n"
    "alone = [base64.b64decode(w).decode('utf-8', 'replace') for w in words]\n"
    "print('words=%d decode alone=%s' % (len(words), '\\ufffd' not in ''.join(alone)))\n";

/* The webhook as its receiver sees it: the JSON's fields in order, the headers, the signature
 * recomputed with Python's hmac from the bytes that arrived. */
static const char py_hook[] =
    "import hashlib, hmac, json, os, sys\n"
    "d, n, secret = sys.argv[1], sys.argv[2], os.fsencode(sys.argv[3])\n"
    "body = open('%s/hook-%s.body' % (d, n), 'rb').read()\n"
    "h = {}\n"
    "for l in open('%s/hook-%s.hdr' % (d, n)).read().splitlines():\n"
    "    if ': ' in l:\n"
    "        k, v = l.split(': ', 1)\n"
    "        h[k.lower()] = v\n"
    "for k, v in json.loads(body).items():\n"
    "    print(k + '=' + json.dumps(v, ensure_ascii=False))\n"
    "print('content-type=' + h.get('content-type', '-'))\n"
    "print('alert-id=' + h.get('x-hailong-alert-id', '-'))\n"
    "sig = h.get('x-hailong-signature')\n"
    "if not secret:\n"
    "    print('signature=' + ('absent' if sig is None else 'present'))\n"
    "else:\n"
    "    want = 'sha256=' + hmac.new(secret, body, hashlib.sha256).hexdigest()\n"
    "    ok = sig is not None and hmac.compare_digest(sig, want)\n"
    "    print('signature=' + ('valid' if ok else 'INVALID %s' % sig))\n";

/* ---- e-mail ---- */

static void mail_arrives(rx *r)
{
    alert_channel_cfg c = cfg_for(r);
    alert_msg m = sample();
    const char *to[] = {"lanh-dao@bombo.gov.vn", "van-phong@bombo.gov.vn"};
    char err[HL_ERR_MAX] = "";
    CHECK_INT(alert_send_mail(&c, to, 2, &m, err, sizeof err), 0);
    CHECK_STR(err, "");
    REQUIRE(files(r, ".eml") == 1);
    char file[PATH_MAX], args[PATH_MAX + 8], out[4096];
    test_path(file, sizeof file, r->dir, "mail-1");
    util_fmt(args, sizeof args, "'%s'", file);
    CHECK_INT(py("mail.py", py_mail, args, out, sizeof out), 0);
    CHECK_STR(out, "MAIL FROM:<" FROM ">\n"
                   "SIZE = bytes\n"
                   "RCPT TO:<lanh-dao@bombo.gov.vn>\n"
                   "RCPT TO:<van-phong@bombo.gov.vn>\n"
                   "Date=Wed, 18 Nov 2026 09:00:00 +0700\n"
                   "From=" FROM "\n"
                   "To=lanh-dao@bombo.gov.vn, van-phong@bombo.gov.vn\n"
                   "Message-ID=<" ALERT_ID "@hailong>\n"
                   "MIME-Version=1.0\n"
                   "Content-Transfer-Encoding=base64\n"
                   "Auto-Submitted=auto-generated\n"
                   "Subject=" SUBJECT "\n"
                   "type=text/plain charset=utf-8\n"
                   "text=\"Chưa hài lòng: Nguyễn Văn A (xã Bom Bo)\\r\\nMáy bombo-01 lúc 09:00 Thứ "
                   "Tư 18/11/2026. Lý do: chậm trễ, thái độ chưa tốt.\"\n"
                   /* The subject's two encoded-words fold under 76 columns. */
                   "longest head line=73\n"
                   "body lines=[36, 76]\n"
                   "bare LF=0\n"
                   "words=2 decode alone=True\n");
}

static void test_mail_vietnamese_arrives(void)
{
    rx r;
    REQUIRE(rx_start(&r, 0, 0) == 0);
    mail_arrives(&r);
    rx_stop(&r);
}

/* A subject of many words, each cut between characters: Python must decode it whole. */
static void long_subject(rx *r)
{
    alert_channel_cfg c = cfg_for(r);
    alert_msg m = sample();
    char subject[1024] = "";
    for (int i = 0; i < 9; i++)
        util_fmt(subject + strlen(subject), sizeof subject - strlen(subject), "%sxã Lộc Ninh ờ ễ",
                 i ? " " : "");
    m.subject = subject;
    const char *to[] = {"lanh-dao@bombo.gov.vn"};
    char err[HL_ERR_MAX] = "";
    CHECK_INT(alert_send_mail(&c, to, 1, &m, err, sizeof err), 0);
    REQUIRE(files(r, ".eml") == 1);
    char file[PATH_MAX], args[PATH_MAX + 8], out[4096];
    test_path(file, sizeof file, r->dir, "mail-1");
    util_fmt(args, sizeof args, "'%s'", file);
    CHECK_INT(py("mail.py", py_mail, args, out, sizeof out), 0);
    char want[1100];
    util_fmt(want, sizeof want, "Subject=%s\n", subject);
    CHECK_CONTAINS(out, want);
    CHECK_CONTAINS(out, "longest head line=73\n");
    CHECK_CONTAINS(out, "words=6 decode alone=True\n");
}

static void test_mail_long_subject_folds(void)
{
    rx r;
    REQUIRE(rx_start(&r, 0, 0) == 0);
    long_subject(&r);
    rx_stop(&r);
}

static void mail_451(rx *r)
{
    alert_channel_cfg c = cfg_for(r);
    alert_msg m = sample();
    const char *to[] = {"lanh-dao@bombo.gov.vn"};
    char err[HL_ERR_MAX] = "";
    CHECK_INT(alert_send_mail(&c, to, 1, &m, err, sizeof err), 1);
    CHECK_CONTAINS(err, "alert mail via smtp://127.0.0.1:");
    CHECK_CONTAINS(err, "(SMTP reply 451)");
    CHECK_INT(files(r, ".eml"), 0);
    /* The retry, the very same call, goes through. */
    err[0] = '\0';
    CHECK_INT(alert_send_mail(&c, to, 1, &m, err, sizeof err), 0);
    CHECK_STR(err, "");
    CHECK_INT(files(r, ".eml"), 1);
}

static void test_mail_451_is_an_error(void)
{
    rx r;
    REQUIRE(rx_start(&r, 1, 0) == 0);
    mail_451(&r);
    rx_stop(&r);
}

/* Header injection: a CR or LF in any value that becomes a header line is refused before a byte
 * is sent, whatever the field. */
static void crlf_refused(rx *r)
{
    static const char bad_subject[] = SUBJECT "\r\nBcc: ai-do@example.org";
    alert_channel_cfg c = cfg_for(r);
    const char *to_ok[] = {"lanh-dao@bombo.gov.vn"};
    const char *to_bad[] = {"lanh-dao@bombo.gov.vn",
                            "x@bombo.gov.vn\r\nRCPT TO:<ai-do@example.org>"};
    char err[HL_ERR_MAX];
    alert_msg m = sample();
    m.subject = bad_subject;
    CHECK_INT(alert_send_mail(&c, to_ok, 1, &m, err, sizeof err), 1);
    CHECK_CONTAINS(err, "subject: a line break (CR or LF) in a header value; refused");

    m = sample();
    CHECK_INT(alert_send_mail(&c, to_bad, 2, &m, err, sizeof err), 1);
    CHECK_CONTAINS(err, "to[1]: a line break (CR or LF) in a header value; refused");

    m.id = "r3\nBcc: ai-do@example.org";
    CHECK_INT(alert_send_mail(&c, to_ok, 1, &m, err, sizeof err), 1);
    CHECK_CONTAINS(err, "id: a line break (CR or LF) in a header value; refused");
    CHECK_INT(alert_send_webhook(&c, &m, err, sizeof err), 1);
    CHECK_CONTAINS(err, "id: a line break (CR or LF) in a header value; refused");

    m = sample();
    util_strlcpy(c.from, FROM "\rBcc: ai-do@example.org", sizeof c.from);
    CHECK_INT(alert_send_mail(&c, to_ok, 1, &m, err, sizeof err), 1);
    CHECK_CONTAINS(err, "from: a line break (CR or LF) in a header value; refused");

    /* Not a line break, but still not one bare address. */
    c = cfg_for(r);
    const char *to_two[] = {"a@bombo.gov.vn, b@example.org"};
    CHECK_INT(alert_send_mail(&c, to_two, 1, &m, err, sizeof err), 1);
    CHECK_CONTAINS(err, "to[0]: not a bare address");

    CHECK_INT(files(r, ".eml"), 0);
    CHECK_INT(files(r, ".body"), 0);
}

static void test_mail_crlf_in_header_refused(void)
{
    rx r;
    REQUIRE(rx_start(&r, 0, 0) == 0);
    crlf_refused(&r);
    rx_stop(&r);
}

/* STARTTLS required and a server that does not offer it: not sent in clear. */
static void starttls_missing(rx *r)
{
    alert_channel_cfg c = cfg_for(r);
    c.starttls = 1;
    alert_msg m = sample();
    const char *to[] = {"lanh-dao@bombo.gov.vn"};
    char err[HL_ERR_MAX] = "";
    CHECK_INT(alert_send_mail(&c, to, 1, &m, err, sizeof err), 1);
    CHECK_CONTAINS(err, "STARTTLS");
    CHECK_INT(files(r, ".eml"), 0);
}

static void test_mail_starttls_required(void)
{
    rx r;
    REQUIRE(rx_start(&r, 0, 0) == 0);
    starttls_missing(&r);
    rx_stop(&r);
}

/* ---- webhook ---- */

static void hook_check(const rx *r, int n, const char *secret, const char *want_sig)
{
    char args[PATH_MAX + 300], out[4096], want[4096];
    util_fmt(args, sizeof args, "'%s' %d '%s'", r->dir, n, secret);
    CHECK_INT(py("hook.py", py_hook, args, out, sizeof out), 0);
    util_fmt(want, sizeof want,
             "id=\"" ALERT_ID "\"\n"
             "kind=\"nhieu-chua-hai-long\"\n"
             "unit=\"xa-bom-bo\"\n"
             "officer_code=\"tp-a\"\n"
             "officer_name=\"Nguyễn Văn A\"\n"
             "kiosk_id=\"bombo-01\"\n"
             "subject=\"" SUBJECT "\"\n"
             "text=\"Chưa hài lòng: Nguyễn Văn A (xã Bom Bo)\\nMáy bombo-01 lúc 09:00 Thứ Tư "
             "18/11/2026. Lý do: chậm trễ, thái độ chưa tốt.\"\n"
             "at=\"2026-11-18T09:00:00+07:00\"\n"
             "content-type=application/json; charset=utf-8\n"
             "alert-id=" ALERT_ID "\n"
             "signature=%s\n",
             want_sig);
    CHECK_STR(out, want);
}

static void hook_signed(rx *r)
{
    /* A short secret in UTF-8, and one longer than SHA-256's 64-byte block (HMAC hashes those
     * first): both must match Python's hmac. */
    static const char *const secrets[] = {
        "bí-mật-xã-Bom-Bo",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefXYZ"};
    alert_channel_cfg c = cfg_for(r);
    alert_msg m = sample();
    char err[HL_ERR_MAX] = "";
    CHECK_INT(alert_send_webhook(&c, &m, err, sizeof err), 0);
    CHECK_STR(err, "");
    for (int i = 0; i < 2; i++) {
        util_strlcpy(c.webhook_secret, secrets[i], sizeof c.webhook_secret);
        CHECK_INT(alert_send_webhook(&c, &m, err, sizeof err), 0);
    }
    REQUIRE(files(r, ".body") == 3);
    hook_check(r, 1, "", "absent");
    hook_check(r, 2, secrets[0], "valid");
    hook_check(r, 3, secrets[1], "valid");
    /* The check can fail: the first secret does not sign the second body. */
    char args[PATH_MAX + 300], out[4096];
    util_fmt(args, sizeof args, "'%s' 3 '%s'", r->dir, secrets[0]);
    CHECK_INT(py("hook.py", py_hook, args, out, sizeof out), 0);
    CHECK_CONTAINS(out, "signature=INVALID sha256=");
}

static void test_webhook_fields_and_hmac(void)
{
    rx r;
    REQUIRE(rx_start(&r, 0, 0) == 0);
    hook_signed(&r);
    rx_stop(&r);
}

/* A silent kiosk has no officer: JSON null, not "" and not "(null)". */
static void hook_nulls(rx *r)
{
    alert_channel_cfg c = cfg_for(r);
    alert_msg m = sample();
    m.kind = "ky-mat-lien-lac";
    m.officer_code = NULL;
    m.officer_name = NULL;
    char err[HL_ERR_MAX] = "";
    CHECK_INT(alert_send_webhook(&c, &m, err, sizeof err), 0);
    REQUIRE(files(r, ".body") == 1);
    char file[PATH_MAX];
    test_path(file, sizeof file, r->dir, "hook-1.body");
    char *body = util_read_file(file, NULL);
    REQUIRE(body);
    CHECK_CONTAINS(body, "\"kind\":\"ky-mat-lien-lac\"");
    CHECK_CONTAINS(body, "\"officer_code\":null,\"officer_name\":null,\"kiosk_id\":\"bombo-01\"");
    free(body);
}

static void test_webhook_null_fields(void)
{
    rx r;
    REQUIRE(rx_start(&r, 0, 0) == 0);
    hook_nulls(&r);
    rx_stop(&r);
}

static void hook_500(rx *r)
{
    alert_channel_cfg c = cfg_for(r);
    alert_msg m = sample();
    char err[HL_ERR_MAX] = "";
    CHECK_INT(alert_send_webhook(&c, &m, err, sizeof err), 1);
    char want[64];
    util_fmt(want, sizeof want, "alert webhook http://127.0.0.1:%d: HTTP 500", r->http_port);
    CHECK_CONTAINS(err, want);
    /* The token in the URL's path and query stays out of the log and the dashboard. */
    CHECK(!strstr(err, "TOKEN"));
    CHECK_INT(files(r, ".body"), 0);
    err[0] = '\0';
    CHECK_INT(alert_send_webhook(&c, &m, err, sizeof err), 0);
    CHECK_STR(err, "");
    CHECK_INT(files(r, ".body"), 1);
}

static void test_webhook_500_is_an_error(void)
{
    rx r;
    REQUIRE(rx_start(&r, 0, 1) == 0);
    hook_500(&r);
    rx_stop(&r);
}

/* ---- servers of the test's own on 127.0.0.1 ---- */

/* A listening socket on 127.0.0.1 (its port in *port); -1 when none could be made. */
static int listen_local(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        perror("listen_local");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

/* A child that answers one HTTP request on fd with reply, after reading the whole request (its
 * headers and Content-Length bytes of body). */
static pid_t answer_once(int fd, const char *reply)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int c = accept(fd, NULL, NULL);
    char req[8192];
    size_t n = 0;
    long want = -1;
    while (c >= 0 && n < sizeof req - 1) {
        ssize_t k = recv(c, req + n, sizeof req - 1 - n, 0);
        if (k <= 0)
            break;
        n += (size_t)k;
        req[n] = '\0';
        char *end = strstr(req, "\r\n\r\n");
        if (end && want < 0) {
            char *cl = strstr(req, "Content-Length: ");
            want = (long)(end + 4 - req) + (cl ? strtol(cl + 16, NULL, 10) : 0);
        }
        if (want >= 0 && (long)n >= want)
            break;
    }
    if (c >= 0) {
        send(c, reply, strlen(reply), MSG_NOSIGNAL);
        close(c);
    }
    _exit(0);
}

static void canned(const char *reply, int want_rc, const char *want_err)
{
    int port;
    int fd = listen_local(&port);
    REQUIRE(fd >= 0);
    pid_t pid = answer_once(fd, reply);
    REQUIRE(pid > 0);
    alert_channel_cfg c;
    memset(&c, 0, sizeof c);
    util_fmt(c.webhook_url, sizeof c.webhook_url, "http://127.0.0.1:%d/hook", port);
    c.timeout_s = 10;
    alert_msg m = sample();
    char err[HL_ERR_MAX] = "";
    CHECK_INT(alert_send_webhook(&c, &m, err, sizeof err), want_rc);
    CHECK_CONTAINS(err, want_err);
    close(fd);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static void test_webhook_any_2xx_delivers(void)
{
    canned("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", 0, "");
}

static void test_webhook_redirect_not_followed(void)
{
    canned("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: "
           "0\r\nConnection: close\r\n\r\n",
           1, ": HTTP 302 (redirects are not followed)");
    /* The reply's body goes into the message, cleaned of what could forge a log line. */
    canned("HTTP/1.1 403 Forbidden\r\nContent-Length: 19\r\nConnection: close\r\n\r\n"
           "sai ch\xe1\xbb\xaf k\xc3\xbd\r\nX: y",
           1, ": HTTP 403: sai chữ ký??X: y");
}

/* A server that takes the connection and then never says a word: the attempt ends with an
 * error at timeout_s, not never. */
static void test_silent_receiver_times_out(void)
{
    int port;
    int fd = listen_local(&port);
    REQUIRE(fd >= 0);
    alert_channel_cfg c;
    memset(&c, 0, sizeof c);
    util_fmt(c.smtp_url, sizeof c.smtp_url, "smtp://127.0.0.1:%d", port);
    util_strlcpy(c.from, FROM, sizeof c.from);
    util_fmt(c.webhook_url, sizeof c.webhook_url, "http://127.0.0.1:%d/hook", port);
    c.timeout_s = 1;
    alert_msg m = sample();
    const char *to[] = {"lanh-dao@bombo.gov.vn"};
    char err[HL_ERR_MAX] = "";
    int64_t t0 = test_mono_ms();
    CHECK_INT(alert_send_mail(&c, to, 1, &m, err, sizeof err), 1);
    int64_t t1 = test_mono_ms();
    CHECK_CONTAINS(err, "timed out");
    CHECK(t1 - t0 >= 900 && t1 - t0 < 3000);
    err[0] = '\0';
    CHECK_INT(alert_send_webhook(&c, &m, err, sizeof err), 1);
    int64_t t2 = test_mono_ms();
    CHECK_CONTAINS(err, "timed out");
    CHECK(t2 - t1 >= 900 && t2 - t1 < 3000);
    fprintf(stderr, "     timeouts after %lld and %lld ms\n", (long long)(t1 - t0),
            (long long)(t2 - t1));
    close(fd);
}

/* ---- the retry schedule ---- */

static const test_case cases[] = {
    TEST(test_mail_vietnamese_arrives),   TEST(test_mail_long_subject_folds),
    TEST(test_mail_451_is_an_error),      TEST(test_mail_crlf_in_header_refused),
    TEST(test_mail_starttls_required),    TEST(test_webhook_fields_and_hmac),
    TEST(test_webhook_null_fields),       TEST(test_webhook_500_is_an_error),
    TEST(test_webhook_any_2xx_delivers),  TEST(test_webhook_redirect_not_followed),
    TEST(test_silent_receiver_times_out),
};

int main(void)
{
    /* Loopback only: a proxy from the environment must not carry the test's traffic. */
    setenv("no_proxy", "*", 1);
    setenv("NO_PROXY", "*", 1);
    char err[HL_ERR_MAX];
    if (alert_send_init(err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int rc = test_main("alert_send", TEST_KEEP_FAILED, cases, HL_ARRAY_LEN(cases));
    alert_send_cleanup();
    return rc;
}
