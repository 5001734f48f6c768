/* alert_send: one delivery of an alert by e-mail (libcurl's SMTP) or to a webhook (libcurl's HTTP
 * POST). The mail is built here byte for byte, so what a mail client reads is what the tests
 * decode; every value that goes into a header is checked before anything is sent. */
#include "alert_send.h"

#include "buf.h"
#include "clock.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_S 20
#define B64_LINE          76 /* RFC 2045's longest base64 line */
/* Bytes of the subject per RFC 2047 encoded-word: 39 bytes are 52 base64 characters, a word of
 * 64, so "Subject: " and one word stay within the 76 characters RFC 2047 allows a line. */
#define WORD_BYTES 39
#define ID_MAX     128
#define ADDR_MAX   254 /* RFC 5321's longest path */
#define REPLY_KEEP 200 /* bytes of a refusing webhook's reply kept for the message */

int alert_send_init(char *err, size_t errlen)
{
    CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK)
        return util_fail(err, errlen, 1, "alert: curl_global_init: %s", curl_easy_strerror(rc));
    if (sodium_init() < 0)
        return util_fail(err, errlen, 1, "alert: sodium_init failed; is libsodium installed?");
    return 0;
}

void alert_send_cleanup(void)
{
    curl_global_cleanup();
}

static int timeout_of(const alert_channel_cfg *c)
{
    return c->timeout_s > 0 ? c->timeout_s : DEFAULT_TIMEOUT_S;
}

/* scheme://host[:port] of url, for messages that end up in the log and on the dashboard: a
 * webhook's path and query often hold its token, and an SMTP URL may hold the user. */
static void url_where(const char *url, char *out, size_t cap)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        curl_url_get(u, CURLUPART_PORT, &port, 0); /* none when the URL names no port */
        util_fmt(out, cap, "%s://%s%s%s", scheme, host, port ? ":" : "", port ? port : "");
    } else {
        util_strlcpy(out, "(a URL curl cannot read)", cap);
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
}

static int has_crlf(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

#define CRLF_REFUSED "a line break (CR or LF) in a header value; refused"

/* Why id cannot name the alert in Message-ID and X-Hailong-Alert-Id, or NULL: RFC 5322's atext
 * and dots only, so it can neither break a header nor the <id@hailong> form. */
static const char *id_problem(const char *id)
{
    static const char extra[] = "!#$%&'*+/=?^_`{|}~.-";
    if (!id || !*id)
        return "missing";
    if (has_crlf(id))
        return CRLF_REFUSED;
    size_t n = strlen(id);
    if (n > ID_MAX)
        return "longer than 128 characters";
    for (size_t i = 0; i < n; i++) {
        char ch = id[i];
        int alnum =
            (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!alnum && !strchr(extra, ch))
            return "only A-Z a-z 0-9 and !#$%&'*+/=?^_`{|}~.- may name an alert";
    }
    return NULL;
}

/* Why a is not a bare address as the envelope and the From and To headers take it, or NULL.
 * Printable ASCII without the characters that start a display name, a second address or a
 * comment: what is sent is exactly one mailbox. */
static const char *addr_problem(const char *a)
{
    if (!a || !*a)
        return "missing";
    if (has_crlf(a))
        return CRLF_REFUSED;
    if (strlen(a) > ADDR_MAX)
        return "longer than 254 characters";
    for (const unsigned char *p = (const unsigned char *)a; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("<>,;\"()\\", *p))
            return "not a bare address (a@b): a space, a control or non-ASCII character, or one "
                   "of <>,;\"()\\";
    const char *at = strrchr(a, '@');
    if (!at || at == a || !at[1])
        return "not an address (a@b)";
    return NULL;
}

/* Appends the base64 of n bytes of s; in lines of 76 ending in CRLF when wrap. */
static void b64(buf *b, const char *s, size_t n, int wrap)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *out = xmalloc(cap);
    sodium_bin2base64(out, cap, (const unsigned char *)s, n, sodium_base64_VARIANT_ORIGINAL);
    size_t len = strlen(out);
    for (size_t i = 0; i < len; i += B64_LINE) {
        buf_add(b, out + i, len - i < B64_LINE ? len - i : B64_LINE);
        if (wrap)
            buf_str(b, "\r\n");
    }
    free(out);
}

