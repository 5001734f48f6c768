/* proc: the procedures the kiosk publishes: procedures.json loaded and validated whole, the CSV
 * that IT staff keep in Excel, the atomic import that turns either into procedures.json, and the
 * diacritic-insensitive search (SQLite FTS5 over folded text). docs/PROCEDURES.md is the format. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <utf8proc.h>

#include "jsonv.h"
#include "util.h"

#define PROC_FORMAT 1
#define PROC_ID_MAX 63

/* ---- freeing ---- */

static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static void free_item(proc_item *it)
{
    free(it->id);
    free(it->code);
    free(it->name);
    free(it->level);
    free(it->time_limit);
    free(it->fees);
    for (size_t i = 0; it->docs && i < it->n_docs; i++) {
        free(it->docs[i].name);
        free(it->docs[i].copies);
    }
    free(it->docs);
    free_strs(it->steps, it->n_steps);
    free(it->where);
    free_strs(it->legal, it->n_legal);
    free(it->url);
}

void proc_free(proc_set *s)
{
    if (!s)
        return;
    free(s->note);
    for (size_t i = 0; i < s->n_fields; i++) {
        free(s->fields[i].id);
        free(s->fields[i].name);
    }
    free(s->fields);
    for (size_t i = 0; i < s->n_items; i++)
        free_item(&s->items[i]);
    free(s->items);
    free(s);
}

const proc_item *proc_find(const proc_set *s, const char *id)
{
    for (size_t i = 0; s && id && i < s->n_items; i++)
        if (strcmp(s->items[i].id, id) == 0)
            return &s->items[i];
    return NULL;
}

/* ---- validation shared by the JSON and the CSV reader ---- */

/* The record being read, so that both readers name a problem the way their users see the file:
 * JSON "FILE: procedures[3] (dang-ky-khai-sinh).fees: ...", CSV "FILE:12: column fees: ...". */
typedef struct {
    jv_ctx x;         /* x.file is "FILE", or "FILE:LINE" for a CSV record */
    const char *name; /* the file as given */
    int csv;
    size_t index;   /* record number, from 0 */
    const char *id; /* JSON: the record's id once it is known to be valid, for messages */
    long *lines;    /* CSV: the physical line each item starts on */
} pctx;

static void at_line(pctx *p, long line)
{
    util_fmt(p->x.file, sizeof p->x.file, "%s:%ld", p->name, line);
}

/* Where key (its entry k when k >= 0, and sub-key sub) of the current record is. */
static void rec_path(const pctx *p, char *dst, size_t cap, const char *key, long k, const char *sub)
{
    char base[JV_PATH_MAX];
    if (p->csv) {
        /* The CSV names the field column field_id, since field_name sits next to it. */
        util_fmt(base, sizeof base, "column %s", strcmp(key, "field") == 0 ? "field_id" : key);
        if (k >= 0 && sub && strcmp(sub, "copies") == 0)
            util_fmt(dst, cap, "%s, item %ld, after |", base, k + 1);
        else if (k >= 0)
            util_fmt(dst, cap, "%s, item %ld", base, k + 1);
        else
            util_strlcpy(dst, base, cap);
        return;
    }
    if (p->id)
        util_fmt(base, sizeof base, "procedures[%zu] (%s).%s", p->index, p->id, key);
    else
        util_fmt(base, sizeof base, "procedures[%zu].%s", p->index, key);
    if (k >= 0 && sub)
        util_fmt(dst, cap, "%s[%ld].%s", base, k, sub);
    else if (k >= 0)
        util_fmt(dst, cap, "%s[%ld]", base, k);
    else
        util_strlcpy(dst, base, cap);
}

static int is_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > PROC_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

static int is_blank(const char *s)
{
    while (*s == ' ' || *s == '\n')
        s++;
    return *s == '\0';
}

/* Text checks, then "not blank" when required. */
static int check_str(pctx *p, const char *path, const char *s, int flags, const char *hint)
{
    int rc = jv_check_text(&p->x, path, s, flags & JV_MULTILINE);
    if (!rc && (flags & JV_REQUIRED) && is_blank(s))
        rc = jv_fail(&p->x, "%s: empty; %s", path, hint);
    return rc;
}

static int check_id(pctx *p, const char *path, const char *s, const char *example)
{
    if (is_id(s))
        return 0;
    char q[64];
    jv_shorten(q, sizeof q, s);
    return jv_fail(&p->x,
                   "%s: \"%s\" is not a valid id; use 1 to %d lowercase letters a-z, digits and "
                   "'-' (no spaces or accents), e.g. \"%s\"",
                   path, q, PROC_ID_MAX, example);
}

typedef struct {
    const char *key; /* JSON key and CSV column */
    size_t off;      /* the char * in proc_item */
    int flags;       /* JV_REQUIRED, JV_MULTILINE */
    const char *hint;
} text_field;

static const text_field item_text[] = {
    {"id", offsetof(proc_item, id), JV_REQUIRED,
     "every procedure needs a unique id, e.g. \"dang-ky-khai-sinh\""},
    {"code", offsetof(proc_item, code), 0,
     "the procedure's code (mã TTHC) in the national database, e.g. \"1.001193\", or empty"},
    {"name", offsetof(proc_item, name), JV_REQUIRED,
     "every procedure needs its name, e.g. \"Đăng ký khai sinh\""},
    {"level", offsetof(proc_item, level), JV_REQUIRED,
     "the level that decides it, e.g. \"Cấp xã\""},
    {"time_limit", offsetof(proc_item, time_limit), JV_REQUIRED | JV_MULTILINE,
     "the time limit as posted, e.g. \"Ngay trong ngày làm việc\""},
    {"fees", offsetof(proc_item, fees), JV_REQUIRED | JV_MULTILINE,
     "the fees as posted; write \"Miễn phí\" where it is free"},
    {"where", offsetof(proc_item, where), JV_REQUIRED | JV_MULTILINE,
     "where to submit it, e.g. \"Bộ phận Một cửa UBND xã\""},
    {"url", offsetof(proc_item, url), 0,
     "the procedure's page on the public service portal (https://...), or empty"},
};

static char **item_str(proc_item *it, const text_field *f)
{
    return (char **)((char *)it + f->off);
}

