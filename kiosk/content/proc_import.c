/* proc_import: the IT-staff side of procedures: the CSV they keep in Excel (RFC 4180, named
 * columns, one record per row) and the import that checks a CSV or JSON whole and only then
 * replaces procedures.json atomically. */
#include "proc.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <utf8proc.h>

#include "atomic_file.h"
#include "buf.h"
#include "jsonv.h"
#include "proc_int.h"
#include "util.h"

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
    C_CHANNELS, /* optional: the only column that may be missing */
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
    [C_CHANNELS] = "channels",
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

static void cells_push(cellv *c, const buf *b)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->v = xrealloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n++] = xstrdup(buf_cstr(b));
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

/* A problem with cell idx of the record that starts on line: "FILE:LINE: column fees: what". */
static int cell_fail(proc_ctx *p, const char *const *hdr, size_t n_hdr, size_t idx, long line,
                     const char *what)
{
    char col[96];
    col_label(col, sizeof col, hdr, n_hdr, idx);
    proc_at_line(p, line);
    return jv_fail(&p->x, "%s: %s", col, what);
}

/* Reads one record (RFC 4180: quoted cells may hold the delimiter, "" and line breaks; CRLF or
 * LF). Returns 1 with cells filled, 0 at the end of the input, or an error code. *start is the
 * physical line the record begins on: the line IT staff find it on in a text editor. */
