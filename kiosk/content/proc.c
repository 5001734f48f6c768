/* proc: the procedures the kiosk publishes: the model, its validation (shared by the JSON and the
 * CSV reader) and procedures.json loaded and validated whole. The CSV reader and the import are in
 * proc_import.c, the search in proc_search.c; docs/PROCEDURES.md is the format. */
#include "proc.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jsonv.h"
#include "proc_int.h"
#include "util.h"

/* ---- freeing ---- */

void proc_free_strs(char **v, size_t n)
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
    proc_free_strs(it->steps, it->n_steps);
    free(it->where);
    proc_free_strs(it->legal, it->n_legal);
    free(it->url);
    free(it->channels);
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

void proc_at_line(proc_ctx *p, long line)
{
    util_fmt(p->x.file, sizeof p->x.file, "%s:%ld", p->name, line);
}

/* Where key (its entry k when k >= 0, and sub-key sub) of the current record is. */
static void rec_path(const proc_ctx *p, char *dst, size_t cap, const char *key, long k,
                     const char *sub)
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

int proc_check_str(proc_ctx *p, const char *path, const char *s, int flags, const char *hint)
{
    int rc = jv_check_text(&p->x, path, s, flags & JV_MULTILINE);
    if (!rc && (flags & JV_REQUIRED) && is_blank(s))
        rc = jv_fail(&p->x, "%s: empty; %s", path, hint);
    return rc;
}

int proc_check_id(proc_ctx *p, const char *path, const char *s, const char *example)
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

const proc_text_field proc_item_text[PROC_N_TEXT] = {
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
    {"channels", offsetof(proc_item, channels), JV_MULTILINE | PROC_KEY_OPTIONAL,
     "how it may be submitted as published (cách thức thực hiện), or leave it out"},
    {"url", offsetof(proc_item, url), 0,
     "the procedure's page on the public service portal (https://...), or empty"},
};

char **proc_item_str(proc_item *it, const proc_text_field *f)
{
    return (char **)((char *)it + f->off);
}

int proc_check_item(proc_ctx *p, proc_item *it)
{
    char path[JV_PATH_MAX];
    int rc = 0;
    for (size_t i = 0; !rc && i < HL_ARRAY_LEN(proc_item_text); i++) {
        const proc_text_field *f = &proc_item_text[i];
        rec_path(p, path, sizeof path, f->key, -1, NULL);
        rc = proc_check_str(p, path, *proc_item_str(it, f), f->flags, f->hint);
        if (!rc && i == 0)
            rc = proc_check_id(p, path, it->id, "dang-ky-khai-sinh");
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
        rc = proc_check_str(p, path, it->docs[k].name, JV_REQUIRED, doc_hint);
        rec_path(p, path, sizeof path, "documents", (long)k, "copies");
        if (!rc)
            rc = proc_check_str(p, path, it->docs[k].copies, 0, "");
    }
    if (!rc && it->n_steps == 0) {
        rec_path(p, path, sizeof path, "steps", -1, NULL);
        return jv_fail(&p->x, "%s: empty; list the steps, %s", path,
                       p->csv ? "one per line in the cell (Alt+Enter in Excel)"
                              : "[ \"Bước 1: ...\", ... ]");
    }
    for (size_t k = 0; !rc && k < it->n_steps; k++) {
        rec_path(p, path, sizeof path, "steps", (long)k, NULL);
        rc = proc_check_str(p, path, it->steps[k], JV_REQUIRED, "remove the empty step");
    }
    for (size_t k = 0; !rc && k < it->n_legal; k++) {
        rec_path(p, path, sizeof path, "legal_basis", (long)k, NULL);
        rc = proc_check_str(p, path, it->legal[k], JV_REQUIRED, "remove the empty entry");
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
int proc_check_unique(proc_ctx *p, proc_set *s)
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
        proc_at_line(p, p->lines[dup]);
        return jv_fail(&p->x, "%s: \"%s\" is already used on line %ld; ids must be unique", path,
                       p->id, p->lines[first]);
    }
    return jv_fail(&p->x, "%s: \"%s\" is already used by procedures[%zu]; ids must be unique", path,
                   p->id, first);
}

void proc_count_fields(proc_set *s)
{
    for (size_t i = 0; i < s->n_fields; i++)
        s->fields[i].n_items = 0;
    for (size_t i = 0; i < s->n_items; i++)
        s->fields[s->items[i].field].n_items++;
}

/* ---- JSON ---- */

/* obj[key] as a string (checked later by check_item); every key is required. */
static int jget(proc_ctx *p, const cJSON *obj, const char *path, const char *key, char **out)
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
static int jget_strs(proc_ctx *p, const cJSON *obj, const char *key, char ***out, size_t *n)
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

