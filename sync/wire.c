/* wire: the vote-batch protocol v1 (docs/PROTOCOL.md). The encoder is hand-written so that its
 * bytes are fixed by this file alone (a resent batch is byte-identical); the decoder parses with
 * cJSON and checks every field strictly, because its input comes from the network. */
#include "wire.h"
#include "wire_int.h"

#include "buf.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Numbers from 2^53 on do not survive a trip through a double (cJSON, JavaScript, PostgreSQL's
 * JSON functions): 2^53 + 1 reads as 2^53. The protocol refuses them rather than round them
 * silently; the largest integer allowed is 2^53 - 1. */
#define TWO_POW_53   9007199254740992.0
#define MAX_SAFE_INT WIRE_MAX_SAFE_INT

/* ---------- JSON strings ---------- */

/* A JSON string literal. Non-ASCII UTF-8 passes through unchanged; control characters, quote and
 * backslash are escaped, so any C string gives valid JSON. */
void wire_buf_str(buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    buf_add(b, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_add(b, run, (size_t)(s - run));
        run = s + 1;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        buf_add(b, esc, n);
    }
    buf_add(b, run, (size_t)(s - run));
    buf_add(b, "\"", 1);
}

/* ---------- validators ---------- */

int wire_valid_uuid(const char *s)
{
    /* Lowercase only: the uuid is the vote's primary key as text, and "A" and "a" must not be two
     * votes. The kiosk writes lowercase (util_uuid_v4). */
    if (!s || strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

static int code_chars(const char *s, size_t max)
{
    if (!s)
        return 0;
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
        if (n + 1 > max)
            return 0;
    }
    return n >= 1;
}

int wire_valid_code(const char *s)
{
    return code_chars(s, 31);
}

int wire_valid_kiosk_id(const char *s)
{
    return code_chars(s, 63);
}

int wire_utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
    /* RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF. */
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        size_t n;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            goto bad;
        }
        if (len - i <= n)
            goto bad;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                goto bad;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            goto bad;
        i += n + 1;
    }
    return 1;
bad:
    if (bad_offset)
        *bad_offset = i;
    return 0;
}

/* ---------- encoding ---------- */

/* Writes the reasons array. The kiosk's column holds a JSON array of codes; anything else is sent
 * as it is (as a JSON string when it is not JSON at all) so that the collector rejects that vote
 * with a reason and the kiosk quarantines it: a vote is never dropped at the encoder. */
static void enc_reasons(buf *b, const char *reasons)
{
    if (!reasons[0]) {
        buf_str(b, "[]");
        return;
    }
    cJSON *arr = cJSON_Parse(reasons);
    if (!arr) {
        wire_buf_str(b, reasons);
        return;
    }
    int all_strings = cJSON_IsArray(arr);
    for (cJSON *e = arr->child; all_strings && e; e = e->next)
        all_strings = cJSON_IsString(e);
    if (all_strings) {
        buf_add(b, "[", 1);
        for (cJSON *e = arr->child; e; e = e->next) {
            if (e != arr->child)
                buf_add(b, ",", 1);
            wire_buf_str(b, e->valuestring);
        }
        buf_add(b, "]", 1);
    } else {
        char *raw = cJSON_PrintUnformatted(arr);
        buf_str(b, raw ? raw : "null");
        cJSON_free(raw);
    }
    cJSON_Delete(arr);
}

