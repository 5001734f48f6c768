/* config: reads the kiosk's INI file (inih) into a cfg, with every key checked and every error
 * phrased as "FILE:LINE: [section] key: what is wrong; what to do" for the IT staff who edit it. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "jsonv.h"
#include "util.h"

/* Limits on what is read from outside: a commented kiosk.ini is a few KiB, a token one line. A
 * CA bundle is read by curl, not here, so it is only checked: a regular file of at most 1 MiB
 * (Debian's whole ca-certificates.crt is ~220 KiB), so that /dev/zero or a huge file there is
 * named at start rather than left to curl at every sync round. */
#define CFG_FILE_MAX       (256u * 1024)
#define CFG_TOKEN_FILE_MAX (4u * 1024)
#define CFG_CA_FILE_MAX    (1024u * 1024)

typedef enum {
    K_ID,
    K_MODE,
    K_RENDERER,
    K_COUNTER,
    K_CODE,
    K_PATH,
    K_BOOL,
    K_INT,
    K_SLOGANS,
    K_URL,
    K_TOKEN,
    K_FILE
} key_kind;

typedef struct {
    const char *section, *name;
    key_kind kind;
    size_t off, size; /* where the value lives in cfg */
    long min, max;    /* K_INT range */
    const char *unit; /* K_INT, for messages */
} key_def;

#define FIELD(f) offsetof(cfg, f), sizeof(((cfg *)0)->f)

static const key_def keys[] = {
    {"kiosk", "id", K_ID, FIELD(kiosk_id), 0, 0, NULL},
    {"kiosk", "mode", K_MODE, FIELD(mode), 0, 0, NULL},
    {"kiosk", "counter", K_COUNTER, FIELD(counter), 0, 0, NULL},
    {"kiosk", "officer", K_CODE, FIELD(officer), 0, 0, NULL},
    {"kiosk", "data_dir", K_PATH, FIELD(data_dir), 0, 0, NULL},
    {"kiosk", "content_dir", K_PATH, FIELD(content_dir), 0, 0, NULL},
    {"kiosk", "assets_dir", K_PATH, FIELD(assets_dir), 0, 0, NULL},
    {"display", "fullscreen", K_BOOL, FIELD(fullscreen), 0, 0, NULL},
    {"display", "width", K_INT, FIELD(width), 320, 7680, "pixels"},
    {"display", "height", K_INT, FIELD(height), 240, 4320, "pixels"},
    {"display", "renderer", K_RENDERER, FIELD(renderer), 0, 0, NULL},
    {"timing", "idle_timeout", K_INT, FIELD(idle_timeout_s), 10, 3600, "seconds"},
    {"timing", "screen_timeout", K_INT, FIELD(screen_timeout_s), 10, 600, "seconds"},
    {"timing", "reading_timeout", K_INT, FIELD(reading_timeout_s), 10, 1800, "seconds"},
    {"timing", "thanks_duration", K_INT, FIELD(thanks_s), 2, 60, "seconds"},
    {"timing", "apology_duration", K_INT, FIELD(apology_s), 5, 120, "seconds"},
    {"timing", "followup_timeout", K_INT, FIELD(followup_timeout_s), 5, 300, "seconds"},
    {"timing", "response_interval", K_INT, FIELD(response_interval_s), 0, 600, "seconds"},
    {"timing", "slogan_rotate", K_INT, FIELD(slogan_rotate_s), 3, 600, "seconds"},
    {"timing", "attract_shift", K_INT, FIELD(attract_shift_s), 5, 3600, "seconds"},
    {"content", "slogans", K_SLOGANS, FIELD(slogans), 0, 0, NULL},
    {"sync", "url", K_URL, FIELD(sync_url), 0, 0, NULL},
    {"sync", "token", K_TOKEN, FIELD(sync_token), 0, 0, NULL},
    {"sync", "token_file", K_FILE, FIELD(sync_token_file), 0, 0, NULL},
    {"sync", "ca_file", K_FILE, FIELD(sync_ca_file), 0, 0, NULL},
    {"sync", "batch_max", K_INT, FIELD(sync_batch_max), 1, 500, "votes"},
    {"sync", "start_delay_max", K_INT, FIELD(sync_start_delay_max_s), 0, 3600, "seconds"},
    {"sync", "backoff_base_ms", K_INT, FIELD(sync_backoff_base_ms), 1, 600000, "milliseconds"},
    {"sync", "backoff_cap_ms", K_INT, FIELD(sync_backoff_cap_ms), 1, 3600000, "milliseconds"},
    {"sync", "request_timeout_ms", K_INT, FIELD(sync_request_timeout_ms), 100, 600000,
     "milliseconds"},
    {"sync", "heartbeat", K_INT, FIELD(sync_heartbeat_s), 0, 86400, "seconds"},
};
#define N_KEYS HL_ARRAY_LEN(keys)