/* Everything about one record that does not depend on how it was written down. */
static int check_item(pctx *p, proc_item *it)
{
    char path[JV_PATH_MAX];
    int rc = 0;
    for (size_t i = 0; !rc && i < HL_ARRAY_LEN(item_text); i++) {
        const text_field *f = &item_text[i];
        rec_path(p, path, sizeof path, f->key, -1, NULL);
        rc = check_str(p, path, *item_str(it, f), f->flags, f->hint);
        if (!rc && i == 0)
            rc = check_id(p, path, it->id, "dang-ky-khai-sinh");
    }
    if (rc)
        return rc;
    if (*it->url && strncmp(it->url, "https://", 8) != 0 && strncmp(it->url, "http://", 7) != 0) {
        char q[64];
        jv_shorten(q, sizeof q, it->url);
        rec_path(p, path, sizeof path, "url", -1, NULL);
        return jv_fail(&p->x,
                       "%s: \"%s\" is not a web address; write it in full starting with "
                       "https:// (as the browser shows it), or leave it empty",
                       path, q);
    }
    if (strpbrk(it->url, " \n")) {
        rec_path(p, path, sizeof path, "url", -1, NULL);
        return jv_fail(&p->x, "%s: contains a space; a web address has none", path);
    }
    const char *doc_hint =
        p->csv ? "write one document per line as \"name | copies\"" : "every document needs a name";
    if (it->n_docs == 0) {
        rec_path(p, path, sizeof path, "documents", -1, NULL);
        return jv_fail(&p->x, "%s: empty; list the documents the citizen brings (%s)", path,
                       p->csv ? "one per line in the cell, \"name | copies\""
                              : "[ { \"name\": ..., \"copies\": ... } ]");
    }
    for (size_t k = 0; !rc && k < it->n_docs; k++) {
        rec_path(p, path, sizeof path, "documents", (long)k, "name");
        rc = check_str(p, path, it->docs[k].name, JV_REQUIRED, doc_hint);
        rec_path(p, path, sizeof path, "documents", (long)k, "copies");
        if (!rc)
            rc = check_str(p, path, it->docs[k].copies, 0, "");
    }
    if (!rc && it->n_steps == 0) {
        rec_path(p, path, sizeof path, "steps", -1, NULL);
        return jv_fail(&p->x, "%s: empty; list the steps, %s", path,
                       p->csv ? "one per line in the cell (Alt+Enter in Excel)"
                              : "[ \"Bước 1: ...\", ... ]");
    }
    for (size_t k = 0; !rc && k < it->n_steps; k++) {
        rec_path(p, path, sizeof path, "steps", (long)k, NULL);
        rc = check_str(p, path, it->steps[k], JV_REQUIRED, "remove the empty step");
    }
    for (size_t k = 0; !rc && k < it->n_legal; k++) {
        rec_path(p, path, sizeof path, "legal_basis", (long)k, NULL);
        rc = check_str(p, path, it->legal[k], JV_REQUIRED, "remove the empty entry");
    }
    return rc;
}

static int cmp_index_by_id(const void *a, const void *b, void *items)
{
    const proc_item *it = items;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(it[i].id, it[j].id);
    return c ? c : (i > j) - (i < j);
}

/* Ids are unique. Sorting keeps this fast for thousands of records; the message names the
 * earliest duplicate in file order, as a reader going top to bottom would find it. */
static int check_unique(pctx *p, proc_set *s)
{
    size_t n = s->n_items, *ix = xcalloc(n, sizeof *ix), dup = SIZE_MAX, first = 0;
    for (size_t i = 0; i < n; i++)
        ix[i] = i;
    qsort_r(ix, n, sizeof *ix, cmp_index_by_id, s->items);
    for (size_t i = 1; i < n; i++)
        if (strcmp(s->items[ix[i - 1]].id, s->items[ix[i]].id) == 0 && ix[i] < dup) {
            dup = ix[i];
            /* the run's first entry is the earliest use of that id */
            size_t k = i - 1;
            while (k > 0 && strcmp(s->items[ix[k - 1]].id, s->items[ix[i]].id) == 0)
                k--;
            first = ix[k];
        }
    free(ix);
    if (dup == SIZE_MAX)
        return 0;
    p->index = dup;
    p->id = s->items[dup].id;
    char path[JV_PATH_MAX];
    rec_path(p, path, sizeof path, "id", -1, NULL);
    if (p->csv) {
        at_line(p, p->lines[dup]);
        return jv_fail(&p->x, "%s: \"%s\" is already used on line %ld; ids must be unique", path,
                       p->id, p->lines[first]);
    }
    return jv_fail(&p->x, "%s: \"%s\" is already used by procedures[%zu]; ids must be unique", path,
                   p->id, first);
}

static void count_fields(proc_set *s)
{
    for (size_t i = 0; i < s->n_fields; i++)
        s->fields[i].n_items = 0;
    for (size_t i = 0; i < s->n_items; i++)
        s->fields[s->items[i].field].n_items++;
}

/* ---- JSON ---- */

/* obj[key] as a string (checked later by check_item); every key is required. */
static int jget(pctx *p, const cJSON *obj, const char *path, const char *key, char **out)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!j)
        return jv_fail(&p->x,
                       "%s: missing; add \"%s\": \"...\" (every key is required; see "
                       "docs/PROCEDURES.md)",
                       path, key);
    if (!cJSON_IsString(j) || !j->valuestring)
        return jv_fail(&p->x, "%s: is %s; write it as text in double quotes", path,
                       jv_type_name(j));
    *out = xstrdup(j->valuestring);
    return 0;
}

/* obj[key] as a list of strings. */
static int jget_strs(pctx *p, const cJSON *obj, const char *key, char ***out, size_t *n)
{
    char path[JV_PATH_MAX];
    rec_path(p, path, sizeof path, key, -1, NULL);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!a)
        return jv_fail(&p->x, "%s: missing; add \"%s\": [ \"...\", ... ]", path, key);
    if (!cJSON_IsArray(a))
        return jv_fail(&p->x, "%s: is %s; it must be a list [ \"...\", ... ]", path,
                       jv_type_name(a));
    *n = (size_t)cJSON_GetArraySize(a);
    *out = xcalloc(*n, sizeof **out);
    size_t k = 0;
    for (const cJSON *e = a->child; e; e = e->next, k++) {
        if (!cJSON_IsString(e) || !e->valuestring) {
            rec_path(p, path, sizeof path, key, (long)k, NULL);
            return jv_fail(&p->x, "%s: is %s; write it as text in double quotes", path,
                           jv_type_name(e));
        }
        (*out)[k] = xstrdup(e->valuestring);
    }
    return 0;
}

static int jget_docs(pctx *p, const cJSON *obj, proc_item *it)
{
    static const char *const keys[] = {"name", "copies", NULL};
    char path[JV_PATH_MAX];
    rec_path(p, path, sizeof path, "documents", -1, NULL);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, "documents");
    if (!a)
        return jv_fail(&p->x,
                       "%s: missing; add \"documents\": [ { \"name\": ..., "
                       "\"copies\": ... } ]",
                       path);
    if (!cJSON_IsArray(a))
        return jv_fail(&p->x, "%s: is %s; it must be a list [ { \"name\": ..., \"copies\": ... } ]",
                       path, jv_type_name(a));
    it->n_docs = (size_t)cJSON_GetArraySize(a);
    it->docs = xcalloc(it->n_docs, sizeof *it->docs);
    size_t k = 0;
    int rc = 0;
    for (const cJSON *e = a->child; !rc && e; e = e->next, k++) {
        rec_path(p, path, sizeof path, "documents", (long)k, NULL);
        if (!cJSON_IsObject(e))
            return jv_fail(&p->x, "%s: is %s; write { \"name\": \"...\", \"copies\": \"...\" }",
                           path, jv_type_name(e));
        rc = jv_check_keys(&p->x, e, path, keys);
        char sub[JV_PATH_MAX];
        rec_path(p, sub, sizeof sub, "documents", (long)k, "name");
        if (!rc)
            rc = jget(p, e, sub, "name", &it->docs[k].name);
        /* copies is optional: many documents are simply "01 bản chính" or not stated. */
        if (!rc && cJSON_GetObjectItemCaseSensitive(e, "copies")) {
            rec_path(p, sub, sizeof sub, "documents", (long)k, "copies");
            rc = jget(p, e, sub, "copies", &it->docs[k].copies);
        } else if (!rc) {
            it->docs[k].copies = xstrdup("");
        }
    }
    return rc;
}

