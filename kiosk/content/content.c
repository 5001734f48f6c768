/* content: loads the commune's JSON files (cJSON) and validates them whole, so a typo made by IT
 * staff stops the kiosk at start with "FILE: field: what; fix" instead of a half-drawn screen. */
#include "content.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <utf8proc.h>

#include "jsonv.h"
#include "log.h"
#include "rating.h"
#include "util.h"

#define CONTENT_FILE_MAX (4u * 1024 * 1024)

static int is_code(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CONTENT_CODE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!(isascii(ch) && (isalnum(ch) || ch == '-' || ch == '_')))
            return 0;
    }
    return 1;
}

enum {
    F_REQUIRED = JV_REQUIRED,   /* must be present and not blank */
    F_MULTILINE = JV_MULTILINE, /* may contain \n */
    F_CODE = 0x100              /* [A-Za-z0-9_-]{1,31} */
};

/* jv_get_str, plus the code rule this file's codes and ids follow. */
static int get_str(jv_ctx *x, const cJSON *obj, const char *where, const char *key, int flags,
                   const char *hint, char **out)
{
    int rc = jv_get_str(x, obj, where, key, flags & ~F_CODE, hint, out);
    if (rc || !(flags & F_CODE) || is_code(*out))
        return rc;
    char path[JV_PATH_MAX], q[64];
    jv_path(path, sizeof path, where, key);
    jv_shorten(q, sizeof q, *out);
    free(*out);
    *out = NULL;
    return jv_fail(x,
                   "%s: \"%s\" is not a valid code; use 1 to %d letters A-Z a-z, digits, "
                   "'-' or '_' (no spaces or accents), e.g. \"tp-hung\"",
                   path, q, CONTENT_CODE_MAX);
}

/* Reads and parses dir/name, or mem in its place when content_parse gave the text; checks it is
 * an object with "format": 1. */
static int load_json(jv_ctx *x, const char *dir, const char *name, const content_text *mem,
                     cJSON **root)
{
    *root = NULL;
    util_fmt(x->file, sizeof x->file, "%s/%s", dir, name);
    if (mem)
        return jv_parse(x, mem->text, mem->len, CONTENT_FORMAT, root);
    size_t len;
    /* A commune's officers with their duties are a few hundred KiB; 4 MiB is far more than any,
     * and a file pointed at /dev/zero stops here, not at 2 GiB. */
    char *buf = util_read_file_max(x->file, CONTENT_FILE_MAX, &len);
    if (!buf) {
        char why[96];
        util_read_why(errno, CONTENT_FILE_MAX, why, sizeof why);
        return jv_fail(x, "cannot open: %s", why);
    }
    int rc = jv_parse(x, buf, len, CONTENT_FORMAT, root);
    free(buf);
    return rc;
}

/* root[key] must be a list of objects of n within [min, max]. */
static int get_list(jv_ctx *x, const cJSON *root, const char *key, size_t min, size_t max,
                    const char *what, const cJSON **out, size_t *n_out)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!a)
        return jv_fail(x, "%s: missing; add \"%s\": [ ... ] with the %s", key, key, what);
    if (!cJSON_IsArray(a))
        return jv_fail(x, "%s: is %s; it must be a list [ ... ] of %s", key, jv_type_name(a), what);
    size_t n = (size_t)cJSON_GetArraySize(a);
    if (n < min)
        return jv_fail(x, "%s: empty; list at least one of the %s", key, what);
    if (n > max)
        return jv_fail(x, "%s: %zu entries; at most %zu fit on the screen", key, n, max);
    size_t i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++)
        if (!cJSON_IsObject(e))
            return jv_fail(x, "%s[%zu]: is %s; each entry must be an object { ... }", key, i,
                           jv_type_name(e));
    *out = a;
    *n_out = n;
    return 0;
}

/* "contact_retention_months": optional, a whole number of months the consent screen promises
 * (the collector's --contact-retention-days must keep that promise). */