static const char *const sections[] = {"kiosk", "display", "timing", "content", "sync"};

/* One parse. The cfg is a working copy so that a bad file leaves the caller's values alone. */
typedef struct {
    cfg c;
    const char *file;     /* as the caller named it, for messages */
    char dir[PATH_MAX];   /* the file's directory, absolute when it can be resolved */
    const char *buf;      /* whole file */
    size_t len, pos;      /* reader position */
    int line;             /* line the reader handed to inih last */
    int long_line;        /* a line that did not fit inih's buffer, 0 if none */
    int max_line;         /* inih's buffer size, for that message */
    int err_line;         /* line of the first key error, 0 if none */
    char err[HL_ERR_MAX]; /* that error, without "FILE:LINE: " */
    int seen[N_KEYS];     /* line where each key was set, to catch duplicates */
    int content_dir_set, assets_dir_set;
} parse_ctx;

const char *cfg_mode_name(cfg_mode m)
{
    return m == CFG_MODE_DESK ? "desk" : "lobby";
}

static const char *const renderer_names[] = {"auto", "software", "accelerated"};

const char *cfg_renderer_name(cfg_renderer r)
{
    return (size_t)r < HL_ARRAY_LEN(renderer_names) ? renderer_names[r] : "?";
}

/* The installed assets: ../share/hailong next to the running binary (/usr/bin ->
 * /usr/share/hailong; in a build tree, build/share/hailong is a symlink CMake makes to the source
 * assets). No path of the source tree is compiled in. */
static void default_assets_dir(char *out, size_t n)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) {
        util_strlcpy(out, "/usr/share/hailong", n);
        return;
    }
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    if (util_fmt(out, n, "%s/../share/hailong", exe) != 0)
        util_strlcpy(out, "/usr/share/hailong", n);
}

void cfg_defaults(cfg *c)
{
    memset(c, 0, sizeof *c);
    util_strlcpy(c->kiosk_id, "demo-01", sizeof c->kiosk_id);
    /* Lobby by default: desk mode rates one counter's officer, which only the site can name. */
    c->mode = CFG_MODE_LOBBY;
    util_strlcpy(c->data_dir, "data", sizeof c->data_dir);
    const char *env = getenv("HAILONG_ASSETS");
    if (env && *env)
        util_strlcpy(c->assets_dir, env, sizeof c->assets_dir);
    else
        default_assets_dir(c->assets_dir, sizeof c->assets_dir);
    if (util_fmt(c->content_dir, sizeof c->content_dir, "%s/content", c->assets_dir) != 0)
        c->content_dir[0] = '\0'; /* cannot happen for a real path; content_load then fails */
    c->fullscreen = 1;
    c->width = 1280;
    c->height = 800;
    c->idle_timeout_s = 90;
    c->screen_timeout_s = 45;
    c->reading_timeout_s = 120;
    c->thanks_s = 6;
    c->apology_s = 14;
    c->followup_timeout_s = 25;
    c->response_interval_s = 5;
    c->slogan_rotate_s = 10;
    c->attract_shift_s = 60;
    static const char *const def_slogans[] = {"nam-biet", "bon-luon", "ba-the-hien"};
    for (size_t i = 0; i < HL_ARRAY_LEN(def_slogans); i++)
        util_strlcpy(c->slogans[i], def_slogans[i], sizeof c->slogans[i]);
    c->n_slogans = (int)HL_ARRAY_LEN(def_slogans);
    c->sync_batch_max = 500;
    c->sync_start_delay_max_s = 30;
    c->sync_backoff_base_ms = 5000;
    c->sync_backoff_cap_ms = 300000;
    c->sync_request_timeout_ms = 120000;
    c->sync_heartbeat_s = 300;
}