static int online_from_json(pctx *p, const char *path, const char *s, proc_online *out)
{
    static const char *const names[] = {[PROC_ONLINE_NONE] = "none",
                                        [PROC_ONLINE_PARTIAL] = "partial",
                                        [PROC_ONLINE_FULL] = "full"};
    for (size_t i = 0; i < HL_ARRAY_LEN(names); i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (proc_online)i;
            return 0;
        }
    char q[64];
    jv_shorten(q, sizeof q, s);
    return jv_fail(&p->x,
                   "%s: \"%s\" is not one of \"full\" (toàn trình), \"partial\" (một phần), "
                   "\"none\" (không)",
                   path, q);
}

static int json_fields(pctx *p, const cJSON *root, proc_set *s)
{
    static const char *const keys[] = {"id", "name", NULL};
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "fields");
    if (!a)
        return jv_fail(&p->x, "fields: missing; add \"fields\": [ { \"id\": \"ho-tich\", "
                              "\"name\": \"Hộ tịch\" }, ... ]");
    if (!cJSON_IsArray(a) || !a->child)
        return jv_fail(&p->x,
                       "fields: %s%s; it must be a list of at least one { \"id\": ..., "
                       "\"name\": ... }",
                       cJSON_IsArray(a) ? "empty" : "is ", cJSON_IsArray(a) ? "" : jv_type_name(a));
    s->n_fields = (size_t)cJSON_GetArraySize(a);
    s->fields = xcalloc(s->n_fields, sizeof *s->fields);
    size_t k = 0;
    int rc = 0;
    for (const cJSON *e = a->child; !rc && e; e = e->next, k++) {
        char where[64], path[JV_PATH_MAX];
        util_fmt(where, sizeof where, "fields[%zu]", k);
        if (!cJSON_IsObject(e))
            return jv_fail(&p->x, "%s: is %s; write { \"id\": \"...\", \"name\": \"...\" }", where,
                           jv_type_name(e));
        proc_field *f = &s->fields[k];
        rc = jv_check_keys(&p->x, e, where, keys);
        jv_path(path, sizeof path, where, "id");
        if (!rc)
            rc = jget(p, e, path, "id", &f->id);
        if (!rc)
            rc = check_str(p, path, f->id, JV_REQUIRED, "every field needs an id");
        if (!rc)
            rc = check_id(p, path, f->id, "ho-tich");
        for (size_t j = 0; !rc && j < k; j++)
            if (strcmp(s->fields[j].id, f->id) == 0)
                rc = jv_fail(&p->x, "%s: \"%s\" is already used by fields[%zu]; ids must be unique",
                             path, f->id, j);
        jv_path(path, sizeof path, where, "name");
        if (!rc)
            rc = jget(p, e, path, "name", &f->name);
        if (!rc)
            rc = check_str(p, path, f->name, JV_REQUIRED,
                           "every field needs the name shown on its button, e.g. \"Hộ tịch\"");
    }
    return rc;
}

static int json_item(pctx *p, const cJSON *e, proc_set *s, proc_item *it)
{
    static const char *const keys[] = {"id",          "code",   "name",      "field", "level",
                                       "time_limit",  "fees",   "documents", "steps", "where",
                                       "legal_basis", "online", "url",       NULL};
    char path[JV_PATH_MAX];
    util_fmt(path, sizeof path, "procedures[%zu]", p->index);
    if (!cJSON_IsObject(e))
        return jv_fail(&p->x, "%s: is %s; each procedure must be an object { ... }", path,
                       jv_type_name(e));
    /* Name the record by its id in every later message, once the id is usable. */
    const cJSON *jid = cJSON_GetObjectItemCaseSensitive(e, "id");
    if (cJSON_IsString(jid) && jid->valuestring && is_id(jid->valuestring))
        p->id = jid->valuestring;
    util_fmt(path, sizeof path, "procedures[%zu]%s%s%s", p->index, p->id ? " (" : "",
             p->id ? p->id : "", p->id ? ")" : "");
    int rc = jv_check_keys(&p->x, e, path, keys);
    for (size_t i = 0; !rc && i < HL_ARRAY_LEN(item_text); i++) {
        rec_path(p, path, sizeof path, item_text[i].key, -1, NULL);
        rc = jget(p, e, path, item_text[i].key, item_str(it, &item_text[i]));
    }
    char *field = NULL, *online = NULL;
    rec_path(p, path, sizeof path, "field", -1, NULL);
    if (!rc)
        rc = jget(p, e, path, "field", &field);
    if (!rc) {
        size_t f = 0;
        while (f < s->n_fields && strcmp(s->fields[f].id, field) != 0)
            f++;
        if (f < s->n_fields) {
            it->field = f;
        } else {
            char list[200] = "", q[64];
            for (size_t j = 0; j < s->n_fields; j++) {
                size_t used = strlen(list);
                if (util_fmt(list + used, sizeof list - used, "%s%s", j ? ", " : "",
                             s->fields[j].id) != 0) {
                    util_strlcpy(list + used, "...", sizeof list - used);
                    break;
                }
            }
            jv_shorten(q, sizeof q, field);
            rc = jv_fail(&p->x,
                         "%s: \"%s\" is not one of the fields; use an id from \"fields\" (%s) or "
                         "add it there",
                         path, q, list);
        }
    }
    free(field);
    if (!rc)
        rc = jget_docs(p, e, it);
    if (!rc)
        rc = jget_strs(p, e, "steps", &it->steps, &it->n_steps);
    if (!rc)
        rc = jget_strs(p, e, "legal_basis", &it->legal, &it->n_legal);
    rec_path(p, path, sizeof path, "online", -1, NULL);
    if (!rc)
        rc = jget(p, e, path, "online", &online);
    if (!rc)
        rc = online_from_json(p, path, online, &it->online);
    free(online);
    if (!rc)
        rc = check_item(p, it);
    return rc;
}

/* buf[len] must be '\0' (cJSON wants a terminated string). */
static int parse_json(proc_set **out, const char *buf, size_t len, const char *name, char *err,
                      size_t errlen)
{
    *out = NULL;
    pctx p = {.x = {.err = err, .errlen = errlen}, .name = name};
    util_strlcpy(p.x.file, name, sizeof p.x.file);
    static const char *const top[] = {"format", "fields", "procedures", NULL};
    cJSON *root;
    int rc = jv_parse(&p.x, buf, len, PROC_FORMAT, &root);
    if (!rc)
        rc = jv_check_keys(&p.x, root, "", top);
    proc_set *s = xcalloc(1, sizeof *s);
    const cJSON *note = root ? cJSON_GetObjectItemCaseSensitive(root, "_note") : NULL;
    if (!rc && cJSON_IsString(note) && note->valuestring)
        s->note = xstrdup(note->valuestring);
    if (!rc)
        rc = json_fields(&p, root, s);
    const cJSON *a = root ? cJSON_GetObjectItemCaseSensitive(root, "procedures") : NULL;
    if (!rc && !a)
        rc = jv_fail(&p.x, "procedures: missing; add \"procedures\": [ { ... }, ... ]");
    else if (!rc && (!cJSON_IsArray(a) || !a->child))
        rc = jv_fail(&p.x, "procedures: %s%s; it must be a list of at least one procedure",
                     cJSON_IsArray(a) ? "empty" : "is ", cJSON_IsArray(a) ? "" : jv_type_name(a));
    if (!rc) {
        s->n_items = (size_t)cJSON_GetArraySize(a);
        s->items = xcalloc(s->n_items, sizeof *s->items);
    }
    size_t i = 0;
    for (const cJSON *e = a && !rc ? a->child : NULL; !rc && e; e = e->next, i++) {
        p.index = i;
        p.id = NULL;
        rc = json_item(&p, e, s, &s->items[i]);
    }
    if (!rc)
        rc = check_unique(&p, s);
    cJSON_Delete(root);
    if (rc) {
        proc_free(s);
        return rc;
    }
    count_fields(s);
    *out = s;
    return 0;
}

