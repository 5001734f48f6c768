/* util: allocation wrappers that abort on out-of-memory, random ids, files, strict parsing and
 * the UTF-8/NFC check every content file goes through. */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <utf8proc.h>

#include "log.h"

static void oom(size_t n)
{
    /* A kiosk that cannot allocate a few bytes cannot do anything useful: stop loudly and let the
     * session's supervisor restart it, rather than limp on with half-built state. */
    log_error("out of memory allocating %zu bytes", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        oom(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xmalloc(n);
    memcpy(d, s, n);
    return d;
}

void util_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            log_error("getrandom failed: %s", strerror(errno));
            abort();
        }
        p += got;
        n -= (size_t)got;
    }
}

void util_uuid_v4(char out[37])
{
    unsigned char b[16];
    util_random_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}

uint32_t util_random_below(uint32_t n)
{
    if (n <= 1)
        return 0;
    /* Rejection sampling avoids modulo bias. */
    uint32_t limit = UINT32_MAX - UINT32_MAX % n, r;
    do {
        util_random_bytes(&r, sizeof r);
    } while (r >= limit);
    return r % n;
}

char *util_read_file(const char *path, size_t *len_out)
{
    return util_read_file_max(path, SIZE_MAX - 2, len_out);
}

void util_read_why(int e, size_t max, char *out, size_t cap)
{
    if (e != EFBIG) {
        util_strlcpy(out, strerror(e), cap);
        return;
    }
    if (max >= 1024 * 1024)
        util_fmt(out, cap, "larger than %zu MiB; is it the right file?", max / (1024 * 1024));
    else
        util_fmt(out, cap, "larger than %zu KiB; is it the right file?", max / 1024);
}

char *util_read_file_max(const char *path, size_t max, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (cap - len < 2) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (len > max) {
            fclose(f);
            free(buf);
            errno = EFBIG;
            return NULL;
        }
        if (got == 0) {
            if (ferror(f)) {
                int e = errno;
                fclose(f);
                free(buf);
                errno = e ? e : EIO;
                return NULL;
            }
            break;
        }
    }
    fclose(f);
    buf[len] = '\0';
    if (len_out)
        *len_out = len;
    return buf;
}

int util_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int util_mkdirs(const char *path)
{
    char tmp[PATH_MAX];
    if (util_strlcpy(tmp, path, sizeof tmp) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(tmp, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int util_strlcpy(char *dst, const char *src, size_t cap)
{
    if (cap == 0)
        return -1;
    size_t n = strlen(src);
    if (n >= cap) {
        memcpy(dst, src, cap - 1);
        dst[cap - 1] = '\0';
        return -1;
    }
    memcpy(dst, src, n + 1);
    return 0;
}

int util_fmt(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
    return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

int util_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen)
        vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return rc;
}

int util_parse_int(const char *s, long min, long max, long *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

size_t util_utf8_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

void util_utf8_excerpt(const char *s, size_t max_chars, char *out, size_t cap)
{
    static const char ellipsis[] = "…";
    size_t o = 0, chars = 0, i = 0;
    if (cap == 0)
        return;
    for (; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80) {
            /* A new character: stop before it when max_chars are taken or when it and the
             * ellipsis might not fit (4 bytes at most a character). */
            if (chars == max_chars || o + 4 + sizeof ellipsis > cap)
                break;
            chars++;
        }
        out[o++] = c == '\n' || c == '\r' || c == '\t' ? ' ' : (char)c;
    }
    if (s[i] && o + sizeof ellipsis <= cap) {
        memcpy(out + o, ellipsis, sizeof ellipsis - 1);
        o += sizeof ellipsis - 1;
    }
    out[o] = '\0';
}

int util_utf8_is_nfc(const char *s, size_t *bad_offset)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t len = strlen(s);
    /* Validate first, so the offset points at the broken byte rather than a later normalisation
     * difference. */
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n < 0) {
            if (bad_offset)
                *bad_offset = i;
            return 0;
        }
        i += (size_t)n;
    }
    utf8proc_uint8_t *nfc = utf8proc_NFC(p);
    if (!nfc)
        return 0;
    int same = strcmp((const char *)nfc, s) == 0;
    if (!same && bad_offset) {
        size_t i = 0;
        while (s[i] && (char)nfc[i] == s[i])
            i++;
        *bad_offset = i;
    }
    free(nfc);
    return same;
}

long util_json_nul_at(const char *json, size_t len)
{
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        if (c == '\0')
            return (long)i;
        if (!in_string) {
            in_string = c == '"';
            continue;
        }
        if (c == '"') {
            in_string = 0;
        } else if (c == '\\' && i + 1 < len) {
            /* An escape: \u0000 is the NUL; any other is skipped whole, so that an escaped
             * backslash followed by "u0000" (the text \u0000) is not taken for one. */
            if (json[i + 1] == 'u' && i + 5 < len && memcmp(json + i + 2, "0000", 4) == 0)
                return (long)i;
            i++;
        }
    }
    return -1;
}

void util_text_clean(char *s)
{
    unsigned char *r = (unsigned char *)s, *w = (unsigned char *)s;
    while (*r) {
        unsigned char c = *r;
        int n = c < 0x80             ? 1
                : (c & 0xE0) == 0xC0 ? 2
                : (c & 0xF0) == 0xE0 ? 3
                : (c & 0xF8) == 0xF0 ? 4
                                     : 0;
        int ok = n > 0;
        for (int i = 1; ok && i < n; i++)
            ok = (r[i] & 0xC0) == 0x80;
        if (ok && n == 2)
            ok = c >= 0xC2 && !(c == 0xC2 && r[1] < 0xA0); /* overlong forms; C1 controls */
        if (ok && n == 3)
            ok = !(c == 0xE0 && r[1] < 0xA0) &&
                 !(c == 0xED && r[1] >= 0xA0); /* overlong, UTF-16 halves */
        if (ok && n == 4)
            ok = c <= 0xF4 && !(c == 0xF0 && r[1] < 0x90) && !(c == 0xF4 && r[1] >= 0x90);
        if (ok && n == 1)
            ok = c >= 0x20 && c != 0x7F;
        if (!ok) {
            *w++ = '?';
            r++;
            continue;
        }
        memmove(w, r, (size_t)n);
        w += n;
        r += n;
    }
    *w = '\0';
}