/* The subject as RFC 2047 encoded-words, one per line, each cut between characters: a word must
 * decode to whole UTF-8 characters on its own. */
static void subject_header(buf *b, const char *s)
{
    size_t n = strlen(s);
    buf_str(b, "Subject:");
    for (size_t i = 0; i < n;) {
        size_t k = n - i < WORD_BYTES ? n - i : WORD_BYTES;
        if (i + k < n) {
            size_t j = k;
            while (j > 0 && ((unsigned char)s[i + j] & 0xC0) == 0x80)
                j--;
            if (j > 0) /* else not UTF-8 at all: cut anywhere rather than loop */
                k = j;
        }
        buf_str(b, i ? "\r\n =?UTF-8?B?" : " =?UTF-8?B?");
        b64(b, s + i, k, 0);
        buf_str(b, "?=");
        i += k;
    }
    buf_str(b, "\r\n");
}

/* The text with every line break as CRLF: RFC 2045 wants a text's canonical form (CRLF) before
 * base64, and mail clients show a bare LF body wrongly. */
static void crlf_text(buf *b, const char *s)
{
    while (*s) {
        size_t n = strcspn(s, "\r\n");
        buf_add(b, s, n);
        s += n;
        if (!*s)
            break;
        buf_str(b, "\r\n");
        s += s[0] == '\r' && s[1] == '\n' ? 2 : 1;
    }
}

/* RFC 5322's date in Vietnam time: "Wed, 18 Nov 2026 09:00:00 +0700". */
static void mail_date(int64_t ms, char *out, size_t cap)
{
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    clk_local l = clk_to_local(ms);
    util_fmt(out, cap, "%s, %02d %s %04d %02d:%02d:%02d +0700", wd[l.weekday % 7], l.day,
             mon[(l.month + 11) % 12], l.year, l.hour, l.minute, l.second);
}

static void build_mail(buf *msg, const alert_channel_cfg *c, const char *const *to, int n_to,
                       const alert_msg *m)
{
    char date[64];
    mail_date(m->at_ms, date, sizeof date);
    buf_printf(msg, "Date: %s\r\nFrom: %s\r\nTo: ", date, c->from);
    for (int i = 0; i < n_to; i++)
        buf_printf(msg, "%s%s", i ? ",\r\n " : "", to[i]);
    buf_printf(msg, "\r\nMessage-ID: <%s@hailong>\r\n", m->id);
    subject_header(msg, m->subject);
    /* Auto-Submitted: out-of-office replies and mailing lists leave machine mail alone (RFC 3834).
     */
    buf_str(msg, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                 "Content-Transfer-Encoding: base64\r\nAuto-Submitted: auto-generated\r\n\r\n");
    buf text = {0};
    crlf_text(&text, m->text);
    b64(msg, buf_cstr(&text), text.len, 1);
    buf_free(&text);
}

static struct curl_slist *slist_add(struct curl_slist *l, const char *s)
{
    struct curl_slist *r = curl_slist_append(l, s);
    if (!r)
        abort(); /* out of memory, as xmalloc does */
    return r;
}

typedef struct {
    const char *p;
    size_t left;
} reader;

static size_t read_cb(char *dst, size_t size, size_t n, void *ctx)
{
    reader *r = ctx;
    size_t k = size * n < r->left ? size * n : r->left;
    memcpy(dst, r->p, k);
    r->p += k;
    r->left -= k;
    return k;
}