int proc_parse_json(proc_set **out, const char *json, size_t len, const char *name, char *err,
                    size_t errlen)
{
    char *copy = xmalloc(len + 1);
    memcpy(copy, json, len);
    copy[len] = '\0';
    int rc = parse_json(out, copy, len, name, err, errlen);
    free(copy);
    return rc;
}

int proc_load(proc_set **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    size_t len;
    char *buf = util_read_file(path, &len);
    if (!buf) {
        util_fmt(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return HL_EXIT_USAGE;
    }
    int rc = parse_json(out, buf, len, path, err, errlen);
    free(buf);
    return rc;
}

/* ---- CSV ---- */

enum {
    C_ID,
    C_CODE,
    C_NAME,
    C_FIELD_ID,
    C_FIELD_NAME,
    C_LEVEL,
    C_TIME_LIMIT,
    C_FEES,
    C_DOCUMENTS,
    C_STEPS,
    C_WHERE,
    C_LEGAL,
    C_ONLINE,
    C_URL,
    C_COUNT
};

/* The header names are the contract with IT staff's spreadsheets (docs/PROCEDURES.md). */
static const char *const csv_cols[C_COUNT] = {
    [C_ID] = "id",
    [C_CODE] = "code",
    [C_NAME] = "name",
    [C_FIELD_ID] = "field_id",
    [C_FIELD_NAME] = "field_name",
    [C_LEVEL] = "level",
    [C_TIME_LIMIT] = "time_limit",
    [C_FEES] = "fees",
    [C_DOCUMENTS] = "documents",
    [C_STEPS] = "steps",
    [C_WHERE] = "where",
    [C_LEGAL] = "legal_basis",
    [C_ONLINE] = "online",
    [C_URL] = "url",
};

typedef struct {
    const char *p, *end;
    long line; /* physical line p is on */
    char delim;
} csv_rd;

typedef struct {
    char **v;
    size_t n, cap;
} cellv;

static void cells_clear(cellv *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i]);
    c->n = 0;
}

typedef struct {
    char *s;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void cells_push(cellv *c, const sbuf *b)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->v = xrealloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n++] = b->len ? xstrdup(b->s) : xstrdup("");
}

/* "header" or "column fees" (by header position), for messages about cell idx. */
static void col_label(char *dst, size_t cap, const char *const *hdr, size_t n_hdr, size_t idx)
{
    if (!hdr)
        util_strlcpy(dst, "header", cap);
    else if (idx < n_hdr && *hdr[idx])
        util_fmt(dst, cap, "column %s", hdr[idx]);
    else
        util_fmt(dst, cap, "column %zu", idx + 1);
}

/* Reads one record (RFC 4180: quoted cells may hold the delimiter, "" and line breaks; CRLF or
 * LF). Returns 1 with cells filled, 0 at the end of the input, or an error code. *start is the
 * physical line the record begins on: the line IT staff find it on in a text editor. */
static int csv_record(pctx *p, csv_rd *r, cellv *cells, sbuf *b, const char *const *hdr,
                      size_t n_hdr, long *start)
{
    cells_clear(cells);
    *start = r->line;
    if (r->p >= r->end)
        return 0;
    for (;;) {
        b->len = 0;
        if (b->s)
            b->s[0] = '\0';
        if (r->p < r->end && *r->p == '"') {
            r->p++;
            for (;;) {
                if (r->p >= r->end) {
                    char col[96];
                    col_label(col, sizeof col, hdr, n_hdr, cells->n);
                    at_line(p, *start);
                    return jv_fail(&p->x,
                                   "%s: a cell opened with a double quote \" is never closed; "
                                   "close it, and write a \" inside a cell as \"\"",
                                   col);
                }
                const char *q = r->p;
                if (*q == '"' && q + 1 < r->end && q[1] == '"') {
                    sb_add(b, "\"", 1);
                    r->p += 2;
                } else if (*q == '"') {
                    r->p++;
                    break;
                } else if (*q == '\r' || *q == '\n') {
                    /* A line break inside a cell is stored as \n whatever the file uses. */
                    sb_add(b, "\n", 1);
                    r->p += (*q == '\r' && q + 1 < r->end && q[1] == '\n') ? 2 : 1;
                    r->line++;
                } else {
                    const char *s = q;
                    while (s < r->end && *s != '"' && *s != '\r' && *s != '\n')
                        s++;
                    sb_add(b, q, (size_t)(s - q));
                    r->p = s;
                }
            }
            if (r->p < r->end && *r->p != r->delim && *r->p != '\r' && *r->p != '\n') {
                char col[96];
                col_label(col, sizeof col, hdr, n_hdr, cells->n);
                at_line(p, *start);
                return jv_fail(&p->x,
                               "%s: text after the closing double quote; put the whole cell in "
                               "quotes and write a \" inside it as \"\"",
                               col);
            }
        } else {
            const char *s = r->p;
            while (s < r->end && *s != r->delim && *s != '\r' && *s != '\n')
                s++;
            sb_add(b, r->p, (size_t)(s - r->p));
            r->p = s;
        }
        cells_push(cells, b);
        if (r->p >= r->end)
            return 1;
        char c = *r->p++;
        if (c == r->delim)
            continue;
        if (c == '\r' && r->p < r->end && *r->p == '\n')
            r->p++;
        r->line++;
        return 1;
    }
}

/* Strips spaces, tabs and line breaks at both ends, in place. */
static char *trim(char *s)
{
    char *a = s;
    while (*a == ' ' || *a == '\t' || *a == '\n' || *a == '\r')
        a++;
    size_t n = strlen(a);
    while (n > 0 && (a[n - 1] == ' ' || a[n - 1] == '\t' || a[n - 1] == '\n' || a[n - 1] == '\r'))
        n--;
    memmove(s, a, n);
    s[n] = '\0';
    return s;
}

static int row_blank(const cellv *c)
{
    for (size_t i = 0; i < c->n; i++) {
        const char *s = c->v[i];
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        if (*s)
            return 0;
    }
    return 1;
}

/* Invalid UTF-8 in a CSV nearly always means Excel's legacy "CSV (Comma delimited)" format, which
 * writes the Windows code page; say which format to pick instead. */
static int csv_check_cell(pctx *p, const char *col, const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n < 0)
            return jv_fail(&p->x,
                           "%s: is not UTF-8 text (bad byte at offset %zu of the cell); save "
                           "the file as UTF-8: in Excel, File > Save As > \"CSV UTF-8 (Comma "
                           "delimited) (*.csv)\"",
                           col, i);
        i += (size_t)n;
    }
    return jv_check_text(&p->x, col, s, 1);
}

