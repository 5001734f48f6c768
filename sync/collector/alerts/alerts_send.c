/* alerts_send: delivering an alert. E-mail through libcurl's SMTP (a plain-text message in UTF-8,
 * its subject RFC 2047-encoded, so Vietnamese arrives intact), and a webhook: a JSON POST any
 * relay (to the messaging apps leaders use) can take. Both refuse to follow redirects and give up
 * after 20 s; the caller retries. */
#include "alerts.h"

#include "buf.h"
#include "clock.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SEND_TIMEOUT_S 20

static void b64(buf *b, const char *s, size_t n, int wrap)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *out = xmalloc(cap);
    sodium_bin2base64(out, cap, (const unsigned char *)s, n, sodium_base64_VARIANT_ORIGINAL);
    size_t len = strlen(out);
    for (size_t i = 0; i < len; i += 76) {
        buf_add(b, out + i, len - i < 76 ? len - i : 76);
        if (wrap)
            buf_str(b, "\r\n");
    }
    free(out);
}

/* An ISO 8601 time in Vietnam: 2026-11-20T10:05:00+07:00. */
static void iso_local(int64_t ms, char out[32])
{
    clk_local l = clk_to_local(ms);
    util_fmt(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d+07:00", l.year % 10000, l.month % 100,
             l.day % 100, l.hour % 100, l.minute % 100, l.second % 100);
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

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

static int has_crlf(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

int alerts_send_mail(const alerts_opts *o, const char *to, const alert_msg *m, char *err,
                     size_t errlen)
{
    if (!o->smtp_url || !*o->smtp_url || !o->smtp_from || !*o->smtp_from) {
        util_fmt(err, errlen, "no SMTP server configured (serve --smtp-url and --smtp-from)");
        return 1;
    }
    if (has_crlf(to) || has_crlf(o->smtp_from) || has_crlf(m->subject)) {
        util_fmt(err, errlen, "a line break in an address or the subject");
        return 1;
    }
    struct curl_slist *rcpt = NULL;
    char one[256];
    for (const char *p = to; *p;) {
        size_t n = strcspn(p, ",");
        while (n && (*p == ' '))
            p++, n--;
        if (n && n < sizeof one) {
            memcpy(one, p, n);
            one[n] = '\0';
            rcpt = curl_slist_append(rcpt, one);
        }
        p += n;
        if (*p == ',')
            p++;
    }
    if (!rcpt) {
        util_fmt(err, errlen, "no recipient");
        return 1;
    }
    time_t now = time(NULL);
    struct tm tm;
    char date[64];
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    buf msg = {0};
    buf_printf(&msg,
               "Date: %s\r\nFrom: %s\r\nTo: %s\r\nMessage-ID: <%s@hailong>\r\nSubject: =?UTF-8?B?",
               date, o->smtp_from, to, m->id);
    b64(&msg, m->subject, strlen(m->subject), 0);
    buf_str(&msg, "?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                  "Content-Transfer-Encoding: base64\r\n\r\n");
    b64(&msg, m->text, strlen(m->text), 1);
    reader r = {buf_cstr(&msg), msg.len};
    CURL *c = curl_easy_init();
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, o->smtp_url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, o->smtp_from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &r);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)SEND_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    /* STARTTLS whenever the server offers it; smtps:// is TLS from the start. */
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    if (o->smtp_user && *o->smtp_user) {
        curl_easy_setopt(c, CURLOPT_USERNAME, o->smtp_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, o->smtp_password ? o->smtp_password : "");
    }
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    curl_slist_free_all(rcpt);
    buf_free(&msg);
    if (rc != CURLE_OK) {
        util_fmt(err, errlen, "SMTP %s: %s (server code %ld)", o->smtp_url,
                 cerr[0] ? cerr : curl_easy_strerror(rc), code);
        return 1;
    }
    return 0;
}

int alerts_send_webhook(const char *url, const alert_msg *m, char *err, size_t errlen)
{
    char at[32];
    iso_local(m->created_at, at);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", m->id);
    cJSON_AddStringToObject(o, "rule", m->rule);
    cJSON_AddStringToObject(o, "kind", m->kind);
    cJSON_AddStringToObject(o, "unit", m->unit);
    cJSON_AddStringToObject(o, "kiosk_id", m->kiosk_id);
    cJSON_AddStringToObject(o, "officer_code", m->officer_code);
    cJSON_AddStringToObject(o, "subject", m->subject);
    cJSON_AddStringToObject(o, "text", m->text);
    cJSON_AddStringToObject(o, "at", at);
    char *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    char idh[128];
    util_fmt(idh, sizeof idh, "X-Hailong-Alert-Id: %s", m->id);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, idh);
    CURL *c = curl_easy_init();
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)SEND_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    cJSON_free(json);
    if (rc != CURLE_OK) {
        util_fmt(err, errlen, "webhook %s: %s", url, cerr[0] ? cerr : curl_easy_strerror(rc));
        return 1;
    }
    if (code < 200 || code > 299) {
        util_fmt(err, errlen, "webhook %s: HTTP %ld", url, code);
        return 1;
    }
    return 0;
}