int wire_encode_batch(const char *kiosk_id, const char *batch_id, int64_t frozen_at,
                      const wire_vote *votes, size_t n, const wire_feedback *fb, size_t n_fb,
                      char **json_out, size_t *len_out)
{
    if (!kiosk_id || !batch_id || (n && !votes) || (n_fb && !fb) || !json_out)
        return -1;
    buf b = {0};
    buf_str(&b, "{\"v\":1,\"kiosk_id\":");
    wire_buf_str(&b, kiosk_id);
    buf_str(&b, ",\"batch_id\":");
    wire_buf_str(&b, batch_id);
    buf_str(&b, ",\"frozen_at\":");
    buf_i64(&b, frozen_at);
    buf_str(&b, ",\"votes\":[");
    for (size_t i = 0; i < n; i++) {
        const wire_vote *v = &votes[i];
        buf_str(&b, i ? ",{\"uuid\":" : "{\"uuid\":");
        wire_buf_str(&b, v->uuid);
        buf_str(&b, ",\"seq\":");
        buf_i64(&b, v->seq);
        buf_str(&b, ",\"boot_id\":");
        wire_buf_str(&b, v->boot_id);
        buf_str(&b, ",\"officer\":");
        wire_buf_str(&b, v->officer_code);
        buf_str(&b, ",\"rating\":");
        buf_i64(&b, v->rating);
        buf_str(&b, ",\"reasons\":");
        enc_reasons(&b, v->reasons);
        buf_str(&b, ",\"created_at\":");
        buf_i64(&b, v->created_at);
        buf_str(&b, v->misuse ? ",\"misuse\":true" : ",\"misuse\":false");
        /* Only when set, so a batch without such a vote reads as before to an older collector. */
        buf_str(&b, v->clock_suspect ? ",\"clock_suspect\":true}" : "}");
    }
    buf_str(&b, "]");
    /* Only when there is feedback, so a batch of votes reads as before to an older collector. */
    wire_encode_feedback(&b, fb, n_fb);
    buf_str(&b, "}");
    if (len_out)
        *len_out = b.len;
    *json_out = buf_take(&b);
    return 0;
}

int wire_parse_ms(const char *s, int64_t *out)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 16 || s[n] != '\0')
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    *out = v;
    return 0;
}

const char *wire_status_name(wire_status s)
{
    switch (s) {
    case WIRE_ACCEPTED:
        return "accepted";
    case WIRE_DUPLICATE:
        return "duplicate";
    default:
        return "rejected";
    }
}

int wire_encode_results(const char *batch_id, const wire_result *r, size_t n, char **json_out,
                        size_t *len_out)
{
    if (!batch_id || (n && !r) || !json_out)
        return -1;
    buf b = {0};
    buf_str(&b, "{\"batch_id\":");
    wire_buf_str(&b, batch_id);
    buf_str(&b, ",\"results\":[");
    for (size_t i = 0; i < n; i++) {
        buf_str(&b, i ? ",{\"uuid\":" : "{\"uuid\":");
        wire_buf_str(&b, r[i].uuid);
        buf_str(&b, ",\"status\":\"");
        buf_str(&b, wire_status_name(r[i].status));
        buf_str(&b, "\"");
        if (r[i].status == WIRE_REJECTED) {
            buf_str(&b, ",\"reason\":");
            wire_buf_str(&b, r[i].reason);
        }
        buf_str(&b, "}");
    }
    buf_str(&b, "]}");
    if (len_out)
        *len_out = b.len;
    *json_out = buf_take(&b);
    return 0;
}

/* ---------- decoding ---------- */

/* Common checks before cJSON sees the bytes: it stops at a NUL and accepts any bytes inside
 * strings, so both are checked here. */
static int precheck(const char *json, size_t len, char *err, size_t errlen)
{
    if (!json || len == 0) {
        util_fmt(err, errlen, "body: empty; send a JSON object");
        return -1;
    }
    if (len > WIRE_MAX_BODY) {
        util_fmt(err, errlen, "body: %zu bytes, more than the %u allowed", len,
                 (unsigned)WIRE_MAX_BODY);
        return -1;
    }
    const char *nul = memchr(json, '\0', len);
    if (nul) {
        util_fmt(err, errlen, "body: NUL byte at offset %zu; send UTF-8 JSON text",
                 (size_t)(nul - json));
        return -1;
    }
    size_t bad = 0;
    if (!wire_utf8_valid(json, len, &bad)) {
        util_fmt(err, errlen, "body: invalid UTF-8 at byte %zu; send UTF-8 JSON text", bad);
        return -1;
    }
    return 0;
}

/* Counts the JSON values in json (every '{', '[', ',' and ':' outside strings: at least one per
 * value, member or element) and stops past max: one pass, no memory. */