/* The lines of a multi-valued cell (Alt+Enter in Excel), trimmed, blank ones dropped. */
static char **cell_lines(char *cell, size_t *n)
{
    size_t cap = 1;
    for (const char *s = cell; *s; s++)
        cap += *s == '\n';
    char **v = xcalloc(cap, sizeof *v);
    *n = 0;
    for (char *line = cell; line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        trim(line);
        if (*line)
            v[(*n)++] = xstrdup(line);
        line = nl ? nl + 1 : NULL;
    }
    return v;
}

static int online_from_csv(pctx *p, const char *s, proc_online *out)
{
    /* Spreadsheets are typed by people: compare folded, so "Toàn trình", "TOAN TRINH" and
     * "toan trinh" all count. */
    static const struct {
        const char *word;
        proc_online v;
    } words[] = {{"full", PROC_ONLINE_FULL},       {"toan trinh", PROC_ONLINE_FULL},
                 {"partial", PROC_ONLINE_PARTIAL}, {"mot phan", PROC_ONLINE_PARTIAL},
                 {"none", PROC_ONLINE_NONE},       {"khong", PROC_ONLINE_NONE}};
    char *f = proc_fold(s);
    int found = 0;
    for (size_t i = 0; !found && i < HL_ARRAY_LEN(words); i++)
        if (strcmp(f, words[i].word) == 0) {
            *out = words[i].v;
            found = 1;
        }
    free(f);
    if (found)
        return 0;
    char q[64];
    jv_shorten(q, sizeof q, s);
    return jv_fail(&p->x,
                   "column online: \"%s\" is not one of: full (or \"toàn trình\"), partial (or "
                   "\"một phần\"), none (or \"không\")",
                   q);
}

/* Finds or adds the field named by this row; the same id must always carry the same name. */
static int csv_field(pctx *p, proc_set *s, long **field_lines, size_t *cap, const char *id,
                     const char *name, long line, size_t *out)
{
    int rc = check_str(p, "column field_id", id, JV_REQUIRED,
                       "every procedure needs the id of its field, e.g. \"ho-tich\"");
    if (!rc)
        rc = check_id(p, "column field_id", id, "ho-tich");
    if (!rc)
        rc = check_str(p, "column field_name", name, JV_REQUIRED,
                       "every procedure needs the name of its field, e.g. \"Hộ tịch\"");
    if (rc)
        return rc;
    for (size_t f = 0; f < s->n_fields; f++) {
        if (strcmp(s->fields[f].id, id) != 0)
            continue;
        if (strcmp(s->fields[f].name, name) != 0) {
            char q[64], r[64];
            jv_shorten(q, sizeof q, name);
            jv_shorten(r, sizeof r, s->fields[f].name);
            return jv_fail(&p->x,
                           "column field_name: \"%s\", but line %ld names field \"%s\" \"%s\"; "
                           "use the same field_name on every row with that field_id",
                           q, (*field_lines)[f], id, r);
        }
        *out = f;
        return 0;
    }
    if (s->n_fields == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        s->fields = xrealloc(s->fields, *cap * sizeof *s->fields);
        *field_lines = xrealloc(*field_lines, *cap * sizeof **field_lines);
    }
    s->fields[s->n_fields] = (proc_field){.id = xstrdup(id), .name = xstrdup(name)};
    (*field_lines)[s->n_fields] = line;
    *out = s->n_fields++;
    return 0;
}

static int csv_header(pctx *p, cellv *cells, size_t col[C_COUNT], char ***names)
{
    char list[256] = "";
    for (size_t c = 0; c < C_COUNT; c++) {
        size_t used = strlen(list);
        util_fmt(list + used, sizeof list - used, "%s%s", c ? ", " : "", csv_cols[c]);
    }
    for (size_t c = 0; c < C_COUNT; c++)
        col[c] = SIZE_MAX;
    *names = xcalloc(cells->n, sizeof **names);
    for (size_t i = 0; i < cells->n; i++) {
        char *h = trim(cells->v[i]);
        (*names)[i] = xstrdup(h);
        for (char *t = h; *t; t++)
            if (*t >= 'A' && *t <= 'Z')
                *t = (char)(*t - 'A' + 'a');
        int rc = csv_check_cell(p, "header", h);
        if (rc)
            return rc;
        /* Excel adds empty columns at the end once cells there were ever formatted; csv_row
         * checks they stay empty. */
        if (!*h)
            continue;
        size_t c = 0;
        while (c < C_COUNT && strcmp(csv_cols[c], h) != 0)
            c++;
        char q[64];
        jv_shorten(q, sizeof q, h);
        if (c == C_COUNT)
            return jv_fail(&p->x,
                           "header: column %zu \"%s\" is not a known column; the first row must "
                           "name these columns, in any order: %s",
                           i + 1, q, list);
        if (col[c] != SIZE_MAX)
            return jv_fail(&p->x,
                           "header: column \"%s\" appears twice (columns %zu and %zu); "
                           "keep one",
                           q, col[c] + 1, i + 1);
        col[c] = i;
        free((*names)[i]);
        (*names)[i] = xstrdup(csv_cols[c]);
    }
    for (size_t c = 0; c < C_COUNT; c++)
        if (col[c] == SIZE_MAX)
            return jv_fail(&p->x,
                           "header: column \"%s\" is missing; the first row must name these "
                           "columns, in any order: %s",
                           csv_cols[c], list);
    return 0;
}

/* One data row into it. Cells are trimmed in place. */
static int csv_row(pctx *p, proc_set *s, cellv *cells, const size_t col[C_COUNT],
                   const char *const *names, long **field_lines, size_t *fcap, long line,
                   proc_item *it)
{
    char label[96];
    for (size_t i = 0; i < cells->n; i++) {
        col_label(label, sizeof label, names, cells->n, i);
        int rc = csv_check_cell(p, label, cells->v[i]);
        if (rc)
            return rc;
        trim(cells->v[i]);
        if (!*names[i] && *cells->v[i]) {
            char q[64];
            jv_shorten(q, sizeof q, cells->v[i]);
            return jv_fail(&p->x,
                           "%s: holds \"%s\" but has no name in the header; name the column or "
                           "move the text into its column",
                           label, q);
        }
    }
    char **v = cells->v;
    static const size_t plain[] = {C_ID,         C_CODE, C_NAME,  C_LEVEL,
                                   C_TIME_LIMIT, C_FEES, C_WHERE, C_URL};
    for (size_t i = 0; i < HL_ARRAY_LEN(plain); i++)
        for (size_t k = 0; k < HL_ARRAY_LEN(item_text); k++)
            if (strcmp(item_text[k].key, csv_cols[plain[i]]) == 0)
                *item_str(it, &item_text[k]) = xstrdup(v[col[plain[i]]]);
    int rc = csv_field(p, s, field_lines, fcap, v[col[C_FIELD_ID]], v[col[C_FIELD_NAME]], line,
                       &it->field);
    if (rc)
        return rc;
    size_t n;
    char **docs = cell_lines(v[col[C_DOCUMENTS]], &n);
    it->docs = xcalloc(n, sizeof *it->docs);
    it->n_docs = n;
    for (size_t k = 0; k < n; k++) {
        char *bar = strchr(docs[k], '|');
        if (bar)
            *bar = '\0';
        it->docs[k].name = xstrdup(trim(docs[k]));
        it->docs[k].copies = xstrdup(bar ? trim(bar + 1) : "");
    }
    free_strs(docs, n);
    it->steps = cell_lines(v[col[C_STEPS]], &it->n_steps);
    it->legal = cell_lines(v[col[C_LEGAL]], &it->n_legal);
    if (!*v[col[C_ONLINE]])
        return jv_fail(&p->x, "column online: empty; write full (toàn trình), partial (một "
                              "phần) or none (không)");
    rc = online_from_csv(p, v[col[C_ONLINE]], &it->online);
    if (!rc)
        rc = check_item(p, it);
    return rc;
}

