/* jsonv: shared checks for the JSON data files IT staff edit, so every file reports mistakes the
 * same way: "FILE:LINE:COL" for syntax, "FILE: path: what; fix" for a field. */
#include "jsonv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#include "util.h"

int jv_fail(jv_ctx *x, const char *fmt, ...)
{
    char what[HL_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    util_fmt(x->err, x->errlen, "%s: %s", x->file, what);
    return HL_EXIT_USAGE;
}

void jv_path(char *dst, size_t cap, const char *where, const char *key)
{
    if (*where)
        util_fmt(dst, cap, "%s.%s", where, key);
    else
        util_strlcpy(dst, key, cap);
}

void jv_shorten(char *dst, size_t cap, const char *s)
{
    size_t lim = cap - 4 < 40 ? cap - 4 : 40, n = strlen(s);
    if (n <= lim) {
        util_strlcpy(dst, s, cap);
        return;
    }
    while (lim > 0 && ((unsigned char)s[lim] & 0xC0) == 0x80)
        lim--;
    memcpy(dst, s, lim);
    memcpy(dst + lim, "...", 4);
}

const char *jv_type_name(const cJSON *j)
{
    if (cJSON_IsNumber(j))
        return "a number";
    if (cJSON_IsBool(j))
        return "true/false";
    if (cJSON_IsNull(j))
        return "null";
    if (cJSON_IsArray(j))
        return "a list [...]";
    if (cJSON_IsObject(j))
        return "an object {...}";
    return "text";
}

int jv_check_text(jv_ctx *x, const char *path, const char *s, int allow_newline)
{
    size_t bad;
    if (!util_utf8_is_nfc(s, &bad)) {
        utf8proc_int32_t cp;
        if (utf8proc_iterate((const utf8proc_uint8_t *)s + bad, -1, &cp) < 0)
            return jv_fail(
                x, "%s: is not valid UTF-8 (bad byte at offset %zu); save the file as UTF-8", path,
                bad);
        return jv_fail(x,
                       "%s: is not NFC Unicode (at byte %zu); save the file as UTF-8 NFC "
                       "(composed accents, as most editors and keyboards write them)",
                       path, bad);
    }
    for (size_t i = 0; s[i]; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n' && !allow_newline)
            return jv_fail(x, "%s: contains a line break; write it on one line", path);
        if ((ch < 0x20 && !(allow_newline && ch == '\n')) || ch == 0x7f)
            return jv_fail(x, "%s: contains a control character (U+%04X at byte %zu); remove it",
                           path, ch, i);
    }
    return 0;
}

int jv_check_keys(jv_ctx *x, const cJSON *obj, const char *where, const char *const *allowed)
{
    for (const cJSON *a = obj->child; a; a = a->next) {
        const char *k = a->string ? a->string : "";
        char path[JV_PATH_MAX];
        jv_path(path, sizeof path, where, k);
        for (const cJSON *b = obj->child; b != a; b = b->next)
            if (b->string && strcmp(b->string, k) == 0)
                return jv_fail(x, "%s: appears twice; keep one", path);
        if (k[0] == '_')
            continue;
        int ok = 0;
        for (size_t i = 0; allowed[i]; i++)
            if (strcmp(allowed[i], k) == 0)
                ok = 1;
        if (!ok) {
            char list[256] = "";
            for (size_t i = 0; allowed[i]; i++) {
                size_t used = strlen(list);
                util_fmt(list + used, sizeof list - used, "%s%s", i ? ", " : "", allowed[i]);
            }
            return jv_fail(x,
                           "%s: unknown field; the fields are %s (names starting with _ are "
                           "comments)",
                           path, list);
        }
    }
    return 0;
}

int jv_get_str(jv_ctx *x, const cJSON *obj, const char *where, const char *key, int flags,
               const char *hint, char **out)
{
    char path[JV_PATH_MAX];
    jv_path(path, sizeof path, where, key);
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!j) {
        if (flags & JV_REQUIRED)
            return jv_fail(x, "%s: missing; %s", path, hint);
        *out = xstrdup("");
        return 0;
    }
    if (!cJSON_IsString(j) || !j->valuestring)
        return jv_fail(x, "%s: is %s; write it as text in double quotes (%s)", path,
                       jv_type_name(j), hint);
    const char *s = j->valuestring;
    int rc = jv_check_text(x, path, s, flags & JV_MULTILINE);
    if (rc)
        return rc;
    const char *t = s;
    while (*t == ' ' || *t == '\n')
        t++;
    if ((flags & JV_REQUIRED) && !*t)
        return jv_fail(x, "%s: empty; %s", path, hint);
    *out = xstrdup(s);
    return 0;
}

/* The field the string at offset `at` of buf belongs to ("officers[0].name"), found by walking
 * the containers before it: cJSON would cut the string at a \u0000 without a word, so the text is
 * refused before parsing, and IT staff need the field as well as the line. Text before `at` that
 * is not JSON only gives a shorter path. */