static int get_contact_months(jv_ctx *x, const cJSON *root, int *out)
{
    *out = CONTENT_CONTACT_MONTHS;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "contact_retention_months");
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v))
        return jv_fail(x,
                       "contact_retention_months: is %s; write a whole number of months from 1 to "
                       "60, e.g. 12, or leave it out (12)",
                       jv_type_name(v));
    double d = cJSON_GetNumberValue(v);
    if (!(d >= 1 && d <= 60) || d != (double)(int)d) /* range first: a huge d has no int */
        return jv_fail(x,
                       "contact_retention_months: %g is not a whole number of months from 1 to 60; "
                       "write e.g. 12 (the consent screen tells citizens this many months)",
                       d);
    *out = (int)d;
    return 0;
}

static int load_commune(jv_ctx *x, const char *dir, const content_text *mem, content *c)
{
    cJSON *root;
    int rc = load_json(x, dir, "commune.json", mem, &root);
    static const char *const top[] = {"format",
                                      "commune_name",
                                      "desk_name",
                                      "address",
                                      "hotline",
                                      "feedback",
                                      "messages",
                                      "sample",
                                      "headline",
                                      "reception",
                                      "contact_retention_months",
                                      NULL};
    static const char *const msg_keys[] = {
        "rate_prompt",   "pick_prompt",  "reasons_prompt", "thanks_title", "thanks_text",
        "apology_title", "apology_text", "error_title",    "error_text",   NULL};
    if (!rc)
        rc = jv_check_keys(x, root, "", top);
    if (!rc)
        rc = get_str(x, root, "", "commune_name", F_REQUIRED,
                     "the commune's name, shown on every screen, e.g. \"UBND xã Bom Bo\"",
                     &c->commune_name);
    if (!rc)
        rc = get_str(x, root, "", "desk_name", F_REQUIRED,
                     "the desk's name, e.g. \"Bộ phận Một cửa\"", &c->desk_name);
    if (!rc)
        rc = get_str(x, root, "", "address", 0, "the commune office's address", &c->address);
    if (!rc)
        rc = get_str(x, root, "", "hotline", 0, "a public phone number", &c->hotline);
    if (!rc)
        rc = get_str(x, root, "", "headline", 0,
                     "the motto over the full-screen slogans, e.g. \"Chính quyền thân thiện, vì "
                     "Nhân dân phục vụ\", or leave it out",
                     &c->headline);
    if (!rc)
        rc = get_str(x, root, "", "feedback", F_MULTILINE,
                     "where citizens send feedback and complaints", &c->feedback);
    if (!rc)
        rc = get_str(x, root, "", "reception", F_MULTILINE,
                     "when and where the Chairman receives citizens, e.g. \"Chủ tịch UBND xã tiếp "
                     "công dân sáng thứ Năm hằng tuần tại Trụ sở UBND xã\", or leave it out",
                     &c->reception);
    if (!rc)
        rc = get_contact_months(x, root, &c->contact_months);
    const cJSON *sample = rc ? NULL : cJSON_GetObjectItemCaseSensitive(root, "sample");
    if (sample && !cJSON_IsBool(sample))
        rc = jv_fail(x,
                     "sample: is %s; write true while the content is the bundled sample (the "
                     "screens then say \"Dữ liệu mẫu\"), or remove the line",
                     jv_type_name(sample));
    c->sample = cJSON_IsTrue(sample);
    const cJSON *m = NULL;
    if (!rc) {
        m = cJSON_GetObjectItemCaseSensitive(root, "messages");
        if (!m)
            rc = jv_fail(x, "messages: missing; add \"messages\": { ... } with the sentences the "
                            "kiosk shows");
        else if (!cJSON_IsObject(m))
            rc = jv_fail(x, "messages: is %s; it must be an object { ... }", jv_type_name(m));
    }
    if (!rc)
        rc = jv_check_keys(x, m, "messages", msg_keys);
    char **msg_out[] = {&c->msg.rate_prompt,  &c->msg.pick_prompt, &c->msg.reasons_prompt,
                        &c->msg.thanks_title, &c->msg.thanks_text, &c->msg.apology_title,
                        &c->msg.apology_text, &c->msg.error_title, &c->msg.error_text};
    for (size_t i = 0; !rc && i < HL_ARRAY_LEN(msg_out); i++)
        rc = get_str(x, m, "messages", msg_keys[i], F_REQUIRED | F_MULTILINE,
                     "the kiosk shows this sentence; write it in Vietnamese", msg_out[i]);
    cJSON_Delete(root);
    return rc;
}