/* ---- small checks ---- */

static int is_code_char(int ch)
{
    return isascii(ch) && (isalnum(ch) || ch == '-' || ch == '_');
}

static int is_code(const char *s, size_t maxlen)
{
    size_t n = strlen(s);
    if (n == 0 || n > maxlen)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_code_char((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Sets the handler error once; later errors are not reached because the reader stops. */
static int key_fail(parse_ctx *p, const char *section, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int key_fail(parse_ctx *p, const char *section, const char *name, const char *fmt, ...)
{
    char what[HL_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (*section)
        util_fmt(p->err, sizeof p->err, "[%s] %s: %s", section, name, what);
    else
        util_fmt(p->err, sizeof p->err, "%s: %s", name, what);
    p->err_line = p->line;
    return 0;
}

/* Joins a value from the file onto the file's directory unless it is absolute. */
static int resolve_path(const parse_ctx *p, const char *value, char *out, size_t cap)
{
    if (value[0] == '/')
        return util_strlcpy(out, value, cap);
    while (value[0] == '.' && value[1] == '/') {
        value += 2;
        while (*value == '/')
            value++;
    }
    if (strcmp(value, ".") == 0 || *value == '\0')
        return util_strlcpy(out, p->dir, cap);
    return util_fmt(out, cap, "%s/%s", p->dir, value);
}

static int parse_bool(const char *v, int *out)
{
    static const char *const yes[] = {"true", "yes", "1", "on"};
    static const char *const no[] = {"false", "no", "0", "off"};
    for (size_t i = 0; i < HL_ARRAY_LEN(yes); i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

static int parse_slogans(parse_ctx *p, const key_def *k, const char *value)
{
    char list[CFG_MAX_SLOGANS][32];
    int n = 0;
    const char *s = value;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        char id[HL_ERR_MAX], q[64];
        if (len >= sizeof id)
            len = sizeof id - 1;
        memcpy(id, s, len);
        id[len] = '\0';
        if (len == 0) {
            if (!end && n == 0)
                return key_fail(p, k->section, k->name,
                                "no slogan ids; list at least one, e.g. slogans = nam-biet, "
                                "bon-luon, ba-the-hien");
            return key_fail(p, k->section, k->name,
                            "empty item in the list; separate slogan ids with single commas");
        }
        jv_shorten(q, sizeof q, id);
        if (!is_code(id, sizeof list[0] - 1))
            return key_fail(p, k->section, k->name,
                            "\"%s\" is not a slogan id; ids are 1 to 31 letters, digits, '-' "
                            "or '_', as in slogans.json",
                            q);
        for (int i = 0; i < n; i++)
            if (strcmp(list[i], id) == 0)
                return key_fail(p, k->section, k->name, "\"%s\" is listed twice; list it once", q);
        if (n == CFG_MAX_SLOGANS)
            return key_fail(p, k->section, k->name, "more than %d slogan ids; list at most %d",
                            CFG_MAX_SLOGANS, CFG_MAX_SLOGANS);
        util_strlcpy(list[n++], id, sizeof list[0]);
        if (!end)
            break;
        s = end + 1;
    }
    memcpy(p->c.slogans, list, sizeof list);
    p->c.n_slogans = n;
    return 1;
}

static void list_keys(char *dst, size_t cap, const char *section)
{
    dst[0] = '\0';
    for (size_t i = 0; i < N_KEYS; i++) {
        if (strcmp(keys[i].section, section) != 0)
            continue;
        size_t used = strlen(dst);
        if (util_fmt(dst + used, cap - used, "%s%s", used ? ", " : "", keys[i].name) != 0)
            return;
    }
}

static const key_def *find_key_any_section(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcasecmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static int token_ok(const char *t);
static int parse_url(parse_ctx *p, const key_def *k, const char *value, char *field);

static int handler(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx *p = user;
    char q[64];

    if (!*section) {
        const key_def *k = find_key_any_section(name);
        if (k)
            return key_fail(p, section, name, "key outside any section; put it under [%s]",
                            k->section);
        return key_fail(p, section, name,
                        "key outside any section; sections are [kiosk], [display], [timing], "
                        "[content] and [sync]");
    }
    const char *canon_section = NULL;
    for (size_t i = 0; i < HL_ARRAY_LEN(sections); i++)
        if (strcasecmp(section, sections[i]) == 0)
            canon_section = sections[i];
    if (!canon_section)
        return key_fail(p, section, name,
                        "unknown section; sections are [kiosk], [display], [timing], [content] "
                        "and [sync]");

    size_t ki = 0;
    while (ki < N_KEYS &&
           !(strcasecmp(keys[ki].section, section) == 0 && strcasecmp(keys[ki].name, name) == 0))
        ki++;
    if (ki == N_KEYS) {
        const key_def *other = find_key_any_section(name);
        if (other)
            return key_fail(p, canon_section, name, "not a key of [%s]; it belongs under [%s]",
                            canon_section, other->section);
        char names[256];
        list_keys(names, sizeof names, canon_section);
        return key_fail(p, canon_section, name, "unknown key; keys in [%s] are %s", canon_section,
                        names);
    }
    const key_def *k = &keys[ki];
    section = k->section; /* canonical spelling in messages */
    name = k->name;
    if (p->seen[ki])
        return key_fail(p, section, name, "set twice (also on line %d); keep one", p->seen[ki]);
    p->seen[ki] = p->line;

    size_t bad;
    if (!util_utf8_is_nfc(value, &bad)) {
        utf8proc_int32_t cp;
        if (utf8proc_iterate((const utf8proc_uint8_t *)value + bad, -1, &cp) < 0)
            return key_fail(p, section, name,
                            "not valid UTF-8 (bad byte at offset %zu); save the file as UTF-8",
                            bad);
        return key_fail(p, section, name,
                        "is not NFC Unicode; save the file as UTF-8 NFC (composed accents)");
    }
    jv_shorten(q, sizeof q, value);

    char *field = (char *)&p->c + k->off;
    switch (k->kind) {
    case K_ID:
        if (!is_code(value, k->size - 1))
            return key_fail(p, section, name,
                            "\"%s\" is not a kiosk id; use 1 to %zu letters, digits, '-' or "
                            "'_', e.g. bom-bo-01",
                            q, k->size - 1);
        util_strlcpy(field, value, k->size);
        break;
    case K_MODE:
        if (strcasecmp(value, "desk") == 0)
            p->c.mode = CFG_MODE_DESK;
        else if (strcasecmp(value, "lobby") == 0)
            p->c.mode = CFG_MODE_LOBBY;
        else
            return key_fail(p, section, name, "\"%s\" is not a mode; use desk or lobby", q);
        break;
    case K_RENDERER: {
        size_t i = 0;
        while (i < HL_ARRAY_LEN(renderer_names) && strcasecmp(value, renderer_names[i]) != 0)
            i++;
        if (i == HL_ARRAY_LEN(renderer_names))
            return key_fail(p, section, name,
                            "\"%s\" is not a renderer; use auto (the default), software or "
                            "accelerated",
                            q);
        p->c.renderer = (cfg_renderer)i;
        break;
    }
    case K_COUNTER:
        if (util_strlcpy(field, value, k->size) != 0)
            return key_fail(p, section, name,
                            "\"%s\" is too long; at most %zu bytes, as in officers.json", q,
                            k->size - 1);
        break;
    case K_CODE:
        if (*value && !is_code(value, k->size - 1))
            return key_fail(p, section, name,
                            "\"%s\" is not an officer code; codes are 1 to %zu letters, "
                            "digits, '-' or '_', as in officers.json (or leave it empty)",
                            q, k->size - 1);
        util_strlcpy(field, value, k->size);
        break;
    case K_PATH:
        if (!*value)
            return key_fail(p, section, name,
                            "empty; give a directory, or remove the line for the default");
        if (resolve_path(p, value, field, k->size) != 0)
            return key_fail(p, section, name, "path too long (at most %zu bytes)", k->size - 1);
        if (k->off == offsetof(cfg, content_dir))
            p->content_dir_set = 1;
        if (k->off == offsetof(cfg, assets_dir))
            p->assets_dir_set = 1;
        break;
    case K_BOOL:
        if (parse_bool(value, (int *)(void *)field) != 0)
            return key_fail(p, section, name,
                            "\"%s\" is not true or false; use true/false, yes/no, on/off or 1/0",
                            q);
        break;
    case K_INT: {
        long v;
        if (util_parse_int(value, LONG_MIN, LONG_MAX, &v) != 0)
            return key_fail(p, section, name,
                            "\"%s\" is not a whole number; give %s from %ld to %ld", q, k->unit,
                            k->min, k->max);
        if (v < k->min || v > k->max)
            return key_fail(p, section, name, "%ld is out of range; use %ld to %ld %s", v, k->min,
                            k->max, k->unit);
        *(int *)(void *)field = (int)v;
        break;
    }
    case K_SLOGANS:
        return parse_slogans(p, k, value);
    case K_URL:
        return parse_url(p, k, value, field);
    case K_TOKEN:
        if (*value && !token_ok(value))
            return key_fail(p, section, name,
                            "not a token: use the token hailong-collector issued, on one line "
                            "without spaces (or leave it empty and set token_file)");
        if (util_strlcpy(field, value, k->size) != 0)
            return key_fail(p, section, name, "too long (at most %zu bytes)", k->size - 1);
        break;
    case K_FILE:
        if (!*value)
            return key_fail(p, section, name,
                            "empty; give a file, or remove the line for the default");
        if (resolve_path(p, value, field, k->size) != 0)
            return key_fail(p, section, name, "path too long (at most %zu bytes)", k->size - 1);
        break;
    }
    return 1;
}

/* What a bearer token may contain (RFC 6750 b64token, a little more lenient): printable ASCII
 * without spaces, so it can go into an HTTP header as it is. */
static int token_ok(const char *t)
{
    if (!*t)
        return 0;
    for (; *t; t++)
        if (*t <= ' ' || *t > '~')
            return 0;
    return 1;
}

/* The collector's base URL: http(s)://host[:port][/path], no query, fragment, spaces or
 * credentials (the token goes in a header, never in the URL). Empty turns sync off. */
static int parse_url(parse_ctx *p, const key_def *k, const char *value, char *field)
{
    char q[64];
    jv_shorten(q, sizeof q, value);
    if (!*value) {
        field[0] = '\0';
        return 1;
    }
    size_t scheme = strncmp(value, "https://", 8) == 0  ? 8
                    : strncmp(value, "http://", 7) == 0 ? 7
                                                        : 0;
    if (!scheme)
        return key_fail(p, k->section, k->name,
                        "\"%s\" is not a collector address; write it as "
                        "https://collector.example.vn (or leave it empty to turn sync off)",
                        q);
    const char *host = value + scheme;
    size_t hostlen = strcspn(host, "/");
    if (hostlen == 0 || host[0] == ':')
        return key_fail(p, k->section, k->name, "\"%s\" has no host name after %.*s", q,
                        (int)scheme, value);
    for (const char *c = value; *c; c++)
        if (*c <= ' ' || *c > '~' || *c == '?' || *c == '#' || (*c == '@' && c < host + hostlen))
            return key_fail(p, k->section, k->name,
                            "\"%s\": give only the address, e.g. https://collector.example.vn, "
                            "without spaces, ?query, #fragment or user@",
                            q);
    if (util_strlcpy(field, value, k->size) != 0)
        return key_fail(p, k->section, k->name, "too long (at most %zu bytes)", k->size - 1);
    return 1;
}

/* fgets-like reader over the file in memory. It counts lines, so the handler knows its line
 * (inih only reports the line of the first failure), stops after the first key error, refuses
 * lines longer than inih's buffer (which would otherwise be cut and the rest parsed as a new
 * line), and drops leading blanks so that an indented key is not taken as a continuation of the
 * previous value. */
static char *reader(char *str, int num, void *stream)
{
    parse_ctx *p = stream;
    if (p->err_line || p->long_line || p->pos >= p->len)
        return NULL;
    const char *start = p->buf + p->pos;
    const char *nl = memchr(start, '\n', p->len - p->pos);
    size_t n = nl ? (size_t)(nl - start) + 1 : p->len - p->pos;
    p->pos += n;
    p->line++;
    while (n > 1 && (*start == ' ' || *start == '\t')) {
        start++;
        n--;
    }
    if (num < 2 || n > (size_t)num - 1) {
        p->long_line = p->line;
        p->max_line = num;
        return NULL;
    }
    memcpy(str, start, n);
    str[n] = '\0';
    return str;
}

/* Text of line `line` (1-based), without its newline, shortened for a message. */
static void line_text(const parse_ctx *p, int line, char *dst, size_t cap)
{
    const char *s = p->buf, *end = p->buf + p->len;
    for (int i = 1; i < line && s < end; i++) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        s = nl ? nl + 1 : end;
    }
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
    while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char tmp[HL_ERR_MAX];
    if (n >= sizeof tmp)
        n = sizeof tmp - 1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    jv_shorten(dst, cap, tmp);
}

static void file_dir(const char *path, char *out, size_t cap)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        util_strlcpy(dir, ".", sizeof dir);
    else if (slash == path)
        util_strlcpy(dir, "/", sizeof dir);
    else {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof dir)
            n = sizeof dir - 1;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    /* Absolute, so paths stay right if the kiosk later changes directory. */
    char real[PATH_MAX];
    if (realpath(dir, real))
        util_strlcpy(out, strcmp(real, "/") == 0 ? "" : real, cap);
    else
        util_strlcpy(out, dir, cap);
}

static int seen_line(const parse_ctx *p, size_t off)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (keys[i].off == off)
            return p->seen[i];
    return 0;
}

/* Checks between [sync] keys, once the whole file is read. */
static int sync_keys_check(const parse_ctx *p, char *err, size_t errlen)
{
    int token_line = seen_line(p, offsetof(cfg, sync_token));
    int file_line = seen_line(p, offsetof(cfg, sync_token_file));
    if (p->c.sync_token[0] && p->c.sync_token_file[0]) {
        util_fmt(err, errlen,
                 "%s:%d: [sync] %s: token and token_file are both set (lines %d and %d); keep "
                 "token_file",
                 p->file, token_line > file_line ? token_line : file_line,
                 token_line > file_line ? "token" : "token_file", token_line, file_line);
        return -1;
    }
    if (p->c.sync_url[0] && !p->c.sync_token[0] && !p->c.sync_token_file[0]) {
        util_fmt(err, errlen,
                 "%s:%d: [sync] url: the collector needs this kiosk's token; set token_file = "
                 "the file holding it (or leave url empty to turn sync off)",
                 p->file, seen_line(p, offsetof(cfg, sync_url)));
        return -1;
    }
    return 0;
}

int cfg_sync_token(const cfg *c, char *out, size_t cap, char *err, size_t errlen)
{
    const char *src = c->source[0] ? c->source : "(defaults)";
    out[0] = '\0';
    if (c->sync_ca_file[0] && access(c->sync_ca_file, R_OK) != 0) {
        util_fmt(err, errlen, "%s: [sync] ca_file: %s: cannot read: %s", src, c->sync_ca_file,
                 strerror(errno));
        return HL_EXIT_USAGE;
    }
    struct stat st;
    if (c->sync_ca_file[0] && stat(c->sync_ca_file, &st) == 0 &&
        (!S_ISREG(st.st_mode) || (uintmax_t)st.st_size > CFG_CA_FILE_MAX)) {
        char why[96];
        if (S_ISREG(st.st_mode))
            util_read_why(EFBIG, CFG_CA_FILE_MAX, why, sizeof why);
        else
            util_strlcpy(why, "not a regular file; name the PEM file of the CA", sizeof why);
        util_fmt(err, errlen, "%s: [sync] ca_file: %s: %s", src, c->sync_ca_file, why);
        return HL_EXIT_USAGE;
    }
    if (!c->sync_token_file[0]) {
        if (!c->sync_token[0]) {
            util_fmt(err, errlen, "%s: [sync] token_file: not set; the collector needs it", src);
            return HL_EXIT_USAGE;
        }
        return util_strlcpy(out, c->sync_token, cap) == 0 ? 0 : HL_EXIT_USAGE;
    }
    size_t len;
    char *text = util_read_file_max(c->sync_token_file, CFG_TOKEN_FILE_MAX, &len);
    if (!text) {
        char why[96];
        util_read_why(errno, CFG_TOKEN_FILE_MAX, why, sizeof why);
        util_fmt(err, errlen, "%s: [sync] token_file: %s: cannot read: %s", src, c->sync_token_file,
                 why);
        return HL_EXIT_USAGE;
    }
    int has_nul = memchr(text, '\0', len) != NULL;
    /* One line; surrounding blanks and the final newline an editor adds do not count. */
    char *t = text;
    while (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n')
        t++;
    size_t n = strlen(t);
    while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\r' || t[n - 1] == '\n'))
        t[--n] = '\0';
    int rc = 0;
    if (n == 0 || has_nul || !token_ok(t)) {
        util_fmt(err, errlen,
                 "%s: [sync] token_file: %s: must hold the token on one line, without spaces", src,
                 c->sync_token_file);
        rc = HL_EXIT_USAGE;
    } else if (util_strlcpy(out, t, cap) != 0) {
        util_fmt(err, errlen, "%s: [sync] token_file: %s: token longer than %zu bytes", src,
                 c->sync_token_file, cap - 1);
        rc = HL_EXIT_USAGE;
    }
    /* The token is a secret: do not leave it in freed memory. */
    memset(text, 0, len);
    free(text);
    return rc;
}

int cfg_load(cfg *c, const char *path, char *err, size_t errlen)
{
    size_t len;
    char *buf = util_read_file_max(path, CFG_FILE_MAX, &len);
    if (!buf) {
        char why[96];
        util_read_why(errno, CFG_FILE_MAX, why, sizeof why);
        util_fmt(err, errlen, "%s: cannot open: %s", path, why);
        return HL_EXIT_USAGE;
    }
    int status = cfg_parse(c, path, buf, len, err, errlen);
    free(buf);
    return status;
}

int cfg_parse(cfg *c, const char *path, const char *buf, size_t len, char *err, size_t errlen)
{
    const char *nul = memchr(buf, '\0', len);
    if (nul) {
        int line = 1;
        for (const char *s = buf; s < nul; s++)
            line += *s == '\n';
        util_fmt(err, errlen,
                 "%s:%d: contains a NUL byte; save the file as plain UTF-8 text (not UTF-16)", path,
                 line);
        return HL_EXIT_USAGE;
    }

    parse_ctx *p = xcalloc(1, sizeof *p);
    p->c = *c;
    p->file = path;
    p->buf = buf;
    p->len = len;
    file_dir(path, p->dir, sizeof p->dir);

    int rc = ini_parse_stream(reader, p, handler, p);
    int status = HL_EXIT_USAGE;
    char text[64];
    if (rc > 0 && (!p->err_line || rc < p->err_line)) {
        /* inih's own complaint: a line that is neither a section, a key nor a comment. */
        line_text(p, rc, text, sizeof text);
        if (text[0] == '[')
            util_fmt(err, errlen,
                     "%s:%d: \"%s\": a section header needs a closing ']', e.g. [kiosk]", path, rc,
                     text);
        else
            util_fmt(err, errlen,
                     "%s:%d: \"%s\": expected key = value, [section] or a "
                     "comment starting with ; or #",
                     path, rc, text);
    } else if (p->err_line) {
        util_fmt(err, errlen, "%s:%d: %s", path, p->err_line, p->err);
    } else if (p->long_line) {
        util_fmt(err, errlen, "%s:%d: line too long; keep each line to at most %d bytes", path,
                 p->long_line, p->max_line - 2);
    } else if (rc < 0) {
        util_fmt(err, errlen, "%s: cannot parse (inih error %d)", path, rc);
    } else {
        if (p->assets_dir_set && !p->content_dir_set &&
            util_fmt(p->c.content_dir, sizeof p->c.content_dir, "%s/content", p->c.assets_dir) !=
                0) {
            util_fmt(err, errlen, "%s: [kiosk] assets_dir: path too long for content_dir", path);
        } else if (sync_keys_check(p, err, errlen) == 0) {
            util_strlcpy(p->c.source, path, sizeof p->c.source);
            *c = p->c;
            status = 0;
        }
    }
    free(p);
    return status;
}