static size_t count_values(const char *json, size_t len, size_t max)
{
    size_t n = 0;
    int in_string = 0;
    for (size_t i = 0; i < len && n <= max; i++) {
        char c = json[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[' || c == ',' || c == ':') {
            n++;
        }
    }
    return n;
}

/* Names the field whose string holds byte off (a NUL found by util_json_nul_at), as a path such
 * as votes[3].officer or votes[0].reasons[1], in one pass over the text before it: the JSON is
 * not parsed yet (cJSON would cut the string at the NUL). Keys are copied clipped; nesting past
 * NUL_DEPTH is named "...". */
#define NUL_DEPTH 8
static void nul_field(const char *json, size_t len, size_t off, char *out, size_t outlen)
{
    struct {
        char key[24]; /* the member this container is the value of ("" for the top or an element) */
        int array;
        long index;
    } st[NUL_DEPTH];
    int depth = 0, in_string = 0;
    char last[24] = ""; /* the latest string closed: a key if ':' follows */
    char pending[24] = "";
    size_t start = 0;
    for (size_t i = 0; i < len && i < off; i++) {
        char c = json[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"') {
                in_string = 0;
                size_t n = i - start < sizeof last ? i - start : sizeof last - 1;
                memcpy(last, json + start, n);
                last[n] = '\0';
            }
            continue;
        }
        if (c == '"') {
            in_string = 1;
            start = i + 1;
        } else if (c == ':') {
            memcpy(pending, last, sizeof pending);
        } else if (c == '{' || c == '[') {
            if (depth < NUL_DEPTH) {
                memcpy(st[depth].key, pending, sizeof pending);
                st[depth].array = c == '[';
                st[depth].index = 0;
            }
            depth++;
            pending[0] = '\0';
        } else if (c == '}' || c == ']' || c == ',') {
            if (c != ',')
                depth = depth > 0 ? depth - 1 : 0;
            else if (depth > 0 && depth <= NUL_DEPTH && st[depth - 1].array)
                st[depth - 1].index++;
            pending[0] = '\0';
        }
    }
    /* The string holding off is a key itself when pending is empty in an object. */
    out[0] = '\0';
    size_t used = 0;
    for (int d = 0; d < depth && d < NUL_DEPTH; d++) {
        const char *sep = st[d].key[0] && used ? "." : "";
        if (st[d].key[0])
            used += (size_t)snprintf(out + used, used < outlen ? outlen - used : 0, "%s%s", sep,
                                     st[d].key);
        if (st[d].array && d + 1 < depth)
            used += (size_t)snprintf(out + used, used < outlen ? outlen - used : 0, "[%ld]",
                                     st[d].index);
        if (used >= outlen)
            return;
    }
    if (depth > NUL_DEPTH)
        snprintf(out + used, used < outlen ? outlen - used : 0, "%s...", used ? "." : "");
    else if (depth > 0 && st[depth - 1].array)
        snprintf(out + used, used < outlen ? outlen - used : 0, "[%ld]", st[depth - 1].index);
    else if (pending[0])
        snprintf(out + used, used < outlen ? outlen - used : 0, "%s%s", used ? "." : "", pending);
    else
        snprintf(out + used, used < outlen ? outlen - used : 0, "%sa key", used ? "." : "");
}

