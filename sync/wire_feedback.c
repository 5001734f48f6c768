/* wire_feedback: the feedback items a batch may carry (góp ý, phản ánh – kiến nghị, đề nghị biểu
 * dương; docs/PROTOCOL.md): their JSON, and the checks both the kiosk (before storing) and the
 * collector (on receipt) apply, so that what one side accepts the other does too. */
#include "wire.h"
#include "wire_int.h"

#include "buf.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

int wire_feedback_kind_valid(const char *kind)
{
    return kind && (strcmp(kind, "gop-y") == 0 || strcmp(kind, "phan-anh") == 0 ||
                    strcmp(kind, "bieu-duong") == 0);
}

/* Counts the code points of valid UTF-8 text and checks it for control characters (C0, DEL and
 * C1; a line break only where lines_ok). 0 with *chars, or -1 with why ("<field>: ..."). */
static int text_scan(const char *field, const char *s, int lines_ok, size_t *chars, char *why,
                     size_t whylen)
{
    size_t len = strlen(s), bad = 0;
    if (!wire_utf8_valid(s, len, &bad)) {
        util_fmt(why, whylen, "%s: not valid UTF-8 (byte %zu)", field, bad + 1);
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80)
            continue;
        n++;
        /* C1 controls are U+0080..U+009F: 0xC2 0x80..0x9F in UTF-8. */
        int c1 = c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] <= 0x9F;
        if ((c < 0x20 && !(lines_ok && c == '\n')) || c == 0x7F || c1) {
            util_fmt(why, whylen, "%s: a control character at character %zu", field, n);
            return -1;
        }
    }
    *chars = n;
    return 0;
}

static int blank(const char *s)
{
    return s[strspn(s, " \n")] == '\0';
}

static int check_contact(const wire_feedback *f, char *why, size_t whylen)
{
    size_t n;
    if (!f->consent) {
        if (f->contact_name[0] || f->contact_phone[0] || f->contact_address[0]) {
            util_fmt(why, whylen, "contact: given without the citizen's consent");
            return -1;
        }
        return 0;
    }
    if (text_scan("contact.name", f->contact_name, 0, &n, why, whylen))
        return -1;
    if (n > WIRE_CONTACT_NAME_MAX) {
        util_fmt(why, whylen, "contact.name: %zu characters; at most %d", n, WIRE_CONTACT_NAME_MAX);
        return -1;
    }
    if (text_scan("contact.address", f->contact_address, 0, &n, why, whylen))
        return -1;
    if (n > WIRE_CONTACT_ADDR_MAX) {
        util_fmt(why, whylen, "contact.address: %zu characters; at most %d", n,
                 WIRE_CONTACT_ADDR_MAX);
        return -1;
    }
    if (f->contact_phone[0]) {
        size_t digits = 0;
        for (const char *p = f->contact_phone; *p; p++) {
            if (*p >= '0' && *p <= '9')
                digits++;
            else if (!strchr(" +.-", *p)) {
                util_fmt(why, whylen, "contact.phone: only digits, spaces, '+', '.' and '-'");
                return -1;
            }
        }
        if (digits < 6 || digits > 15) {
            util_fmt(why, whylen, "contact.phone: %zu digits; a phone number has 6 to 15", digits);
            return -1;
        }
    }
    return 0;
}

int wire_feedback_check(const wire_feedback *f, char *why, size_t whylen)
{
    if (!wire_valid_uuid(f->uuid)) {
        util_fmt(why, whylen, "uuid: not a lowercase UUID (8-4-4-4-12 hex digits)");
        return -1;
    }
    if (f->seq < 1) {
        util_fmt(why, whylen, "seq: must be 1 or more");
        return -1;
    }
    if (!wire_valid_uuid(f->boot_id)) {
        util_fmt(why, whylen, "boot_id: not a lowercase UUID (8-4-4-4-12 hex digits)");
        return -1;
    }
    if (!wire_feedback_kind_valid(f->kind)) {
        util_fmt(why, whylen, "kind: must be gop-y, phan-anh or bieu-duong");
        return -1;
    }
    if (f->officer_code[0] && !wire_valid_code(f->officer_code)) {
        util_fmt(why, whylen, "officer: not a code of 1 to 31 letters, digits, '-' or '_'");
        return -1;
    }
    if (f->vote_uuid[0] && !wire_valid_uuid(f->vote_uuid)) {
        util_fmt(why, whylen, "vote: not a lowercase UUID (8-4-4-4-12 hex digits)");
        return -1;
    }
    size_t n;
    if (text_scan("text", f->text, 1, &n, why, whylen))
        return -1;
    if (blank(f->text)) {
        util_fmt(why, whylen, "text: is empty; write what you would like to say");
        return -1;
    }
    if (n > WIRE_FEEDBACK_MAX_CHARS) {
        util_fmt(why, whylen, "text: %zu characters; at most %d", n, WIRE_FEEDBACK_MAX_CHARS);
        return -1;
    }
    return check_contact(f, why, whylen);
}

