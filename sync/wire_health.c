/* wire_health: the kiosk's health report (wire.h), encoded by the sender and decoded, strictly, by
 * the collector. Text fields are the commune's content as the citizens read it: valid UTF-8
 * (wire_json_parse checked the body), no control characters, within their sizes. */
#include "wire.h"
#include "wire_int.h"

#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_pair(buf *b, const char *key, const char *value)
{
    wire_buf_str(b, key);
    buf_add(b, ":", 1);
    wire_buf_str(b, value);
}

int wire_encode_health(const wire_health *h, char **json_out, size_t *len_out)
{
    buf b = {0};
    char num[64];
    snprintf(num, sizeof num, "{\"v\":%d,", WIRE_VERSION);
    buf_add(&b, num, strlen(num));
    add_pair(&b, "kiosk_id", h->kiosk_id);
    snprintf(num, sizeof num, ",\"sent_at\":%" PRId64 ",", h->sent_at);
    buf_add(&b, num, strlen(num));
    add_pair(&b, "version", h->version);
    buf_add(&b, ",", 1);
    add_pair(&b, "content_version", h->content_version);
    snprintf(num, sizeof num, ",\"clock_suspect\":%s,\"unsent\":%" PRId64 ",\"officers\":[",
             h->clock_suspect ? "true" : "false", h->unsent);
    buf_add(&b, num, strlen(num));
    for (size_t i = 0; i < h->n_officers; i++) {
        const wire_officer *o = &h->officers[i];
        buf_add(&b, i ? ",{" : "{", i ? 2 : 1);
        add_pair(&b, "code", o->code);
        buf_add(&b, ",", 1);
        add_pair(&b, "name", o->name);
        buf_add(&b, ",", 1);
        add_pair(&b, "title", o->title);
        buf_add(&b, ",", 1);
        add_pair(&b, "counter", o->counter);
        buf_add(&b, "}", 1);
    }
    /* Always, possibly empty (a kiosk says so when its content has none); the decoder also takes
     * a report without the key, as kiosks before 0.3 send it. */
    buf_str(&b, "],\"reasons\":[");
    for (size_t i = 0; i < h->n_reasons; i++) {
        const wire_reason *r = &h->reasons[i];
        buf_add(&b, i ? ",{" : "{", i ? 2 : 1);
        add_pair(&b, "code", r->code);
        buf_add(&b, ",", 1);
        add_pair(&b, "label", r->label);
        buf_add(&b, "}", 1);
    }
    buf_add(&b, "]}", 2);
    *len_out = b.len;
    *json_out = buf_take(&b);
    return 0;
}

/* A text field into dst (cap bytes with its NUL): a string without control characters that fits.
 * empty_ok: "" is allowed. 0, or -1 with err naming where. */
static int get_text(const cJSON *obj, const char *key, const char *where, char *dst, size_t cap,
                    int empty_ok, char *err, size_t errlen)
{
    char why[160];
    const char *s = wire_json_text(obj, key, why, sizeof why);
    if (!s) {
        util_fmt(err, errlen, "%s%s", where, why);
        return -1;
    }
    size_t n = strlen(s);
    if (n >= cap || (!empty_ok && n == 0)) {
        util_fmt(err, errlen, "%s%s: must be %s%zu bytes at most", where, key,
                 empty_ok ? "" : "1 to ", cap - 1);
        return -1;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f) {
            util_fmt(err, errlen, "%s%s: holds a control character", where, key);
            return -1;
        }
    memcpy(dst, s, n + 1);
    return 0;
}

static int decode_officer(const cJSON *jo, size_t i, wire_officer *o, char *err, size_t errlen)
{
    static const char *const keys[] = {"code", "name", "title", "counter", NULL};
    char where[48];
    snprintf(where, sizeof where, "officers[%zu].", i);
    if (!cJSON_IsObject(jo)) {
        util_fmt(err, errlen, "officers[%zu]: must be an object", i);
        return -1;
    }
    char why[160];
    if (wire_json_keys(jo, keys, " in the officer", why, sizeof why)) {
        util_fmt(err, errlen, "%s%s", where, why);
        return -1;
    }
    if (get_text(jo, "code", where, o->code, sizeof o->code, 0, err, errlen) ||
        get_text(jo, "name", where, o->name, sizeof o->name, 0, err, errlen) ||
        get_text(jo, "title", where, o->title, sizeof o->title, 1, err, errlen) ||
        get_text(jo, "counter", where, o->counter, sizeof o->counter, 1, err, errlen))
        return -1;
    if (!wire_valid_code(o->code)) {
        util_fmt(err, errlen, "%scode: must be 1 to 31 letters, digits, '-' or '_'", where);
        return -1;
    }
    return 0;
}