/* A list file: {"format": 1, "<key>": [ {...}, ... ]}. Each entry is an object with keys among
 * fields, read by read_item into an item of size bytes, whose string at unique_off (the key named
 * unique) no earlier entry may have. */
typedef struct {
    const char *file, *key; /* "slogans.json", "slogans" */
    size_t min, max;
    const char *const *fields;
    size_t size;
    const char *unique; /* "id" or "code" */
    size_t unique_off;  /* offsetof that char * in the item */
    int (*read_item)(jv_ctx *x, const char *dir, const cJSON *e, const char *where, void *item);
} list_spec;

static const char *unique_of(const list_spec *spec, const void *items, size_t i)
{
    return *(char *const *)((const char *)items + i * spec->size + spec->unique_off);
}

/* Reads spec's file into a new array. *items and *n are set as soon as it is allocated, so that
 * content_free releases what a failure leaves half read. */
static int load_list(jv_ctx *x, const char *dir, const content_text *mem, const list_spec *spec,
                     void **items, size_t *n)
{
    cJSON *root;
    const cJSON *list = NULL;
    const char *const top[] = {"format", spec->key, NULL};
    size_t len = 0;
    int rc = load_json(x, dir, spec->file, mem, &root);
    if (!rc)
        rc = jv_check_keys(x, root, "", top);
    if (!rc)
        rc = get_list(x, root, spec->key, spec->min, spec->max, spec->key, &list, &len);
    if (!rc && len) {
        *items = xcalloc(len, spec->size);
        *n = len;
    }
    size_t i = 0;
    for (const cJSON *e = list ? list->child : NULL; !rc && e; e = e->next, i++) {
        char where[32];
        util_fmt(where, sizeof where, "%s[%zu]", spec->key, i);
        rc = jv_check_keys(x, e, where, spec->fields);
        if (!rc)
            rc = spec->read_item(x, dir, e, where, (char *)*items + i * spec->size);
        for (size_t k = 0; !rc && k < i; k++)
            if (strcmp(unique_of(spec, *items, k), unique_of(spec, *items, i)) == 0)
                rc = jv_fail(x, "%s.%s: \"%s\" is already used by %s[%zu]; %ss must be unique",
                             where, spec->unique, unique_of(spec, *items, i), spec->key, k,
                             spec->unique);
    }
    cJSON_Delete(root);
    return rc;
}

static int read_slogan(jv_ctx *x, const char *dir, const cJSON *e, const char *where, void *item)
{
    content_slogan *s = item;
    (void)dir;
    int rc = get_str(x, e, where, "id", F_REQUIRED | F_CODE,
                     "every slogan needs an id, e.g. \"nam-biet\"", &s->id);
    if (!rc)
        rc = get_str(x, e, where, "title", F_REQUIRED,
                     "every slogan needs a title, e.g. \"Năm biết\"", &s->title);
    if (!rc)
        rc = get_str(x, e, where, "text", F_REQUIRED | F_MULTILINE, "every slogan needs its text",
                     &s->text);
    if (!rc)
        rc = get_str(x, e, where, "short", F_MULTILINE,
                     "a shorter form for the full-screen slogans, or leave it out", &s->short_text);
    return rc;
}

static int load_slogans(jv_ctx *x, const char *dir, const content_text *mem, content *c)
{
    static const char *const fields[] = {"id", "title", "text", "short", NULL};
    static const list_spec spec = {"slogans.json",
                                   "slogans",
                                   1,
                                   1000,
                                   fields,
                                   sizeof(content_slogan),
                                   "id",
                                   offsetof(content_slogan, id),
                                   read_slogan};
    void *items = NULL;
    int rc = load_list(x, dir, mem, &spec, &items, &c->n_slogans);
    c->slogans = items;
    return rc;
}

/* The photo is optional: a missing file is logged and drawn as a placeholder, because a kiosk
 * that refuses to start over one photo helps nobody. */
static int officer_photo(jv_ctx *x, const char *dir, const char *where, const char *rel, char **out)
{
    *out = NULL;
    if (!*rel)
        return 0;
    char abs[PATH_MAX];
    if ((rel[0] == '/' ? util_strlcpy(abs, rel, sizeof abs)
                       : util_fmt(abs, sizeof abs, "%s/%s", dir, rel)) != 0)
        return jv_fail(x, "%s.photo: path too long", where);
    if (!util_file_exists(abs)) {
        log_warn("%s: %s.photo: %s not found; a placeholder is shown", x->file, where, abs);
        return 0;
    }
    *out = xstrdup(abs);
    return 0;
}