int alert_send_mail(const alert_channel_cfg *c, const char *const *to, int n_to, const alert_msg *m,
                    char *err, size_t errlen)
{
    if (!c || !m)
        return util_fail(err, errlen, 1, "alert mail: no configuration or no alert");
    if (!c->smtp_url[0])
        return util_fail(err, errlen, 1, "alert mail: smtp_url: empty; no SMTP server is set");
    if (has_crlf(c->smtp_url))
        return util_fail(err, errlen, 1, "alert mail: smtp_url: a line break; refused");
    char where[300];
    url_where(c->smtp_url, where, sizeof where);
    const char *why;
    if ((why = addr_problem(c->from)))
        return util_fail(err, errlen, 1, "alert mail via %s: from: %s", where, why);
    if (!to || n_to < 1)
        return util_fail(err, errlen, 1, "alert mail via %s: to: no recipient", where);
    for (int i = 0; i < n_to; i++)
        if ((why = addr_problem(to[i])))
            return util_fail(err, errlen, 1, "alert mail via %s: to[%d]: %s", where, i, why);
    if ((why = id_problem(m->id)))
        return util_fail(err, errlen, 1, "alert mail via %s: id: %s", where, why);
    if (!m->subject || has_crlf(m->subject))
        return util_fail(err, errlen, 1, "alert mail via %s: subject: %s", where,
                         m->subject ? CRLF_REFUSED : "missing");
    if (!m->text)
        return util_fail(err, errlen, 1, "alert mail via %s: text: missing", where);

    buf msg = {0};
    build_mail(&msg, c, to, n_to, m);
    char env[ADDR_MAX + 3];
    util_fmt(env, sizeof env, "<%s>", c->from);
    struct curl_slist *rcpt = NULL;
    for (int i = 0; i < n_to; i++) {
        char one[ADDR_MAX + 3];
        util_fmt(one, sizeof one, "<%s>", to[i]);
        rcpt = slist_add(rcpt, one);
    }
    reader r = {buf_cstr(&msg), msg.len};
    char cerr[CURL_ERROR_SIZE] = "";
    long code = 0;
    CURLcode rc = CURLE_FAILED_INIT;
    CURL *h = curl_easy_init();
    if (h) {
        long t = timeout_of(c);
        curl_easy_setopt(h, CURLOPT_URL, c->smtp_url);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        curl_easy_setopt(h, CURLOPT_MAIL_FROM, env);
        curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
        curl_easy_setopt(h, CURLOPT_READDATA, &r);
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.len);
        curl_easy_setopt(h, CURLOPT_USE_SSL,
                         (long)(c->starttls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
        /* No SIGALRM for name lookups' timeouts: it would hit whichever thread it likes. */
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, t);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, t);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
        if (c->smtp_user[0]) {
            curl_easy_setopt(h, CURLOPT_USERNAME, c->smtp_user);
            curl_easy_setopt(h, CURLOPT_PASSWORD, c->smtp_pass);
        }
        rc = curl_easy_perform(h);
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        curl_easy_cleanup(h);
    }
    curl_slist_free_all(rcpt);
    buf_free(&msg);
    if (rc == CURLE_OK)
        return 0;
    /* The server's refusal (4xx: try later, 5xx: it will not take it); a 250 left over from EHLO
     * says nothing. */
    char reply[32] = "";
    if (code == 0)
        util_strlcpy(reply, " (no SMTP reply)", sizeof reply);
    else if (code >= 400)
        util_fmt(reply, sizeof reply, " (SMTP reply %ld)", code);
    return util_fail(err, errlen, 1, "alert mail via %s: %s%s", where,
                     cerr[0] ? cerr : curl_easy_strerror(rc), reply);
}

/* An ISO 8601 time in Vietnam: 2026-11-18T09:00:00+07:00. */
static void iso_local(int64_t ms, char *out, size_t cap)
{
    clk_local l = clk_to_local(ms);
    util_fmt(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d+07:00", l.year, l.month, l.day, l.hour,
             l.minute, l.second);
}

static void add_str(cJSON *o, const char *name, const char *v)
{
    if (!(v ? cJSON_AddStringToObject(o, name, v) : cJSON_AddNullToObject(o, name)))
        abort(); /* cJSON fails only when out of memory */
}

/* X-Hailong-Signature's value: sha256=<hex HMAC-SHA256 of body, keyed with the secret's bytes>,
 * what a receiver recomputes with its own copy of the secret (Python: hmac.new(secret, body,
 * "sha256").hexdigest()). */