cJSON *wire_json_parse(const char *json, size_t len, char *err, size_t errlen)
{
    if (count_values(json, len, WIRE_MAX_VALUES) > WIRE_MAX_VALUES) {
        util_fmt(err, errlen,
                 "body: more than %u JSON values; a batch holds at most %d votes of a few fields",
                 WIRE_MAX_VALUES, WIRE_MAX_VOTES);
        return NULL;
    }
    long nul = util_json_nul_at(json, len);
    if (nul >= 0) {
        char field[96];
        nul_field(json, len, (size_t)nul, field, sizeof field);
        util_fmt(err, errlen, "%s: a NUL character (\\u0000) at byte %ld; no field may contain one",
                 field, nul);
        return NULL;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!root) {
        size_t off = end && end >= json && end <= json + len ? (size_t)(end - json) : 0;
        util_fmt(err, errlen, "body: not valid JSON (near byte %zu)", off);
        return NULL;
    }
    /* Only white space may follow the value. */
    for (const char *p = end; p && p < json + len; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            util_fmt(err, errlen, "body: unexpected data after the JSON value at byte %zu",
                     (size_t)(p - json));
            cJSON_Delete(root);
            return NULL;
        }
    }
    if (!cJSON_IsObject(root)) {
        util_fmt(err, errlen, "body: must be a JSON object");
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

const char *wire_type_name(const cJSON *j)
{
    if (!j)
        return "missing";
    if (cJSON_IsNull(j))
        return "null";
    if (cJSON_IsBool(j))
        return "a boolean";
    if (cJSON_IsNumber(j))
        return "a number";
    if (cJSON_IsString(j))
        return "a string";
    if (cJSON_IsArray(j))
        return "an array";
    return "an object";
}

/* A key from the input, fit for a message that is sent back as JSON and logged: at most 32 bytes,
 * anything but printable ASCII shown as '?', so a cut can never split a UTF-8 sequence. */
static void show_key(char *dst, size_t cap, const char *key)
{
    size_t n = 0;
    for (; key[n] && n < 32 && n + 1 < cap; n++) {
        unsigned char c = (unsigned char)key[n];
        dst[n] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[n] = '\0';
}

/* Unknown keys are errors (a misspelt field is not silently ignored) and so are duplicates
 * (cJSON would keep both and we would read only the first). Returns the offending key. */
static const char *bad_key(const cJSON *obj, const char *const *allowed, int *dup)
{
    for (const cJSON *e = obj->child; e; e = e->next) {
        int known = 0;
        for (const char *const *a = allowed; *a; a++)
            if (e->string && strcmp(e->string, *a) == 0)
                known = 1;
        if (!known) {
            *dup = 0;
            return e->string ? e->string : "";
        }
        for (const cJSON *f = obj->child; f != e; f = f->next)
            if (strcmp(f->string, e->string) == 0) {
                *dup = 1;
                return e->string;
            }
    }
    return NULL;
}

/* bad_key as a message: 0, or -1 with err naming the key. in: " in the vote" or "", for a key
 * given twice. */
int wire_json_keys(const cJSON *obj, const char *const *allowed, const char *in, char *err,
                   size_t errlen)
{
    int dup = 0;
    const char *k = bad_key(obj, allowed, &dup);
    if (!k)
        return 0;
    char shown[40];
    show_key(shown, sizeof shown, k);
    if (dup)
        util_fmt(err, errlen, "%s: appears twice%s", shown, in);
    else
        util_fmt(err, errlen, "%s: unknown field", shown);
    return -1;
}

/* An integral JSON number within [min, max]; 0 or -1 with a reason naming the field. */
int wire_json_int(const cJSON *obj, const char *key, double min, double max, int64_t *out,
                  char *why, size_t whylen)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(j)) {
        util_fmt(why, whylen, "%s: is %s; must be an integer", key, wire_type_name(j));
        return -1;
    }
    double d = j->valuedouble;
    if (!isfinite(d) || fabs(d) >= TWO_POW_53) {
        util_fmt(why, whylen, "%s: number too large; must be an integer below 2^53", key);
        return -1;
    }
    if (d != floor(d)) {
        util_fmt(why, whylen, "%s: %.17g is not an integer", key, d);
        return -1;
    }
    if (d < min || d > max) {
        util_fmt(why, whylen, "%s: %.0f is out of range; must be %.0f to %.0f", key, d, min, max);
        return -1;
    }
    *out = (int64_t)d;
    return 0;
}

const char *wire_json_text(const cJSON *obj, const char *key, char *why, size_t whylen)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(j)) {
        util_fmt(why, whylen, "%s: is %s; must be a string", key, wire_type_name(j));
        return NULL;
    }
    return j->valuestring;
}