static int csv_record(proc_ctx *p, csv_rd *r, cellv *cells, buf *b, const char *const *hdr,
                      size_t n_hdr, long *start)
{
    cells_clear(cells);
    *start = r->line;
    if (r->p >= r->end)
        return 0;
    for (;;) {
        buf_reset(b);
        if (r->p < r->end && *r->p == '"') {
            r->p++;
            for (;;) {
                if (r->p >= r->end)
                    return cell_fail(p, hdr, n_hdr, cells->n, *start,
                                     "a cell opened with a double quote \" is never closed; "
                                     "close it, and write a \" inside a cell as \"\"");
                const char *q = r->p;
                if (*q == '"' && q + 1 < r->end && q[1] == '"') {
                    buf_add(b, "\"", 1);
                    r->p += 2;
                } else if (*q == '"') {
                    r->p++;
                    break;
                } else if (*q == '\r' || *q == '\n') {
                    /* A line break inside a cell is stored as \n whatever the file uses. */
                    buf_add(b, "\n", 1);
                    r->p += (*q == '\r' && q + 1 < r->end && q[1] == '\n') ? 2 : 1;
                    r->line++;
                } else {
                    const char *s = q;
                    while (s < r->end && *s != '"' && *s != '\r' && *s != '\n')
                        s++;
                    buf_add(b, q, (size_t)(s - q));
                    r->p = s;
                }
            }
            if (r->p < r->end && *r->p != r->delim && *r->p != '\r' && *r->p != '\n')
                return cell_fail(p, hdr, n_hdr, cells->n, *start,
                                 "text after the closing double quote; put the whole cell in "
                                 "quotes and write a \" inside it as \"\"");
        } else {
            const char *s = r->p;
            while (s < r->end && *s != r->delim && *s != '\r' && *s != '\n')
                s++;
            buf_add(b, r->p, (size_t)(s - r->p));
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
static int csv_check_cell(proc_ctx *p, const char *col, const char *s)
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

static int online_from_csv(proc_ctx *p, const char *s, proc_online *out)
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
static int csv_field(proc_ctx *p, proc_set *s, long **field_lines, size_t *cap, const char *id,
                     const char *name, long line, size_t *out)
{
    int rc = proc_check_str(p, "column field_id", id, JV_REQUIRED,
                            "every procedure needs the id of its field, e.g. \"ho-tich\"");
    if (!rc)
        rc = proc_check_id(p, "column field_id", id, "ho-tich");
    if (!rc)
        rc = proc_check_str(p, "column field_name", name, JV_REQUIRED,
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

static int csv_header(proc_ctx *p, cellv *cells, size_t col[C_COUNT], char ***names)
{
    char list[256] = "";
    for (size_t c = 0; c < C_COUNT; c++) {
        size_t used = strlen(list);
        util_fmt(list + used, sizeof list - used, "%s%s%s", c ? ", " : "", csv_cols[c],
                 c == C_CHANNELS ? " (may be left out)" : "");
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
        if (col[c] == SIZE_MAX && c != C_CHANNELS)
            return jv_fail(&p->x,
                           "header: column \"%s\" is missing; the first row must name these "
                           "columns, in any order: %s",
                           csv_cols[c], list);
    return 0;
}

/* One data row into it. Cells are trimmed in place. */
static int csv_row(proc_ctx *p, proc_set *s, cellv *cells, const size_t col[C_COUNT],
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
    static const size_t plain[] = {C_ID,   C_CODE,  C_NAME, C_LEVEL,   C_TIME_LIMIT,
                                   C_FEES, C_WHERE, C_URL,  C_CHANNELS};
    for (size_t i = 0; i < HL_ARRAY_LEN(plain); i++)
        for (size_t k = 0; k < HL_ARRAY_LEN(proc_item_text); k++)
            if (strcmp(proc_item_text[k].key, csv_cols[plain[i]]) == 0)
                *proc_item_str(it, &proc_item_text[k]) =
                    xstrdup(col[plain[i]] == SIZE_MAX ? "" : v[col[plain[i]]]);
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
    proc_free_strs(docs, n);
    it->steps = cell_lines(v[col[C_STEPS]], &it->n_steps);
    it->legal = cell_lines(v[col[C_LEGAL]], &it->n_legal);
    if (!*v[col[C_ONLINE]])
        return jv_fail(&p->x, "column online: empty; write full (toàn trình), partial (một "
                              "phần) or none (không)");
    rc = online_from_csv(p, v[col[C_ONLINE]], &it->online);
    if (!rc)
        rc = proc_check_item(p, it);
    return rc;
}

int proc_parse_csv(proc_set **out, const char *csv, size_t len, const char *name, char *err,
                   size_t errlen)
{
    *out = NULL;
    proc_ctx p = {.x = {.err = err, .errlen = errlen}, .name = name, .csv = 1};
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
        proc_at_line(&p, line);
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
    buf b = {0};
    char **names = NULL;
    size_t n_names = 0, col[C_COUNT], items_cap = 0, fcap = 0, lcap = 0;
    long start = 1, *field_lines = NULL;
    proc_set *s = xcalloc(1, sizeof *s);
    int rc, have_header = 0;
    while ((rc = csv_record(&p, &r, &cells, &b, (const char *const *)names, n_names, &start)) ==
           1) {
        proc_at_line(&p, start);
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
        rc = proc_check_unique(&p, s);
    cells_clear(&cells);
    free(cells.v);
    buf_free(&b);
    proc_free_strs(names, n_names);
    free(field_lines);
    free(p.lines);
    if (rc) {
        proc_free(s);
        return rc;
    }
    proc_count_fields(s);
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

char *proc_to_json(const proc_set *s)
{
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
        if (*it->channels)
            cJSON_AddStringToObject(o, "channels", it->channels);
        cJSON_AddItemToObject(o, "legal_basis", str_array(it->legal, it->n_legal));
        cJSON_AddStringToObject(o, "online", proc_online_names[it->online]);
        cJSON_AddStringToObject(o, "url", it->url);
        cJSON_AddItemToArray(items, o);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

/* Replaced through common/atomic_file (temp file beside it, fsync, rename, fsync the folder).
 * Failures keep the words and the exit code the import has always had and docs/PROCEDURES.md
 * promises: "PATH: cannot write: ..." and 1, a runtime error, also for a missing or read-only
 * folder (atomic_file calls those a usage error, as an export's --out is the user's choice; this
 * path is the kiosk's own content folder). */
static int write_file(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
    char why[HL_ERR_MAX];
    if (af_write_file(path, data, len, "import the procedures again", why, sizeof why) == 0)
        return 0;
    util_fmt(err, errlen, "%s: cannot write: %s", path, why);
    return HL_EXIT_RUNTIME;
}

int proc_write_json(const proc_set *s, const char *path, char *err, size_t errlen)
{
    char *text = proc_to_json(s);
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
    int rc = write_file(path, full, len + 1, err, errlen);
    free(full);
    return rc;
}

int proc_import(const char *src, const char *dest, size_t *n_imported, char *err, size_t errlen)
{
    if (n_imported)
        *n_imported = 0;
    size_t len;
    char *text = util_read_file_max(src, PROC_FILE_MAX, &len);
    if (!text) {
        char why[96];
        util_read_why(errno, PROC_FILE_MAX, why, sizeof why);
        util_fmt(err, errlen, "%s: cannot open: %s", src, why);
        return HL_EXIT_USAGE;
    }
    const char *c = text;
    if (len >= 3 && memcmp(c, "\xEF\xBB\xBF", 3) == 0)
        c += 3;
    while (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n')
        c++;
    proc_set *s = NULL;
    int is_json = *c == '{';
    int rc = is_json ? proc_parse_json_z(&s, text, len, src, err, errlen)
                     : proc_parse_csv(&s, text, len, src, err, errlen);
    free(text);
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