static void signature(const char *secret, const char *body, size_t len, char *out, size_t cap)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    util_fmt(out, cap, "X-Hailong-Signature: sha256=%s", hex);
    sodium_memzero(&st, sizeof st);
}

typedef struct {
    char s[REPLY_KEEP + 1];
    size_t n;
} reply_start;

/* Keeps the start of the reply: a refusing relay often says why in its body. */
static size_t keep_reply(char *p, size_t size, size_t n, void *ctx)
{
    reply_start *r = ctx;
    size_t k = size * n, room = REPLY_KEEP - r->n;
    size_t take = k < room ? k : room;
    memcpy(r->s + r->n, p, take);
    r->n += take;
    r->s[r->n] = '\0';
    return k;
}

int alert_send_webhook(const alert_channel_cfg *c, const alert_msg *m, char *err, size_t errlen)
{
    if (!c || !m)
        return util_fail(err, errlen, 1, "alert webhook: no configuration or no alert");
    if (!c->webhook_url[0])
        return util_fail(err, errlen, 1, "alert webhook: webhook_url: empty; no webhook is set");
    if (has_crlf(c->webhook_url))
        return util_fail(err, errlen, 1, "alert webhook: webhook_url: a line break; refused");
    char where[300];
    url_where(c->webhook_url, where, sizeof where);
    const char *why = id_problem(m->id);
    if (why)
        return util_fail(err, errlen, 1, "alert webhook %s: id: %s", where, why);

    char at[40];
    iso_local(m->at_ms, at, sizeof at);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        abort();
    add_str(o, "id", m->id);
    add_str(o, "kind", m->kind);
    add_str(o, "unit", m->unit);
    add_str(o, "officer_code", m->officer_code);
    add_str(o, "officer_name", m->officer_name);
    add_str(o, "kiosk_id", m->kiosk_id);
    add_str(o, "subject", m->subject);
    add_str(o, "text", m->text);
    add_str(o, "at", at);
    char *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!json)
        abort();
    size_t len = strlen(json);

    char line[200];
    struct curl_slist *hdr = slist_add(NULL, "Content-Type: application/json; charset=utf-8");
    /* No "Expect: 100-continue": a receiver that does not answer it costs a second per POST. */
    hdr = slist_add(hdr, "Expect:");
    util_fmt(line, sizeof line, "X-Hailong-Alert-Id: %s", m->id);
    hdr = slist_add(hdr, line);
    if (c->webhook_secret[0]) {
        signature(c->webhook_secret, json, len, line, sizeof line);
        hdr = slist_add(hdr, line);
    }
    reply_start reply = {.n = 0};
    char cerr[CURL_ERROR_SIZE] = "";
    long code = 0;
    CURLcode rc = CURLE_FAILED_INIT;
    CURL *h = curl_easy_init();
    if (h) {
        long t = timeout_of(c);
        curl_easy_setopt(h, CURLOPT_URL, c->webhook_url);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "hailong-collector");
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_reply);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply);
        /* A redirect is an answer we do not take: the alert would go somewhere nobody set. */
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, t);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, t);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
        rc = curl_easy_perform(h);
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        curl_easy_cleanup(h);
    }
    curl_slist_free_all(hdr);
    cJSON_free(json);
    if (rc != CURLE_OK)
        return util_fail(err, errlen, 1, "alert webhook %s: %s", where,
                         cerr[0] ? cerr : curl_easy_strerror(rc));
    if (code >= 200 && code <= 299)
        return 0;
    while (reply.n && strchr(" \t\r\n", reply.s[reply.n - 1]))
        reply.s[--reply.n] = '\0';
    util_text_clean(reply.s);
    return util_fail(err, errlen, 1, "alert webhook %s: HTTP %ld%s%s%s", where, code,
                     code >= 300 && code <= 399 ? " (redirects are not followed)" : "",
                     reply.s[0] ? ": " : "", reply.s);
}