static int read_officer(jv_ctx *x, const char *dir, const cJSON *e, const char *where, void *item)
{
    content_officer *o = item;
    char *photo = NULL;
    int rc = get_str(x, e, where, "code", F_REQUIRED | F_CODE,
                     "every officer needs a unique code, e.g. \"tp-hung\"", &o->code);
    if (!rc && o->code[0] == '_') /* RATING_DESK_CODE and the like are the kiosk's own */
        rc = jv_fail(x,
                     "%s.code: \"%s\" starts with '_', which the kiosk keeps for itself (\"%s\" "
                     "is a vote for the whole desk); start the code with a letter or digit",
                     where, o->code, RATING_DESK_CODE);
    if (!rc)
        rc = get_str(x, e, where, "name", F_REQUIRED, "every officer needs a name", &o->name);
    if (!rc)
        rc =
            get_str(x, e, where, "title", F_REQUIRED,
                    "every officer needs a title, e.g. \"Công chức Tư pháp - Hộ tịch\"", &o->title);
    if (!rc)
        rc = get_str(x, e, where, "counter", 0, "the counter the officer sits at, e.g. \"1\"",
                     &o->counter);
    if (!rc && strlen(o->counter) > CONTENT_CODE_MAX)
        rc = jv_fail(x, "%s.counter: too long; at most %d bytes, e.g. \"1\" or \"Quầy 1\"", where,
                     CONTENT_CODE_MAX);
    if (!rc)
        rc = get_str(x, e, where, "phone", 0, "a public phone number, e.g. \"0271 3xxx xxx\"",
                     &o->phone);
    if (!rc)
        rc = get_str(x, e, where, "duties", F_MULTILINE,
                     "what the officer handles, for the officer directory", &o->duties);
    if (!rc)
        rc = get_str(x, e, where, "photo", 0,
                     "a picture file relative to the content folder, e.g. "
                     "\"photos/tp-hung.png\"",
                     &photo);
    if (!rc)
        rc = officer_photo(x, dir, where, photo, &o->photo);
    free(photo);
    return rc;
}

static int load_officers(jv_ctx *x, const char *dir, const content_text *mem, content *c)
{
    static const char *const fields[] = {"code",  "name",  "title",  "counter",
                                         "phone", "photo", "duties", NULL};
    static const list_spec spec = {"officers.json",
                                   "officers",
                                   1,
                                   100000,
                                   fields,
                                   sizeof(content_officer),
                                   "code",
                                   offsetof(content_officer, code),
                                   read_officer};
    void *items = NULL;
    int rc = load_list(x, dir, mem, &spec, &items, &c->n_officers);
    c->officers = items;
    return rc;
}

static int read_reason(jv_ctx *x, const char *dir, const cJSON *e, const char *where, void *item)
{
    content_reason *r = item;
    (void)dir;
    int rc = get_str(x, e, where, "code", F_REQUIRED | F_CODE,
                     "every reason needs a code, e.g. \"cham-tre\"", &r->code);
    if (!rc)
        rc = get_str(x, e, where, "label", F_REQUIRED,
                     "every reason needs the label shown on its button", &r->label);
    return rc;
}

static int load_reasons(jv_ctx *x, const char *dir, const content_text *mem, content *c)
{
    static const char *const fields[] = {"code", "label", NULL};
    static const list_spec spec = {"reasons.json",
                                   "reasons",
                                   0,
                                   CONTENT_MAX_REASONS,
                                   fields,
                                   sizeof(content_reason),
                                   "code",
                                   offsetof(content_reason, code),
                                   read_reason};
    void *items = NULL;
    int rc = load_list(x, dir, mem, &spec, &items, &c->n_reasons);
    c->reasons = items;
    return rc;
}