/* Validates one vote into v; 0, or -1 with the reason in why. */
static int decode_vote(const cJSON *jv, wire_vote *v, char *why, size_t whylen)
{
    static const char *const keys[] = {"uuid",          "seq",     "boot_id",    "officer",
                                       "rating",        "reasons", "created_at", "misuse",
                                       "clock_suspect", NULL};
    if (!cJSON_IsObject(jv)) {
        util_fmt(why, whylen, "vote: is %s; must be an object", wire_type_name(jv));
        return -1;
    }
    const char *s = wire_json_text(jv, "uuid", why, whylen);
    if (!s)
        return -1;
    if (!wire_valid_uuid(s)) {
        util_fmt(why, whylen, "uuid: not a lowercase UUID (8-4-4-4-12 hex digits)");
        return -1;
    }
    util_strlcpy(v->uuid, s, sizeof v->uuid);
    if (wire_json_keys(jv, keys, " in the vote", why, whylen))
        return -1;
    if (wire_json_int(jv, "seq", 1, MAX_SAFE_INT, &v->seq, why, whylen))
        return -1;
    if (!(s = wire_json_text(jv, "boot_id", why, whylen)))
        return -1;
    if (!wire_valid_uuid(s)) {
        util_fmt(why, whylen, "boot_id: not a lowercase UUID (8-4-4-4-12 hex digits)");
        return -1;
    }
    util_strlcpy(v->boot_id, s, sizeof v->boot_id);
    if (!(s = wire_json_text(jv, "officer", why, whylen)))
        return -1;
    if (!wire_valid_code(s)) {
        util_fmt(why, whylen, "officer: not a code of 1 to 31 letters, digits, '-' or '_'");
        return -1;
    }
    util_strlcpy(v->officer_code, s, sizeof v->officer_code);
    int64_t rating;
    if (wire_json_int(jv, "rating", -MAX_SAFE_INT, MAX_SAFE_INT, &rating, why, whylen))
        return -1;
    if (rating < 1 || rating > 3) {
        util_fmt(why, whylen, "rating: must be 1, 2 or 3");
        return -1;
    }
    v->rating = (int)rating;
    const cJSON *ja = cJSON_GetObjectItemCaseSensitive(jv, "reasons");
    if (!cJSON_IsArray(ja)) {
        util_fmt(why, whylen, "reasons: is %s; must be an array of reason codes",
                 wire_type_name(ja));
        return -1;
    }
    buf rb = {0};
    buf_add(&rb, "[", 1);
    int count = 0;
    for (const cJSON *e = ja->child; e; e = e->next, count++) {
        if (count >= 32) {
            util_fmt(why, whylen, "reasons: more than 32 codes");
            buf_free(&rb);
            return -1;
        }
        if (!cJSON_IsString(e) || !wire_valid_code(e->valuestring)) {
            util_fmt(why, whylen, "reasons[%d]: not a code of 1 to 31 letters, digits, '-' or '_'",
                     count);
            buf_free(&rb);
            return -1;
        }
        if (count)
            buf_add(&rb, ",", 1);
        wire_buf_str(&rb, e->valuestring);
    }
    buf_add(&rb, "]", 1);
    /* 32 codes of 31 chars with quotes and commas fit: 32 * 34 + 2 < sizeof v->reasons. */
    util_strlcpy(v->reasons, buf_cstr(&rb), sizeof v->reasons);
    buf_free(&rb);
    /* Any time the kiosk's clock showed is taken, 1970 and 2099 included: a vote is never lost
     * to a clock. The collector marks an implausible one clock_suspect (docs/PROTOCOL.md). */
    if (wire_json_int(jv, "created_at", 0, MAX_SAFE_INT, &v->created_at, why, whylen))
        return -1;
    const cJSON *jm = cJSON_GetObjectItemCaseSensitive(jv, "misuse");
    if (!cJSON_IsBool(jm)) {
        util_fmt(why, whylen, "misuse: is %s; must be true or false", wire_type_name(jm));
        return -1;
    }
    v->misuse = cJSON_IsTrue(jm) ? 1 : 0;
    /* Optional: the kiosk's own mark (its clock was implausible or had jumped at the vote). */
    const cJSON *jc = cJSON_GetObjectItemCaseSensitive(jv, "clock_suspect");
    if (jc && !cJSON_IsBool(jc)) {
        util_fmt(why, whylen, "clock_suspect: is %s; must be true or false", wire_type_name(jc));
        return -1;
    }
    v->clock_suspect = cJSON_IsTrue(jc) ? 1 : 0;
    return 0;
}