static void nul_field(const char *buf, size_t at, char *out, size_t cap)
{
    enum { DEPTH = 16, KEY = 48 };
    struct {
        char array, want_key;
        long index;
        char key[KEY];
    } f[DEPTH];
    int depth = 0, in_string = 0, is_key = 0;
    size_t klen = 0;
    for (size_t i = 0; i < at; i++) {
        char c = buf[i];
        int top = depth - 1;
        int in_frame = top >= 0 && top < DEPTH;
        if (in_string) {
            if (c == '\\') {
                if (is_key && in_frame && klen + 2 < KEY) {
                    f[top].key[klen++] = c;
                    f[top].key[klen++] = buf[i + 1];
                }
                i++;
            } else if (c == '"') {
                in_string = 0;
            } else if (is_key && in_frame && klen + 1 < KEY) {
                f[top].key[klen++] = c;
            }
            if (is_key && in_frame)
                f[top].key[klen] = '\0';
            continue;
        }
        if (c == '{' || c == '[') {
            if (depth < DEPTH) {
                f[depth].array = c == '[';
                f[depth].want_key = c == '{';
                f[depth].index = 0;
                f[depth].key[0] = '\0';
            }
            depth++;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        } else if (c == ',' && in_frame) {
            f[top].index++;
            f[top].want_key = !f[top].array;
        } else if (c == ':' && in_frame) {
            f[top].want_key = 0;
        } else if (c == '"') {
            in_string = 1;
            is_key = in_frame && !f[top].array && f[top].want_key;
            klen = 0;
        }
    }
    out[0] = '\0';
    int shown = depth < DEPTH ? depth : DEPTH;
    /* A \u0000 in a field's name names the object holding it; in a value, the field itself. */
    if (is_key)
        shown--;
    for (int k = 0; k < shown; k++) {
        size_t used = strlen(out);
        if (f[k].array)
            util_fmt(out + used, cap - used, "[%ld]", f[k].index);
        else
            util_fmt(out + used, cap - used, "%s%s", used ? "." : "", f[k].key);
    }
    if (is_key) {
        size_t used = strlen(out);
        util_fmt(out + used, cap - used, "%sa field name", used ? ": " : "");
    }
    if (!out[0])
        util_strlcpy(out, "the top level", cap);
}

/* cJSON reports only an offset; IT staff need the line and column their editor shows. */
static int syntax_error(jv_ctx *x, const char *buf, size_t len, const char *pos, int nul)
{
    if (!pos || pos < buf || pos > buf + len)
        pos = buf + len;
    int line = 1, col = 1;
    for (const char *s = buf; s < pos; s++) {
        if (*s == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)*s & 0xC0) != 0x80) {
            col++; /* count characters, not bytes */
        }
    }
    char near[64] = "";
    size_t n = 0, left = (size_t)(buf + len - pos);
    while (n < left && n < 24 && pos[n] != '\n' && pos[n] != '\r')
        n++;
    while (n > 0 && n < left && ((unsigned char)pos[n] & 0xC0) == 0x80)
        n--;
    memcpy(near, pos, n);
    near[n] = '\0';
    if (nul && *pos == '\0')
        util_fmt(x->err, x->errlen, "%s:%d:%d: contains a NUL byte; save the file as UTF-8 text",
                 x->file, line, col);
    else if (nul) {
        char field[JV_PATH_MAX];
        nul_field(buf, (size_t)(pos - buf), field, sizeof field);
        util_fmt(x->err, x->errlen,
                 "%s:%d:%d: %s: holds \\u0000 (a NUL character), which no text may contain; "
                 "remove it",
                 x->file, line, col, field);
    } else if (n == 0 && left <= 1)
        util_fmt(x->err, x->errlen,
                 "%s:%d:%d: JSON syntax error near the end of the file; "
                 "check for a missing } or ]",
                 x->file, line, col);
    else
        util_fmt(x->err, x->errlen,
                 "%s:%d:%d: JSON syntax error near \"%s\"; check the "
                 "commas, quotes and brackets around there",
                 x->file, line, col, near);
    return HL_EXIT_USAGE;
}

int jv_parse(jv_ctx *x, const char *buf, size_t len, int format, cJSON **root)
{
    *root = NULL;
    if (len >= 2 && (((unsigned char)buf[0] == 0xFF && (unsigned char)buf[1] == 0xFE) ||
                     ((unsigned char)buf[0] == 0xFE && (unsigned char)buf[1] == 0xFF)))
        return jv_fail(x, "is saved as UTF-16; save it as UTF-8");
    /* Notepad's "UTF-8" writes a byte order mark, which cJSON would call a syntax error. */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        buf += 3;
        len -= 3;
    }
    /* A raw NUL byte, or a \u0000 escape that cJSON would silently cut a string at. */
    long nul_at = util_json_nul_at(buf, len);
    const char *nul = nul_at >= 0 ? buf + nul_at : NULL;
    const char *end = NULL;
    cJSON *j = nul ? NULL : cJSON_ParseWithOpts(buf, &end, 1);
    if (!j)
        return syntax_error(x, buf, len, nul ? nul : end ? end : cJSON_GetErrorPtr(), nul != NULL);
    *root = j;
    if (!cJSON_IsObject(j))
        return jv_fail(x, "the top level is %s; it must be an object { \"format\": %d, ... }",
                       jv_type_name(j), format);
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "format");
    if (!f)
        return jv_fail(x, "format: missing; add \"format\": %d at the top level", format);
    if (!cJSON_IsNumber(f) || f->valuedouble != format)
        return jv_fail(x,
                       "format: must be %d (this kiosk reads format %d); check the file was "
                       "made for this version",
                       format, format);
    return 0;
}