int proc_parse_csv(proc_set **out, const char *csv, size_t len, const char *name, char *err,
                   size_t errlen)
{
    *out = NULL;
    pctx p = {.x = {.err = err, .errlen = errlen}, .name = name, .csv = 1};
    util_strlcpy(p.x.file, name, sizeof p.x.file);
    if (len >= 2 && (((unsigned char)csv[0] == 0xFF && (unsigned char)csv[1] == 0xFE) ||
                     ((unsigned char)csv[0] == 0xFE && (unsigned char)csv[1] == 0xFF)))
        return jv_fail(&p.x, "is saved as UTF-16 (\"Unicode Text\"); save it as \"CSV UTF-8 "
                             "(Comma delimited)\"");
    /* Excel's "CSV UTF-8" starts with a byte order mark. */
    if (len >= 3 && memcmp(csv, "\xEF\xBB\xBF", 3) == 0) {
        csv += 3;
        len -= 3;
    }
    const char *nul = memchr(csv, '\0', len);
    if (nul) {
        long line = 1;
        for (const char *c = csv; c < nul; c++)
            line += *c == '\n';
        at_line(&p, line);
        return jv_fail(&p.x, "contains a NUL byte; this is not a CSV text file; save it as "
                             "\"CSV UTF-8 (Comma delimited)\"");
    }
    csv_rd r = {.p = csv, .end = csv + len, .line = 1, .delim = ','};
    /* Excel in locales whose decimal mark is a comma (Vietnamese among them) separates with ';'.
     * The header names hold neither, so the first line tells which one this file uses. */
    {
        size_t commas = 0, semis = 0;
        for (const char *c = csv; c < r.end && *c != '\n'; c++) {
            commas += *c == ',';
            semis += *c == ';';
        }
        if (semis > 0 && commas == 0)
            r.delim = ';';
    }
    cellv cells = {0};
    sbuf b = {0};
    char **names = NULL;
    size_t n_names = 0, col[C_COUNT], items_cap = 0, fcap = 0, lcap = 0;
    long start = 1, *field_lines = NULL;
    proc_set *s = xcalloc(1, sizeof *s);
    int rc, have_header = 0;
    while ((rc = csv_record(&p, &r, &cells, &b, (const char *const *)names, n_names, &start)) ==
           1) {
        at_line(&p, start);
        if (row_blank(&cells))
            continue; /* blank lines, and rows Excel leaves as ",,,,," */
        if (!have_header) {
            rc = csv_header(&p, &cells, col, &names);
            n_names = cells.n;
            if (rc)
                break;
            have_header = 1;
            continue;
        }
        if (cells.n != n_names) {
            rc = jv_fail(&p.x,
                         "%zu cells, but the header has %zu columns; put a cell that holds a "
                         "comma or a line break in double quotes (Excel does this when saving "
                         "as \"CSV UTF-8\")",
                         cells.n, n_names);
            break;
        }
        if (s->n_items == items_cap) {
            items_cap = items_cap ? items_cap * 2 : 64;
            s->items = xrealloc(s->items, items_cap * sizeof *s->items);
        }
        if (s->n_items == lcap) {
            lcap = items_cap;
            p.lines = xrealloc(p.lines, lcap * sizeof *p.lines);
        }
        proc_item *it = &s->items[s->n_items];
        memset(it, 0, sizeof *it);
        p.lines[s->n_items] = start;
        s->n_items++;
        p.index = s->n_items - 1;
        rc =
            csv_row(&p, s, &cells, col, (const char *const *)names, &field_lines, &fcap, start, it);
        if (rc)
            break;
    }
    if (rc == 0 && !have_header)
        rc = jv_fail(&p.x, "is empty; the first row must be the header: id, code, name, "
                           "field_id, field_name, level, time_limit, fees, documents, steps, "
                           "where, legal_basis, online, url");
    else if (rc == 0 && s->n_items == 0) {
        util_strlcpy(p.x.file, name, sizeof p.x.file);
        rc = jv_fail(&p.x, "no procedures after the header; add one row per procedure");
    }
    if (rc == 0)
        rc = check_unique(&p, s);
    cells_clear(&cells);
    free(cells.v);
    free(b.s);
    free_strs(names, n_names);
    free(field_lines);
    free(p.lines);
    if (rc) {
        proc_free(s);
        return rc;
    }
    count_fields(s);
    *out = s;
    return 0;
}

/* ---- writing and importing ---- */

static cJSON *str_array(char *const *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
    return a;
}

static char *to_json(const proc_set *s)
{
    static const char *const online[] = {[PROC_ONLINE_NONE] = "none",
                                         [PROC_ONLINE_PARTIAL] = "partial",
                                         [PROC_ONLINE_FULL] = "full"};
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "format", PROC_FORMAT);
    if (s->note && *s->note)
        cJSON_AddStringToObject(root, "_note", s->note);
    cJSON *fields = cJSON_AddArrayToObject(root, "fields");
    for (size_t i = 0; i < s->n_fields; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "id", s->fields[i].id);
        cJSON_AddStringToObject(f, "name", s->fields[i].name);
        cJSON_AddItemToArray(fields, f);
    }
    cJSON *items = cJSON_AddArrayToObject(root, "procedures");
    for (size_t i = 0; i < s->n_items; i++) {
        const proc_item *it = &s->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", it->id);
        cJSON_AddStringToObject(o, "code", it->code);
        cJSON_AddStringToObject(o, "name", it->name);
        cJSON_AddStringToObject(o, "field", s->fields[it->field].id);
        cJSON_AddStringToObject(o, "level", it->level);
        cJSON_AddStringToObject(o, "time_limit", it->time_limit);
        cJSON_AddStringToObject(o, "fees", it->fees);
        cJSON *docs = cJSON_AddArrayToObject(o, "documents");
        for (size_t k = 0; k < it->n_docs; k++) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "name", it->docs[k].name);
            cJSON_AddStringToObject(d, "copies", it->docs[k].copies ? it->docs[k].copies : "");
            cJSON_AddItemToArray(docs, d);
        }
        cJSON_AddItemToObject(o, "steps", str_array(it->steps, it->n_steps));
        cJSON_AddStringToObject(o, "where", it->where);
        cJSON_AddItemToObject(o, "legal_basis", str_array(it->legal, it->n_legal));
        cJSON_AddStringToObject(o, "online", online[it->online]);
        cJSON_AddStringToObject(o, "url", it->url);
        cJSON_AddItemToArray(items, o);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

/* The directory holding path, for the fsync that makes a rename durable. */
static void dir_of(const char *path, char *dst, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        util_strlcpy(dst, ".", cap);
    else if (slash == path)
        util_strlcpy(dst, "/", cap);
    else
        util_fmt(dst, cap, "%.*s", (int)(slash - path), path);
}