int wire_decode_batch(const char *json, size_t len, wire_batch *out, char *err, size_t errlen)
{
    static const char *const keys[] = {"v",     "kiosk_id", "batch_id", "frozen_at",
                                       "votes", "feedback", NULL};
    memset(out, 0, sizeof *out);
    if (precheck(json, len, err, errlen))
        return -1;
    cJSON *root = wire_json_parse(json, len, err, errlen);
    if (!root)
        return -1;
    int64_t version;
    const char *s;
    if (wire_json_keys(root, keys, "", err, errlen))
        goto fail;
    if (wire_json_int(root, "v", -MAX_SAFE_INT, MAX_SAFE_INT, &version, err, errlen))
        goto fail;
    if (version != WIRE_VERSION) {
        util_fmt(err, errlen, "v: version %" PRId64 " is not supported; this collector speaks %d",
                 version, WIRE_VERSION);
        goto fail;
    }
    if (!(s = wire_json_text(root, "kiosk_id", err, errlen)))
        goto fail;
    if (!wire_valid_kiosk_id(s)) {
        util_fmt(err, errlen, "kiosk_id: not an id of 1 to 63 letters, digits, '-' or '_'");
        goto fail;
    }
    util_strlcpy(out->kiosk_id, s, sizeof out->kiosk_id);
    if (!(s = wire_json_text(root, "batch_id", err, errlen)))
        goto fail;
    if (!wire_valid_uuid(s)) {
        util_fmt(err, errlen, "batch_id: not a lowercase UUID (8-4-4-4-12 hex digits)");
        goto fail;
    }
    util_strlcpy(out->batch_id, s, sizeof out->batch_id);
    /* Any integral time: a kiosk whose clock is wrong must still be able to deliver its votes
     * (they are flagged per vote, not refused as a batch). */
    if (wire_json_int(root, "frozen_at", 0, MAX_SAFE_INT, &out->frozen_at, err, errlen))
        goto fail;
    const cJSON *jvotes = cJSON_GetObjectItemCaseSensitive(root, "votes");
    if (!cJSON_IsArray(jvotes)) {
        util_fmt(err, errlen, "votes: is %s; must be an array of votes", wire_type_name(jvotes));
        goto fail;
    }
    int n = cJSON_GetArraySize(jvotes);
    const cJSON *jfb = cJSON_GetObjectItemCaseSensitive(root, "feedback");
    if (jfb && !cJSON_IsArray(jfb)) {
        util_fmt(err, errlen, "feedback: is %s; must be an array of feedback items",
                 wire_type_name(jfb));
        goto fail;
    }
    int n_fb = jfb ? cJSON_GetArraySize(jfb) : 0;
    if (n_fb > WIRE_MAX_FEEDBACK) {
        util_fmt(err, errlen, "feedback: %d items; a batch holds at most %d", n_fb,
                 WIRE_MAX_FEEDBACK);
        goto fail;
    }
    /* A batch of feedback alone carries no vote. */
    if (n < (n_fb ? 0 : 1) || n > WIRE_MAX_VOTES) {
        util_fmt(err, errlen, "votes: %d votes; a batch holds 1 to %d", n, WIRE_MAX_VOTES);
        goto fail;
    }
    out->n = (size_t)n;
    out->votes = xcalloc(out->n ? out->n : 1, sizeof *out->votes);
    out->results = xcalloc(out->n ? out->n : 1, sizeof *out->results);
    size_t i = 0;
    for (const cJSON *jv = jvotes->child; jv; jv = jv->next, i++) {
        wire_result *r = &out->results[i];
        r->status = WIRE_ACCEPTED;
        if (decode_vote(jv, &out->votes[i], r->reason, sizeof r->reason) != 0) {
            r->status = WIRE_REJECTED;
        }
        /* The uuid is echoed whenever it was readable, so the kiosk can match the result. */
        if (wire_valid_uuid(out->votes[i].uuid))
            util_strlcpy(r->uuid, out->votes[i].uuid, sizeof r->uuid);
        if (r->status == WIRE_REJECTED)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(out->votes[j].uuid, out->votes[i].uuid) == 0) {
                r->status = WIRE_REJECTED;
                util_fmt(r->reason, sizeof r->reason,
                         "uuid: appears twice in this batch (first at votes[%zu])", j);
                break;
            }
        }
    }
    out->n_feedback = (size_t)n_fb;
    out->feedback = xcalloc(n_fb ? (size_t)n_fb : 1, sizeof *out->feedback);
    out->fb_results = xcalloc(n_fb ? (size_t)n_fb : 1, sizeof *out->fb_results);
    i = 0;
    for (const cJSON *jf = jfb ? jfb->child : NULL; jf; jf = jf->next, i++) {
        wire_result *r = &out->fb_results[i];
        r->status = WIRE_ACCEPTED;
        if (wire_decode_feedback(jf, &out->feedback[i], r->reason, sizeof r->reason) != 0)
            r->status = WIRE_REJECTED;
        if (wire_valid_uuid(out->feedback[i].uuid))
            util_strlcpy(r->uuid, out->feedback[i].uuid, sizeof r->uuid);
        /* A uuid is one item or one vote, never both (the kiosk matches results by it). */
        for (size_t j = 0; r->status != WIRE_REJECTED && j < out->n + i; j++) {
            const char *other = j < out->n ? out->votes[j].uuid : out->feedback[j - out->n].uuid;
            if (strcmp(other, out->feedback[i].uuid) == 0) {
                r->status = WIRE_REJECTED;
                util_fmt(r->reason, sizeof r->reason, "uuid: appears twice in this batch");
            }
        }
    }
    cJSON_Delete(root);
    return 0;