static int decode_reason(const cJSON *jr, size_t i, wire_reason *r, char *err, size_t errlen)
{
    static const char *const keys[] = {"code", "label", NULL};
    char where[48], why[160];
    snprintf(where, sizeof where, "reasons[%zu].", i);
    if (!cJSON_IsObject(jr)) {
        util_fmt(err, errlen, "reasons[%zu]: must be an object", i);
        return -1;
    }
    if (wire_json_keys(jr, keys, " in the reason", why, sizeof why)) {
        util_fmt(err, errlen, "%s%s", where, why);
        return -1;
    }
    if (get_text(jr, "code", where, r->code, sizeof r->code, 0, err, errlen) ||
        get_text(jr, "label", where, r->label, sizeof r->label, 0, err, errlen))
        return -1;
    if (!wire_valid_code(r->code)) {
        util_fmt(err, errlen, "%scode: must be 1 to 31 letters, digits, '-' or '_'", where);
        return -1;
    }
    /* The label is shown as sent (dashboard, downloads): decomposed accents, which no kiosk's
     * content has (content_load checks NFC), are refused rather than stored. */
    size_t bad = 0;
    if (!util_utf8_is_nfc(r->label, &bad)) {
        util_fmt(err, errlen, "%slabel: is not NFC Unicode (at byte %zu); send it composed (NFC)",
                 where, bad);
        return -1;
    }
    return 0;
}

int wire_decode_health(const char *json, size_t len, wire_health *out, char *err, size_t errlen)
{
    static const char *const keys[] = {
        "v",      "kiosk_id", "sent_at", "version", "content_version", "clock_suspect",
        "unsent", "officers", "reasons", NULL};
    memset(out, 0, sizeof *out);
    cJSON *root = wire_json_parse(json, len, err, errlen);
    if (!root)
        return -1;
    int64_t v = 0;
    const cJSON *cs = cJSON_GetObjectItemCaseSensitive(root, "clock_suspect");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "officers");
    int rc = -1;
    if (wire_json_keys(root, keys, "", err, errlen) ||
        wire_json_int(root, "v", -WIRE_MAX_SAFE_INT, WIRE_MAX_SAFE_INT, &v, err, errlen))
        goto out;
    if (v != WIRE_VERSION) {
        util_fmt(err, errlen, "v: version %" PRId64 " is not supported", v);
        goto out;
    }
    if (get_text(root, "kiosk_id", "", out->kiosk_id, sizeof out->kiosk_id, 0, err, errlen))
        goto out;
    if (!wire_valid_kiosk_id(out->kiosk_id)) {
        util_fmt(err, errlen, "kiosk_id: not a kiosk id");
        goto out;
    }
    if (wire_json_int(root, "sent_at", 0, WIRE_MAX_SAFE_INT, &out->sent_at, err, errlen) ||
        wire_json_int(root, "unsent", 0, WIRE_MAX_SAFE_INT, &out->unsent, err, errlen) ||
        get_text(root, "version", "", out->version, sizeof out->version, 0, err, errlen) ||
        get_text(root, "content_version", "", out->content_version, sizeof out->content_version, 0,
                 err, errlen))
        goto out;
    if (strspn(out->content_version, "0123456789abcdef") != strlen(out->content_version)) {
        util_fmt(err, errlen, "content_version: must be hexadecimal digits");
        goto out;
    }
    if (!cJSON_IsBool(cs)) {
        util_fmt(err, errlen, "clock_suspect: must be true or false");
        goto out;
    }
    out->clock_suspect = cJSON_IsTrue(cs);
    if (!cJSON_IsArray(list)) {
        util_fmt(err, errlen, "officers: must be an array");
        goto out;
    }
    int n = cJSON_GetArraySize(list);
    if (n > WIRE_MAX_OFFICERS) {
        util_fmt(err, errlen, "officers: %d of them; at most %d", n, WIRE_MAX_OFFICERS);
        goto out;
    }
    out->officers = xcalloc(n > 0 ? (size_t)n : 1, sizeof *out->officers);
    size_t i = 0;
    for (const cJSON *e = list->child; e; e = e->next, i++)
        if (decode_officer(e, i, &out->officers[i], err, errlen))
            goto out;
    out->n_officers = i;
    /* The reasons' labels: optional (kiosks before 0.3 do not send them). */
    const cJSON *rl = cJSON_GetObjectItemCaseSensitive(root, "reasons");
    if (rl) {
        if (!cJSON_IsArray(rl)) {
            util_fmt(err, errlen, "reasons: must be an array");
            goto out;
        }
        int nr = cJSON_GetArraySize(rl);
        if (nr > WIRE_MAX_REASONS) {
            util_fmt(err, errlen, "reasons: %d of them; at most %d", nr, WIRE_MAX_REASONS);
            goto out;
        }
        out->reasons = xcalloc(nr > 0 ? (size_t)nr : 1, sizeof *out->reasons);
        size_t k = 0;
        for (const cJSON *e = rl->child; e; e = e->next, k++)
            if (decode_reason(e, k, &out->reasons[k], err, errlen))
                goto out;
        out->n_reasons = k;
    }
    rc = 0;
out:
    cJSON_Delete(root);
    if (rc)
        wire_health_free(out);
    return rc;
}

void wire_health_free(wire_health *h)
{
    free(h->officers);
    h->officers = NULL;
    h->n_officers = 0;
    free(h->reasons);
    h->reasons = NULL;
    h->n_reasons = 0;
}