static int jget_docs(proc_ctx *p, const cJSON *obj, proc_item *it)
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

const char *const proc_online_names[3] = {
    [PROC_ONLINE_NONE] = "none", [PROC_ONLINE_PARTIAL] = "partial", [PROC_ONLINE_FULL] = "full"};

static int online_from_json(proc_ctx *p, const char *path, const char *s, proc_online *out)
{
    for (size_t i = 0; i < HL_ARRAY_LEN(proc_online_names); i++)
        if (strcmp(s, proc_online_names[i]) == 0) {
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

static int json_fields(proc_ctx *p, const cJSON *root, proc_set *s)
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
            rc = proc_check_str(p, path, f->id, JV_REQUIRED, "every field needs an id");
        if (!rc)
            rc = proc_check_id(p, path, f->id, "ho-tich");
        for (size_t j = 0; !rc && j < k; j++)
            if (strcmp(s->fields[j].id, f->id) == 0)
                rc = jv_fail(&p->x, "%s: \"%s\" is already used by fields[%zu]; ids must be unique",
                             path, f->id, j);
        jv_path(path, sizeof path, where, "name");
        if (!rc)
            rc = jget(p, e, path, "name", &f->name);
        if (!rc)
            rc = proc_check_str(p, path, f->name, JV_REQUIRED,
                                "every field needs the name shown on its button, e.g. \"Hộ tịch\"");
    }
    return rc;
}

static int json_item(proc_ctx *p, const cJSON *e, proc_set *s, proc_item *it)
{
    static const char *const keys[] = {"id",          "code",   "name",      "field",    "level",
                                       "time_limit",  "fees",   "documents", "steps",    "where",
                                       "legal_basis", "online", "url",       "channels", NULL};
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
    for (size_t i = 0; !rc && i < HL_ARRAY_LEN(proc_item_text); i++) {
        const proc_text_field *f = &proc_item_text[i];
        rec_path(p, path, sizeof path, f->key, -1, NULL);
        if ((f->flags & PROC_KEY_OPTIONAL) && !cJSON_GetObjectItemCaseSensitive(e, f->key))
            *proc_item_str(it, f) = xstrdup("");
        else
            rc = jget(p, e, path, f->key, proc_item_str(it, f));
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
        rc = proc_check_item(p, it);
    return rc;
}

int proc_parse_json_z(proc_set **out, const char *buf, size_t len, const char *name, char *err,
                      size_t errlen)
{
    *out = NULL;
    proc_ctx p = {.x = {.err = err, .errlen = errlen}, .name = name};
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
        rc = proc_check_unique(&p, s);
    cJSON_Delete(root);
    if (rc) {
        proc_free(s);
        return rc;
    }
    proc_count_fields(s);
    *out = s;
    return 0;
}

int proc_parse_json(proc_set **out, const char *json, size_t len, const char *name, char *err,
                    size_t errlen)
{
    char *copy = xmalloc(len + 1);
    memcpy(copy, json, len);
    copy[len] = '\0';
    int rc = proc_parse_json_z(out, copy, len, name, err, errlen);
    free(copy);
    return rc;
}

int proc_load(proc_set **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    size_t len;
    char *buf = util_read_file_max(path, PROC_FILE_MAX, &len);
    if (!buf) {
        char why[96];
        util_read_why(errno, PROC_FILE_MAX, why, sizeof why);
        util_fmt(err, errlen, "%s: cannot open: %s", path, why);
        return HL_EXIT_USAGE;
    }
    int rc = proc_parse_json_z(out, buf, len, path, err, errlen);
    free(buf);
    return rc;
}

/* A web address with nothing after its host: a site's home page, not a procedure's. */
static int is_home_page(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    p = strchr(p, '/');
    return !p || p[1] == '\0';
}

proc_qr_kind proc_qr_target(const proc_item *it, char *buf, size_t n)
{
    if (*it->url && !is_home_page(it->url)) {
        util_strlcpy(buf, it->url, n);
        return PROC_QR_OWN_URL;
    }
    /* Only a code that looks like one makes an address: a file written before codes were
     * checked for this still loads (the kiosk must start), and its QR says it opens the home
     * page rather than a broken address. */
    if (*it->code && strspn(it->code, "0123456789.-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "abcdefghijklmnopqrstuvwxyz") == strlen(it->code)) {
        util_fmt(buf, n, PROC_PORTAL_BY_CODE, it->code);
        return PROC_QR_BY_CODE;
    }
    util_strlcpy(buf, PROC_PORTAL_HOME, n);
    return PROC_QR_HOME_PAGE;
}