fail:
    cJSON_Delete(root);
    wire_batch_free(out);
    return -1;
}

void wire_batch_free(wire_batch *b)
{
    if (!b)
        return;
    free(b->votes);
    free(b->results);
    free(b->feedback);
    free(b->fb_results);
    memset(b, 0, sizeof *b);
}

/* util_strlcpy that cuts before a character that does not fit whole rather than inside it: a
 * reason is stored in votes.db and logged as text, which must stay valid UTF-8. */
static void copy_utf8(char *dst, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

int wire_decode_results(const char *json, size_t len, char *batch_id_out, wire_result **out,
                        size_t *n_out, char *err, size_t errlen)
{
    static const char *const keys[] = {"batch_id", "results", NULL};
    static const char *const rkeys[] = {"uuid", "status", "reason", NULL};
    *out = NULL;
    *n_out = 0;
    if (precheck(json, len, err, errlen))
        return -1;
    cJSON *root = wire_json_parse(json, len, err, errlen);
    if (!root)
        return -1;
    char why[160];
    wire_result *r = NULL;
    if (wire_json_keys(root, keys, "", err, errlen))
        goto fail;
    const char *s = wire_json_text(root, "batch_id", why, sizeof why);
    if (!s || !wire_valid_uuid(s)) {
        util_fmt(err, errlen, "batch_id: %s", s ? "not a lowercase UUID" : why);
        goto fail;
    }
    if (batch_id_out)
        util_strlcpy(batch_id_out, s, 37);
    const cJSON *ja = cJSON_GetObjectItemCaseSensitive(root, "results");
    if (!cJSON_IsArray(ja)) {
        util_fmt(err, errlen, "results: is %s; must be an array", wire_type_name(ja));
        goto fail;
    }
    int n = cJSON_GetArraySize(ja);
    if (n > WIRE_MAX_VOTES + WIRE_MAX_FEEDBACK) {
        util_fmt(err, errlen, "results: %d entries; at most %d", n,
                 WIRE_MAX_VOTES + WIRE_MAX_FEEDBACK);
        goto fail;
    }
    r = xcalloc((size_t)n, sizeof *r);
    int i = 0;
    for (const cJSON *e = ja->child; e; e = e->next, i++) {
        int dup = 0;
        if (!cJSON_IsObject(e) || bad_key(e, rkeys, &dup)) {
            util_fmt(err, errlen, "results[%d]: must be an object with uuid, status, reason", i);
            goto fail;
        }
        const char *u = wire_json_text(e, "uuid", why, sizeof why);
        if (!u || (u[0] && !wire_valid_uuid(u))) {
            util_fmt(err, errlen, "results[%d].uuid: not a lowercase UUID or \"\"", i);
            goto fail;
        }
        util_strlcpy(r[i].uuid, u, sizeof r[i].uuid);
        const char *st = wire_json_text(e, "status", why, sizeof why);
        if (st && strcmp(st, "accepted") == 0) {
            r[i].status = WIRE_ACCEPTED;
        } else if (st && strcmp(st, "duplicate") == 0) {
            r[i].status = WIRE_DUPLICATE;
        } else if (st && strcmp(st, "rejected") == 0) {
            r[i].status = WIRE_REJECTED;
        } else {
            util_fmt(err, errlen, "results[%d].status: must be accepted, duplicate or rejected", i);
            goto fail;
        }
        const cJSON *jr = cJSON_GetObjectItemCaseSensitive(e, "reason");
        if (jr && !cJSON_IsString(jr)) {
            util_fmt(err, errlen, "results[%d].reason: must be a string", i);
            goto fail;
        }
        if (jr)
            copy_utf8(r[i].reason, sizeof r[i].reason, jr->valuestring);
    }
    cJSON_Delete(root);
    *out = r;
    *n_out = (size_t)n;
    return 0;
fail:
    free(r);
    cJSON_Delete(root);
    return -1;
}