/* Readers see the old file or the new one, never a part: write a temporary file beside it,
 * fsync, rename over, then fsync the directory so the rename survives a power cut. */
static int write_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
    char tmp[PATH_MAX], dir[PATH_MAX];
    if (util_fmt(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) != 0) {
        util_fmt(err, errlen, "%s: path too long", path);
        return HL_EXIT_RUNTIME;
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        util_fmt(err, errlen, "%s: cannot write: %s; check that the folder exists and is writable",
                 path, strerror(errno));
        return HL_EXIT_RUNTIME;
    }
    const char *what = "write";
    int ok = fchmod(fd, 0644) == 0; /* mkstemp's 0600 would hide it from a kiosk user */
    for (size_t off = 0; ok && off < len;) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        if (ok)
            off += (size_t)n;
        else if (n == 0)
            errno = EIO;
    }
    if (ok && fsync(fd) != 0) {
        ok = 0;
        what = "fsync";
    }
    int e = errno;
    if (close(fd) != 0 && ok) {
        e = errno;
        ok = 0;
        what = "close";
    }
    if (ok && rename(tmp, path) != 0) {
        e = errno;
        ok = 0;
        what = "rename";
    }
    if (!ok) {
        unlink(tmp);
        util_fmt(err, errlen, "%s: cannot write (%s: %s); the old file is unchanged", path, what,
                 strerror(e));
        return HL_EXIT_RUNTIME;
    }
    dir_of(path, dir, sizeof dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

int proc_write_json(const proc_set *s, const char *path, char *err, size_t errlen)
{
    char *text = to_json(s);
    if (!text) {
        util_fmt(err, errlen, "%s: out of memory while writing", path);
        return HL_EXIT_RUNTIME;
    }
    size_t len = strlen(text);
    /* End with a newline, as editors and diff expect. */
    char *full = xmalloc(len + 2);
    memcpy(full, text, len);
    full[len] = '\n';
    full[len + 1] = '\0';
    free(text);
    int rc = write_atomic(path, full, len + 1, err, errlen);
    free(full);
    return rc;
}

int proc_import(const char *src, const char *dest, size_t *n_imported, char *err, size_t errlen)
{
    if (n_imported)
        *n_imported = 0;
    size_t len;
    char *buf = util_read_file(src, &len);
    if (!buf) {
        util_fmt(err, errlen, "%s: cannot open: %s", src, strerror(errno));
        return HL_EXIT_USAGE;
    }
    const char *c = buf;
    if (len >= 3 && memcmp(c, "\xEF\xBB\xBF", 3) == 0)
        c += 3;
    while (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n')
        c++;
    proc_set *s = NULL;
    int is_json = *c == '{';
    int rc = is_json ? parse_json(&s, buf, len, src, err, errlen)
                     : proc_parse_csv(&s, buf, len, src, err, errlen);
    free(buf);
    if (rc)
        return rc;
    if (!is_json) {
        /* Tell whoever opens procedures.json where it comes from. */
        const char *base = strrchr(src, '/');
        base = base ? base + 1 : src;
        char note[512];
        util_fmt(note, sizeof note,
                 "Imported from %s with hailong-kiosk import-procedures. Edit the spreadsheet "
                 "and import it again rather than editing this file; see docs/PROCEDURES.md.",
                 base);
        free(s->note);
        s->note = xstrdup(note);
    }
    rc = proc_write_json(s, dest, err, errlen);
    if (!rc && n_imported)
        *n_imported = s->n_items;
    proc_free(s);
    return rc;
}

/* ---- folding ---- */

static int is_word_cat(utf8proc_category_t c)
{
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

/* Invalid UTF-8 (only from outside the validated files) becomes spaces instead of failing. */
static char *clean_utf8(const char *s)
{
    size_t len = strlen(s), o = 0;
    char *out = xmalloc(len + 1);
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n < 0) {
            out[o++] = ' ';
            i++;
        } else {
            memcpy(out + o, s + i, (size_t)n);
            o += (size_t)n;
            i += (size_t)n;
        }
    }
    out[o] = '\0';
    return out;
}

char *proc_fold(const char *utf8)
{
    utf8proc_uint8_t *m = NULL;
    const int opts = UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
                     UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)utf8, 0, &m, opts);
    if (n < 0) {
        char *clean = clean_utf8(utf8);
        n = utf8proc_map((const utf8proc_uint8_t *)clean, 0, &m, opts);
        free(clean);
        if (n < 0)
            return xstrdup("");
    }
    /* Output is never longer than m: letters and digits are copied, đ shrinks, the rest becomes
     * at most one space. */
    char *out = xmalloc((size_t)n + 1);
    size_t o = 0;
    int space = 0;
    for (utf8proc_ssize_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(m + i, n - i, &cp);
        if (k <= 0)
            break;
        i += k;
        if (cp == 0x0111 || cp == 0x0110) /* đ Đ: a letter of its own, no decomposition */
            cp = 'd';
        if (!is_word_cat(utf8proc_category(cp))) {
            space = o > 0;
            continue;
        }
        if (space)
            out[o++] = ' ';
        space = 0;
        o += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)out + o);
    }
    out[o] = '\0';
    free(m);
    return out;
}

/* The words of folded text, pointing into it (spaces become NULs). */
static size_t split_words(char *f, char ***words)
{
    size_t n = 0, cap = 1;
    for (const char *s = f; *s; s++)
        cap += *s == ' ';
    *words = xcalloc(cap, sizeof **words);
    for (char *w = f; *w;) {
        char *sp = strchr(w, ' ');
        (*words)[n++] = w;
        if (!sp)
            break;
        *sp = '\0';
        w = sp + 1;
    }
    return n;
}

int proc_match_spans(const char *text, const char *query, size_t *starts, size_t *lens, int max)
{
    if (!text || !query || max <= 0)
        return 0;
    char *fq = proc_fold(query), **qw;
    size_t nq = split_words(fq, &qw);
    int found = 0;
    size_t len = strlen(text), cap = 64;
    char *word = xmalloc(cap);
    for (size_t i = 0; nq && i < len && found < max;) {
        /* A word is a run of letters and digits; combining marks stay with it, so decomposed
         * text highlights whole letters. */
        size_t a = i, b = i;
        while (b < len) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)text + b,
                                                  (utf8proc_ssize_t)(len - b), &cp);
            if (k < 0) {
                if (b == a)
                    a = b = b + 1; /* skip an invalid byte */
                break;
            }
            utf8proc_category_t c = utf8proc_category(cp);
            int in_word =
                is_word_cat(c) || (b > a && c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME);
            if (!in_word)
                break;
            b += (size_t)k;
        }
        if (b == a) {
            /* a separator: step over one character */
            utf8proc_int32_t cp;
            utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)text + i,
                                                  (utf8proc_ssize_t)(len - i), &cp);
            i += k > 0 ? (size_t)k : 1;
            continue;
        }
        if (b - a + 1 > cap) {
            cap = b - a + 1;
            word = xrealloc(word, cap);
        }
        memcpy(word, text + a, b - a);
        word[b - a] = '\0';
        char *fw = proc_fold(word);
        for (size_t q = 0; q < nq; q++) {
            int hit =
                strcmp(fw, qw[q]) == 0 || (q == nq - 1 && strncmp(fw, qw[q], strlen(qw[q])) == 0);
            if (hit) {
                starts[found] = a;
                lens[found] = b - a;
                found++;
                break;
            }
        }
        free(fw);
        i = b;
    }
    free(word);
    free(qw);
    free(fq);
    return found;
}