/* The files of dir in order, each read from disk or, with files, taken from files[i]. */
static int load_all(content **out, const char *dir, const content_text *files, char *err,
                    size_t errlen)
{
    jv_ctx x = {.err = err, .errlen = errlen};
    content *c = xcalloc(1, sizeof *c);
    int rc = load_commune(&x, dir, files ? &files[CONTENT_COMMUNE] : NULL, c);
    if (!rc)
        rc = load_slogans(&x, dir, files ? &files[CONTENT_SLOGANS] : NULL, c);
    if (!rc)
        rc = load_officers(&x, dir, files ? &files[CONTENT_OFFICERS] : NULL, c);
    if (!rc)
        rc = load_reasons(&x, dir, files ? &files[CONTENT_REASONS] : NULL, c);
    if (rc) {
        content_free(c);
        return rc;
    }
    c->desk = (content_officer){.code = xstrdup(RATING_DESK_CODE),
                                .name = xstrdup(RATING_DESK_LABEL),
                                .counter = xstrdup(""),
                                .phone = xstrdup(""),
                                .duties = xstrdup("")};
    char title[512];
    util_fmt(title, sizeof title, "Đánh giá chung cho cả %s", c->desk_name);
    c->desk.title = xstrdup(title);
    *out = c;
    return 0;
}

int content_load(content **out, const char *dir, char *err, size_t errlen)
{
    *out = NULL;
    /* Photos are stored as absolute paths, so the directory is resolved once here. */
    char abs[PATH_MAX];
    if (!realpath(dir, abs)) {
        util_fmt(err, errlen,
                 "%s: cannot open the content folder: %s; check content_dir, or set "
                 "HAILONG_ASSETS to the assets folder, or reinstall hailong-kiosk",
                 dir, strerror(errno));
        return HL_EXIT_USAGE;
    }
    return load_all(out, abs, NULL, err, errlen);
}

int content_parse(content **out, const char *dir, const content_text files[CONTENT_N_FILES],
                  char *err, size_t errlen)
{
    *out = NULL;
    return load_all(out, dir, files, err, errlen);
}

void content_free(content *c)
{
    if (!c)
        return;
    free(c->commune_name);
    free(c->desk_name);
    free(c->address);
    free(c->hotline);
    free(c->reception);
    free(c->feedback);
    free(c->headline);
    char *msgs[] = {c->msg.rate_prompt,  c->msg.pick_prompt, c->msg.reasons_prompt,
                    c->msg.thanks_title, c->msg.thanks_text, c->msg.apology_title,
                    c->msg.apology_text, c->msg.error_title, c->msg.error_text};
    for (size_t i = 0; i < HL_ARRAY_LEN(msgs); i++)
        free(msgs[i]);
    for (size_t i = 0; i <= c->n_officers; i++) { /* the last round frees the desk's entry */
        content_officer *o = i < c->n_officers ? &c->officers[i] : &c->desk;
        free(o->code);
        free(o->name);
        free(o->title);
        free(o->counter);
        free(o->phone);
        free(o->duties);
        free(o->photo);
    }
    free(c->officers);
    for (size_t i = 0; i < c->n_slogans; i++) {
        free(c->slogans[i].id);
        free(c->slogans[i].title);
        free(c->slogans[i].text);
        free(c->slogans[i].short_text);
    }
    free(c->slogans);
    for (size_t i = 0; i < c->n_reasons; i++) {
        free(c->reasons[i].code);
        free(c->reasons[i].label);
    }
    free(c->reasons);
    free(c);
}

const content_officer *content_find_officer(const content *c, const char *code)
{
    for (size_t i = 0; c && code && i < c->n_officers; i++)
        if (strcmp(c->officers[i].code, code) == 0)
            return &c->officers[i];
    return NULL;
}

const content_officer *content_find_voted(const content *c, const char *code)
{
    if (c && code && strcmp(code, RATING_DESK_CODE) == 0)
        return &c->desk;
    return content_find_officer(c, code);
}

const content_slogan *content_find_slogan(const content *c, const char *id)
{
    for (size_t i = 0; c && id && i < c->n_slogans; i++)
        if (strcmp(c->slogans[i].id, id) == 0)
            return &c->slogans[i];
    return NULL;
}

const content_reason *content_find_reason(const content *c, const char *code)
{
    for (size_t i = 0; c && code && i < c->n_reasons; i++)
        if (strcmp(c->reasons[i].code, code) == 0)
            return &c->reasons[i];
    return NULL;
}

/* ---- config against content ---- */