void wire_encode_feedback(buf *b, const wire_feedback *fb, size_t n)
{
    if (n == 0)
        return;
    buf_str(b, ",\"feedback\":[");
    for (size_t i = 0; i < n; i++) {
        const wire_feedback *f = &fb[i];
        buf_str(b, i ? ",{\"uuid\":" : "{\"uuid\":");
        wire_buf_str(b, f->uuid);
        buf_printf(b, ",\"seq\":%lld,\"boot_id\":", (long long)f->seq);
        wire_buf_str(b, f->boot_id);
        buf_str(b, ",\"kind\":");
        wire_buf_str(b, f->kind);
        if (f->officer_code[0]) {
            buf_str(b, ",\"officer\":");
            wire_buf_str(b, f->officer_code);
        }
        if (f->vote_uuid[0]) {
            buf_str(b, ",\"vote\":");
            wire_buf_str(b, f->vote_uuid);
        }
        buf_str(b, ",\"text\":");
        wire_buf_str(b, f->text);
        buf_str(b, f->consent ? ",\"consent\":true" : ",\"consent\":false");
        /* Contact data goes only with consent: never even an empty object without it. */
        if (f->consent) {
            buf_str(b, ",\"contact\":{\"name\":");
            wire_buf_str(b, f->contact_name);
            buf_str(b, ",\"phone\":");
            wire_buf_str(b, f->contact_phone);
            buf_str(b, ",\"address\":");
            wire_buf_str(b, f->contact_address);
            buf_str(b, "}");
        }
        buf_printf(b, ",\"created_at\":%lld", (long long)f->created_at);
        buf_str(b, f->clock_suspect ? ",\"clock_suspect\":true}" : "}");
    }
    buf_str(b, "]");
}

/* A string member copied into dst: 0, or -1 with why when missing, not a string or too long. */
static int get_text(const cJSON *j, const char *key, char *dst, size_t cap, int optional, char *why,
                    size_t whylen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    if (!v && optional)
        return 0;
    const char *s = wire_json_text(j, key, why, whylen);
    if (!s)
        return -1;
    if (strlen(s) >= cap) {
        util_fmt(why, whylen, "%s: longer than %zu bytes", key, cap - 1);
        return -1;
    }
    util_strlcpy(dst, s, cap);
    return 0;
}

int wire_decode_feedback(const cJSON *j, wire_feedback *f, char *why, size_t whylen)
{
    static const char *const keys[] = {"uuid",    "seq",        "boot_id",       "kind",
                                       "officer", "vote",       "text",          "consent",
                                       "contact", "created_at", "clock_suspect", NULL};
    static const char *const ckeys[] = {"name", "phone", "address", NULL};
    memset(f, 0, sizeof *f);
    if (whylen)
        why[0] = '\0';
    if (!cJSON_IsObject(j)) {
        util_fmt(why, whylen, "feedback: is %s; must be an object", wire_type_name(j));
        return -1;
    }
    if (get_text(j, "uuid", f->uuid, sizeof f->uuid, 0, why, whylen) || !wire_valid_uuid(f->uuid)) {
        f->uuid[0] = '\0';
        if (!why[0])
            util_fmt(why, whylen, "uuid: not a lowercase UUID (8-4-4-4-12 hex digits)");
        return -1;
    }
    if (wire_json_keys(j, keys, " in the feedback item", why, whylen))
        return -1;
    if (wire_json_int(j, "seq", 1, WIRE_MAX_SAFE_INT, &f->seq, why, whylen) ||
        get_text(j, "boot_id", f->boot_id, sizeof f->boot_id, 0, why, whylen) ||
        get_text(j, "kind", f->kind, sizeof f->kind, 0, why, whylen) ||
        get_text(j, "officer", f->officer_code, sizeof f->officer_code, 1, why, whylen) ||
        get_text(j, "vote", f->vote_uuid, sizeof f->vote_uuid, 1, why, whylen) ||
        get_text(j, "text", f->text, sizeof f->text, 0, why, whylen) ||
        wire_json_int(j, "created_at", 0, WIRE_MAX_SAFE_INT, &f->created_at, why, whylen))
        return -1;
    const cJSON *jc = cJSON_GetObjectItemCaseSensitive(j, "consent");
    if (!cJSON_IsBool(jc)) {
        util_fmt(why, whylen, "consent: is %s; must be true or false", wire_type_name(jc));
        return -1;
    }
    f->consent = cJSON_IsTrue(jc) ? 1 : 0;
    const cJSON *jk = cJSON_GetObjectItemCaseSensitive(j, "contact");
    if (jk && !f->consent) {
        util_fmt(why, whylen, "contact: given without the citizen's consent");
        return -1;
    }
    if (jk) {
        if (!cJSON_IsObject(jk)) {
            util_fmt(why, whylen, "contact: is %s; must be an object", wire_type_name(jk));
            return -1;
        }
        if (wire_json_keys(jk, ckeys, " in the contact", why, whylen) ||
            get_text(jk, "name", f->contact_name, sizeof f->contact_name, 1, why, whylen) ||
            get_text(jk, "phone", f->contact_phone, sizeof f->contact_phone, 1, why, whylen) ||
            get_text(jk, "address", f->contact_address, sizeof f->contact_address, 1, why, whylen))
            return -1;
    }
    const cJSON *js = cJSON_GetObjectItemCaseSensitive(j, "clock_suspect");
    if (js && !cJSON_IsBool(js)) {
        util_fmt(why, whylen, "clock_suspect: is %s; must be true or false", wire_type_name(js));
        return -1;
    }
    f->clock_suspect = cJSON_IsTrue(js) ? 1 : 0;
    return wire_feedback_check(f, why, whylen);
}