/* ---- search index ---- */

struct proc_index {
    sqlite3 *db;
    sqlite3_stmt *search;
    sbuf expr; /* the MATCH expression, reused between keystrokes */
};

void proc_index_free(proc_index *ix)
{
    if (!ix)
        return;
    sqlite3_finalize(ix->search);
    sqlite3_close(ix->db);
    free(ix->expr.s);
    free(ix);
}

static int index_fail(proc_index *ix, const char *what, char *err, size_t errlen)
{
    util_fmt(err, errlen, "procedure search: %s: %s", what,
             ix->db ? sqlite3_errmsg(ix->db) : "out of memory");
    proc_index_free(ix);
    return HL_EXIT_RUNTIME;
}

static char *item_body(const proc_item *it)
{
    sbuf b = {0};
    sb_add(&b, "", 0);
    const char *parts[] = {it->time_limit, it->fees, it->where};
    for (size_t i = 0; i < HL_ARRAY_LEN(parts); i++) {
        sb_add(&b, parts[i], strlen(parts[i]));
        sb_add(&b, "\n", 1);
    }
    for (size_t k = 0; k < it->n_docs; k++) {
        sb_add(&b, it->docs[k].name, strlen(it->docs[k].name));
        sb_add(&b, "\n", 1);
        sb_add(&b, it->docs[k].copies, strlen(it->docs[k].copies));
        sb_add(&b, "\n", 1);
    }
    for (size_t k = 0; k < it->n_steps; k++) {
        sb_add(&b, it->steps[k], strlen(it->steps[k]));
        sb_add(&b, "\n", 1);
    }
    for (size_t k = 0; k < it->n_legal; k++) {
        sb_add(&b, it->legal[k], strlen(it->legal[k]));
        sb_add(&b, "\n", 1);
    }
    char *f = proc_fold(b.s);
    free(b.s);
    return f;
}

/* Column weights for the ranking: a word in the name counts most, then in the code, the field's
 * name, and the rest of the text. */
static const double rank_weight[4] = {10.0, 5.0, 2.0, 1.0};

/* hl_rank(t): minus the sum, over the query's words, of the weights of the columns holding that
 * word. bm25(t, 10, 5, 2, 1) would also weigh term frequency and length, but it reads each row's
 * column sizes and merges every hit: measured 2.1-3.3 ms for a first letter that matches all of
 * 2 000 procedures (7-8 ms with a busy CPU), against 0.5-0.7 ms for this, which only asks which
 * columns hold each word. The 5 ms keystroke budget needs the headroom on a slow kiosk PC. */
static void hl_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                    sqlite3_value **val)
{
    (void)nval;
    (void)val;
    double score = 0;
    int n = api->xPhraseCount(fts);
    for (int i = 0; i < n; i++) {
        Fts5PhraseIter it;
        int col = -1;
        if (api->xPhraseFirstColumn(fts, i, &it, &col) != SQLITE_OK)
            break;
        for (; col >= 0; api->xPhraseNextColumn(fts, &it, &col))
            if (col < (int)HL_ARRAY_LEN(rank_weight))
                score += rank_weight[col];
    }
    sqlite3_result_double(ctx, -score);
}

/* The FTS5 API pointer, as the FTS5 documentation shows how to obtain it. */
static fts5_api *get_fts5_api(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return api;
}

int proc_index_build(proc_index **out, const proc_set *s, char *err, size_t errlen)
{
    *out = NULL;
    proc_index *ix = xcalloc(1, sizeof *ix);
    if (sqlite3_open_v2(":memory:", &ix->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK)
        return index_fail(ix, "cannot open an in-memory database", err, errlen);
    /* The text is folded by proc_fold before it gets here, so SQLite's own diacritic removal
     * (which misses đ) stays off; prefix indexes keep the first keystrokes fast. */
    if (sqlite3_exec(ix->db,
                     "CREATE VIRTUAL TABLE t USING fts5(name, code, field, body,"
                     " tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3');"
                     "BEGIN",
                     NULL, NULL, NULL) != SQLITE_OK)
        return index_fail(ix, "cannot create the FTS5 table", err, errlen);
    sqlite3_stmt *ins = NULL;
    if (sqlite3_prepare_v2(ix->db,
                           "INSERT INTO t (rowid, name, code, field, body) VALUES (?, ?, ?, ?, ?)",
                           -1, &ins, NULL) != SQLITE_OK)
        return index_fail(ix, "cannot prepare the insert", err, errlen);
    for (size_t i = 0; i < s->n_items; i++) {
        const proc_item *it = &s->items[i];
        char *cols[4] = {proc_fold(it->name), proc_fold(it->code),
                         proc_fold(s->fields[it->field].name), item_body(it)};
        sqlite3_bind_int64(ins, 1, (sqlite3_int64)i);
        for (int c = 0; c < 4; c++)
            sqlite3_bind_text(ins, c + 2, cols[c], -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(ins);
        sqlite3_reset(ins);
        for (int c = 0; c < 4; c++)
            free(cols[c]);
        if (rc != SQLITE_DONE) {
            sqlite3_finalize(ins);
            return index_fail(ix, "cannot index a procedure", err, errlen);
        }
    }
    sqlite3_finalize(ins);
    if (sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return index_fail(ix, "cannot commit the index", err, errlen);
    fts5_api *api = get_fts5_api(ix->db);
    if (!api || api->xCreateFunction(api, "hl_rank", NULL, hl_rank, NULL) != SQLITE_OK)
        return index_fail(ix, "cannot register the ranking function", err, errlen);
    /* rowid breaks ties: the file's own order, stable between keystrokes. */
    if (sqlite3_prepare_v3(ix->db,
                           "SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY hl_rank(t), rowid", -1,
                           SQLITE_PREPARE_PERSISTENT, &ix->search, NULL) != SQLITE_OK)
        return index_fail(ix, "cannot prepare the search", err, errlen);
    *out = ix;
    return 0;
}

int proc_search(proc_index *ix, const char *query, size_t *out, size_t max)
{
    if (!ix || !query)
        return -1;
    char *f = proc_fold(query), **words;
    size_t n = split_words(f, &words);
    if (n == 0) {
        free(words);
        free(f);
        return 0;
    }
    /* Folded words hold only letters and digits, and each is quoted, so nothing the user types
     * can become FTS5 syntax (", *, NEAR, AND, ^, column filters). */
    ix->expr.len = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_add(&ix->expr, " ", 1);
        sb_add(&ix->expr, "\"", 1);
        sb_add(&ix->expr, words[i], strlen(words[i]));
        sb_add(&ix->expr, i + 1 == n ? "\"*" : "\"", i + 1 == n ? 2 : 1);
    }
    free(words);
    free(f);
    sqlite3_stmt *st = ix->search;
    sqlite3_bind_text(st, 1, ix->expr.s, (int)ix->expr.len, SQLITE_STATIC);
    int total = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((size_t)total < max)
            out[total] = (size_t)sqlite3_column_int64(st, 0);
        total++;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? total : -1;
}