/* Appends s to a ", "-separated list in dst, ending with "..." once it is full. */
static void list_add(char *dst, size_t cap, const char *s)
{
    size_t used = strlen(dst);
    if (used >= 3 && strcmp(dst + used - 3, "...") == 0)
        return;
    if (used + strlen(s) + 8 > cap) {
        util_fmt(dst + used, cap - used, "%s...", used ? ", " : "");
        return;
    }
    util_fmt(dst + used, cap - used, "%s%s", used ? ", " : "", s);
}

/* Officers at counter; *first set to the first one. */
static size_t officers_at(const content *c, const char *counter, const content_officer **first)
{
    size_t n = 0;
    *first = NULL;
    for (size_t i = 0; i < c->n_officers; i++) {
        if (strcmp(c->officers[i].counter, counter) != 0)
            continue;
        if (!n)
            *first = &c->officers[i];
        n++;
    }
    return n;
}

const content_officer *content_desk_officer(const content *c, const cfg *conf)
{
    if (!c || conf->mode != CFG_MODE_DESK)
        return NULL;
    if (conf->officer[0])
        return content_find_officer(c, conf->officer);
    const content_officer *o;
    if (!conf->counter[0] || officers_at(c, conf->counter, &o) != 1)
        return NULL;
    return o;
}

int content_check_config(const content *c, const cfg *conf, char *err, size_t errlen)
{
    const char *src = conf->source[0] ? conf->source : "config (defaults)";
    char list[200] = "";
    for (int i = 0; i < conf->n_slogans; i++) {
        if (content_find_slogan(c, conf->slogans[i]))
            continue;
        for (size_t k = 0; k < c->n_slogans; k++)
            list_add(list, sizeof list, c->slogans[k].id);
        util_fmt(err, errlen,
                 "%s: [content] slogans: \"%s\" is not in %s/slogans.json; the ids there are %s",
                 src, conf->slogans[i], conf->content_dir, list);
        return HL_EXIT_USAGE;
    }
    if (conf->mode != CFG_MODE_DESK)
        return 0;
    if (conf->officer[0]) {
        const content_officer *o = content_find_officer(c, conf->officer);
        if (!o) {
            for (size_t k = 0; k < c->n_officers; k++)
                list_add(list, sizeof list, c->officers[k].code);
            util_fmt(err, errlen,
                     "%s: [kiosk] officer: \"%s\" is not in %s/officers.json; use "
                     "one of the codes there: %s",
                     src, conf->officer, conf->content_dir, list);
            return HL_EXIT_USAGE;
        }
        if (conf->counter[0] && strcmp(o->counter, conf->counter) != 0)
            log_warn("%s: [kiosk] officer %s sits at counter \"%s\" in officers.json, not at "
                     "counter \"%s\"; rating %s",
                     src, o->code, o->counter, conf->counter, o->code);
        return 0;
    }
    if (!conf->counter[0]) {
        util_fmt(err, errlen,
                 "%s: [kiosk] mode: desk mode needs to know whose counter this is; "
                 "set counter = N (as in officers.json) or officer = CODE, or use mode = lobby",
                 src);
        return HL_EXIT_USAGE;
    }
    const content_officer *first;
    size_t n = officers_at(c, conf->counter, &first);
    if (n == 0) {
        for (size_t k = 0; k < c->n_officers; k++) {
            const char *ctr = c->officers[k].counter;
            if (!*ctr)
                continue;
            int dup = 0;
            for (size_t j = 0; j < k; j++)
                dup |= strcmp(c->officers[j].counter, ctr) == 0;
            if (!dup)
                list_add(list, sizeof list, ctr);
        }
        util_fmt(err, errlen,
                 "%s: [kiosk] counter: no officer in %s/officers.json sits at "
                 "counter \"%s\"; the counters there are %s",
                 src, conf->content_dir, conf->counter, list[0] ? list : "(none)");
        return HL_EXIT_USAGE;
    }
    if (n > 1) {
        for (size_t k = 0; k < c->n_officers; k++)
            if (strcmp(c->officers[k].counter, conf->counter) == 0)
                list_add(list, sizeof list, c->officers[k].code);
        /* Rating the wrong person would be worse than not starting. */
        util_fmt(err, errlen,
                 "%s: [kiosk] counter: %zu officers sit at counter \"%s\" (%s); set "
                 "officer = CODE to say who this kiosk rates",
                 src, n, conf->counter, list);
        return HL_EXIT_USAGE;
    }
    return 0;
}
