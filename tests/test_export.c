/* test_export: CSV/XLSX exports and the monthly report read back cell by cell (CSV by an RFC 4180
 * parser here, XLSX unzipped with Debian's unzip), period boundaries in Vietnam time, misuse in
 * and out, a folder that vanishes mid-export, cancel, and the CLI's exit codes and messages. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utf8proc.h>

#include "clock.h"
#include "content.h"
#include "export.h"
#include "store.h"
#include "test.h"
#include "util.h"

static char root[PATH_MAX];        /* this run's scratch folder */
static char content_dir[PATH_MAX]; /* officers/reasons with commas, quotes (newlines added later) */
static char data_dir[PATH_MAX];    /* the small, hand-made vote set */
static char bulk_dir[PATH_MAX];    /* 10 000 votes, for mid-export faults */
static content *ct;

#define NAME_A      "Nguyễn Văn \"Tư\", Jr"
#define TITLE_A     "Công chức, \"Tư pháp\""
#define NAME_C      "Lê Văn\nCường" /* set after loading: content files refuse line breaks */
#define REASON_CHAM "Chậm, \"rất\" chậm"
#define REASON_KHAC "Khác\r\nnữa"
#define GONE        "gone (không còn trong danh sách)"

/* ---- small helpers ---- */

static void path_join(char *out, size_t cap, const char *a, const char *b)
{
    if (util_fmt(out, cap, "%s/%s", a, b) != 0) {
        fprintf(stderr, "path too long: %s/%s\n", a, b);
        exit(1);
    }
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static char *slurp(const char *path, size_t *len)
{
    size_t n = 0;
    char *s = util_read_file(path, &n);
    if (len)
        *len = n;
    return s;
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Number of entries (besides . and ..) in a folder; -1 if it cannot be read. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static int64_t local_ms(const char *s)
{
    int64_t ms = 0;
    if (clk_parse_local(s, &ms) != 0) {
        fprintf(stderr, "bad time %s\n", s);
        exit(1);
    }
    return ms;
}

/* ---- an RFC 4180 reader: fields separated by commas, records by CRLF, quotes doubled ---- */

typedef struct {
    char **cells;
    size_t n;
} csv_rec;

typedef struct {
    csv_rec *recs;
    size_t n;
} csv_doc;

static void rec_add(csv_rec *r, const char *s, size_t n)
{
    r->cells = xrealloc(r->cells, (r->n + 1) * sizeof *r->cells);
    char *c = xmalloc(n + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    r->cells[r->n++] = c;
}

/* 0, or -1 for anything RFC 4180 does not allow (a stray quote, a bare LF, no final CRLF).
 * lf_ok also takes a bare LF as the end of a record (LibreOffice writes those). */
static int csv_parse_ex(const char *s, size_t len, csv_doc *doc, int lf_ok)
{
    memset(doc, 0, sizeof *doc);
    size_t i = 0;
    char *field = xmalloc(len + 1);
    while (i < len) {
        doc->recs = xrealloc(doc->recs, (doc->n + 1) * sizeof *doc->recs);
        csv_rec *r = &doc->recs[doc->n++];
        memset(r, 0, sizeof *r);
        for (;;) {
            size_t fl = 0;
            if (i < len && s[i] == '"') {
                i++;
                for (;;) {
                    if (i >= len)
                        goto bad;
                    if (s[i] == '"') {
                        if (i + 1 < len && s[i + 1] == '"') {
                            field[fl++] = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field[fl++] = s[i++];
                }
            } else {
                while (i < len && s[i] != ',' && s[i] != '\r' && s[i] != '\n') {
                    if (s[i] == '"')
                        goto bad;
                    field[fl++] = s[i++];
                }
            }
            rec_add(r, field, fl);
            if (i < len && s[i] == ',') {
                i++;
                continue;
            }
            if (i + 1 < len && s[i] == '\r' && s[i + 1] == '\n') {
                i += 2;
                break;
            }
            if (lf_ok && i < len && s[i] == '\n') {
                i++;
                break;
            }
            goto bad;
        }
    }
    free(field);
    return 0;
bad:
    fprintf(stderr, "CSV: malformed at byte %zu\n", i);
    free(field);
    return -1;
}

static int csv_parse(const char *s, size_t len, csv_doc *doc)
{
    return csv_parse_ex(s, len, doc, 0);
}

static void csv_free(csv_doc *d)
{
    for (size_t k = 0; k < d->n; k++) {
        for (size_t i = 0; i < d->recs[k].n; i++)
            free(d->recs[k].cells[i]);
        free(d->recs[k].cells);
    }
    free(d->recs);
    memset(d, 0, sizeof *d);
}

/* Reads a CSV file: checks the BOM, parses the rest. */
static int read_csv(const char *path, csv_doc *doc)
{
    size_t n;
    char *s = slurp(path, &n);
    if (!s)
        return -1;
    int rc = -1;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        rc = csv_parse(s + 3, n - 3, doc);
    else
        fprintf(stderr, "%s: no UTF-8 BOM\n", path);
    free(s);
    return rc;
}

static void check_rec(const csv_rec *r, const char *const *want, size_t n, int line)
{
    if (r->n != n) {
        fprintf(stderr, "line %d: %zu cells, expected %zu\n", line, r->n, n);
        t_cur_failed = 1;
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(r->cells[i], want[i]) != 0) {
            fprintf(stderr, "line %d: cell %zu is \"%s\", expected \"%s\"\n", line, i, r->cells[i],
                    want[i]);
            t_cur_failed = 1;
        }
}
#define CHECK_REC(r, ...)                                                                          \
    do {                                                                                           \
        static const char *const w_[] = {__VA_ARGS__};                                             \
        check_rec(r, w_, HL_ARRAY_LEN(w_), __LINE__);                                              \
    } while (0)

/* ---- XLSX: parts read with `unzip -p`, cells found in the sheet XML ---- */

static char *run_capture(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = xmalloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    buf[len] = '\0';
    int st = pclose(p);
    if (status)
        *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return buf;
}

static char *unzip_part(const char *xlsx, const char *part)
{
    char cmd[PATH_MAX * 2 + 64];
    util_fmt(cmd, sizeof cmd, "unzip -p '%s' '%s' 2>/dev/null", xlsx, part);
    int st;
    char *s = run_capture(cmd, &st);
    if (s && (st != 0 || !s[0])) {
        free(s);
        return NULL;
    }
    return s;
}

static void xml_unescape(char *s)
{
    static const struct {
        const char *ent;
        char ch;
    } ents[] = {{"&amp;", '&'},  {"&lt;", '<'},    {"&gt;", '>'},
                {"&quot;", '"'}, {"&apos;", '\''}, {"&#10;", '\n'},
                {"&#xA;", '\n'}, {"&#13;", '\r'},  {"&#xD;", '\r'}};
    char *w = s;
    for (const char *r = s; *r;) {
        size_t k;
        for (k = 0; k < HL_ARRAY_LEN(ents); k++)
            if (strncmp(r, ents[k].ent, strlen(ents[k].ent)) == 0)
                break;
        unsigned hex;
        int used = 0;
        if (k < HL_ARRAY_LEN(ents)) {
            *w++ = ents[k].ch;
            r += strlen(ents[k].ent);
        } else if (strncmp(r, "_x", 2) == 0 && sscanf(r, "_x%4x_%n", &hex, &used) == 1 &&
                   used == 7 && hex < 0x80) {
            *w++ = (char)hex; /* OOXML's escape for control characters: _x000D_ is CR */
            r += 7;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

/* Concatenated text of every <t> element in [s, end). */
static char *xml_text(const char *s, const char *end)
{
    size_t cap = (size_t)(end - s) + 1, len = 0;
    char *out = xmalloc(cap);
    for (const char *p = s; (p = strstr(p, "<t")) && p < end;) {
        if (p[2] != '>' && p[2] != ' ') {
            p += 2;
            continue;
        }
        const char *a = strchr(p, '>');
        const char *b = a ? strstr(a, "</t>") : NULL;
        if (!b || b > end)
            break;
        memcpy(out + len, a + 1, (size_t)(b - a - 1));
        len += (size_t)(b - a - 1);
        p = b + 4;
    }
    out[len] = '\0';
    xml_unescape(out);
    return out;
}

typedef struct {
    char *sheet[4];
    char *shared; /* sharedStrings.xml, or NULL (constant_memory writes inline strings) */
    char *styles;
} xlsx_doc;

static int xlsx_open(xlsx_doc *x, const char *path, int n_sheets)
{
    memset(x, 0, sizeof *x);
    for (int i = 0; i < n_sheets; i++) {
        char part[64];
        util_fmt(part, sizeof part, "xl/worksheets/sheet%d.xml", i + 1);
        x->sheet[i] = unzip_part(path, part);
        if (!x->sheet[i])
            return -1;
    }
    x->shared = unzip_part(path, "xl/sharedStrings.xml");
    x->styles = unzip_part(path, "xl/styles.xml");
    return x->styles ? 0 : -1;
}

static void xlsx_close(xlsx_doc *x)
{
    for (int i = 0; i < 4; i++)
        free(x->sheet[i]);
    free(x->shared);
    free(x->styles);
}

static char *shared_string(const xlsx_doc *x, long idx)
{
    const char *p = x->shared;
    for (long i = 0; p && i <= idx; i++) {
        p = strstr(p, "<si>");
        if (p && i < idx)
            p += 4;
    }
    if (!p)
        return xstrdup("?");
    const char *end = strstr(p, "</si>");
    return xml_text(p, end ? end : p + strlen(p));
}

typedef struct {
    int found;
    char type[16]; /* t attribute: "inlineStr", "s", "" for a number */
    int style;     /* s attribute, 0 if none */
    char *text;    /* string value, or the number as written; "" when empty */
} xcell;

/* The cell ref ("E3") of a sheet. */
static xcell xlsx_cell(const xlsx_doc *x, int sheet, const char *ref)
{
    xcell c = {0, "", 0, NULL};
    char key[32];
    util_fmt(key, sizeof key, "<c r=\"%s\"", ref);
    const char *p = strstr(x->sheet[sheet], key);
    if (!p) {
        c.text = xstrdup("");
        return c;
    }
    c.found = 1;
    const char *tag_end = strchr(p, '>');
    char attrs[256] = "";
    size_t al = (size_t)(tag_end - p);
    memcpy(attrs, p, al < sizeof attrs - 1 ? al : sizeof attrs - 1);
    const char *t = strstr(attrs, " t=\"");
    if (t)
        sscanf(t + 4, "%15[^\"]", c.type);
    const char *s = strstr(attrs, " s=\"");
    if (s)
        c.style = (int)strtol(s + 4, NULL, 10);
    if (tag_end[-1] == '/') {
        c.text = xstrdup("");
        return c;
    }
    const char *end = strstr(tag_end, "</c>");
    if (strcmp(c.type, "inlineStr") == 0) {
        c.text = xml_text(tag_end, end);
    } else {
        const char *v = strstr(tag_end, "<v>");
        const char *ve = v ? strstr(v, "</v>") : NULL;
        if (!v || v > end || !ve) {
            c.text = xstrdup("");
            return c;
        }
        char num[64] = "";
        size_t nl = (size_t)(ve - v - 3);
        memcpy(num, v + 3, nl < sizeof num - 1 ? nl : sizeof num - 1);
        c.text = strcmp(c.type, "s") == 0 ? shared_string(x, strtol(num, NULL, 10)) : xstrdup(num);
    }
    return c;
}

static int cell_found(const xlsx_doc *x, int sheet, const char *ref)
{
    xcell c = xlsx_cell(x, sheet, ref);
    free(c.text);
    return c.found;
}

/* A string cell with exactly this text. */
static void check_str_cell(const xlsx_doc *x, int sheet, const char *ref, const char *want,
                           int line)
{
    xcell c = xlsx_cell(x, sheet, ref);
    if (!c.found || (strcmp(c.type, "inlineStr") != 0 && strcmp(c.type, "s") != 0) ||
        strcmp(c.text, want) != 0) {
        fprintf(stderr, "line %d: sheet%d %s: type \"%s\" text \"%s\", expected string \"%s\"\n",
                line, sheet + 1, ref, c.type, c.text, want);
        t_cur_failed = 1;
    }
    free(c.text);
}

/* A numeric cell with this value (within 1e-9). */
static void check_num_cell(const xlsx_doc *x, int sheet, const char *ref, double want, int line)
{
    xcell c = xlsx_cell(x, sheet, ref);
    double v = c.text && c.text[0] ? strtod(c.text, NULL) : NAN;
    if (!c.found || c.type[0] || !(fabs(v - want) < 1e-9)) {
        fprintf(stderr, "line %d: sheet%d %s: type \"%s\" value \"%s\", expected number %.10g\n",
                line, sheet + 1, ref, c.type, c.text, want);
        t_cur_failed = 1;
    }
    free(c.text);
}

/* A cell with no value (absent, or only formatted). */
static void check_empty_cell(const xlsx_doc *x, int sheet, const char *ref, int line)
{
    xcell c = xlsx_cell(x, sheet, ref);
    if (c.text[0]) {
        fprintf(stderr, "line %d: sheet%d %s: \"%s\", expected empty\n", line, sheet + 1, ref,
                c.text);
        t_cur_failed = 1;
    }
    free(c.text);
}
#define CHECK_XSTR(x, sh, ref, want) check_str_cell(x, sh, ref, want, __LINE__)
#define CHECK_XNUM(x, sh, ref, want) check_num_cell(x, sh, ref, want, __LINE__)
#define CHECK_XEMPTY(x, sh, ref)     check_empty_cell(x, sh, ref, __LINE__)

/* The number format code of cell style index xf (cellXfs), "" if built in / not found. */
static void style_format(const xlsx_doc *x, int xf, char *out, size_t cap)
{
    out[0] = '\0';
    const char *p = strstr(x->styles, "<cellXfs");
    for (int i = 0; p && i <= xf; i++)
        p = strstr(p + 1, "<xf ");
    if (!p)
        return;
    int id = -1;
    const char *n = strstr(p, "numFmtId=\"");
    if (n)
        id = (int)strtol(n + 10, NULL, 10);
    char key[64];
    util_fmt(key, sizeof key, "<numFmt numFmtId=\"%d\" formatCode=\"", id);
    const char *f = strstr(x->styles, key);
    if (!f)
        return;
    f += strlen(key);
    const char *e = strchr(f, '"');
    size_t l = (size_t)(e - f) < cap - 1 ? (size_t)(e - f) : cap - 1;
    memcpy(out, f, l);
    out[l] = '\0';
}

/* Excel serial of a Vietnam local time, computed here independently (timegm, 25569 = 1970-01-01
 * in Excel's calendar). */
static double serial_of(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d};
    time_t day = timegm(&tm);
    return (double)(day / 86400 + 25569) + (h * 3600 + mi * 60 + s) / 86400.0;
}

/* ---- fixtures ---- */

typedef struct {
    store_vote v;
    const char *when;
} made_vote;

/* The hand-made votes, indexed by name (see make_votes). */
static made_vote v_before, v_first, v_misuse, v_c, v_b, v_gone, v_last, v_after;

static store *open_store(const char *dir)
{
    store_opts o = {0};
    o.response_interval_ms = 5000;
    store *s = NULL;
    char err[HL_ERR_MAX];
    if (store_open(&s, dir, &o, err, sizeof err) != 0) {
        fprintf(stderr, "store_open(%s): %s\n", dir, err);
        exit(1);
    }
    return s;
}

static void add(store *s, made_vote *mv, const char *code, int rating, const char *when)
{
    char err[HL_ERR_MAX];
    mv->when = when;
    if (store_add_vote(s, "test-01", "boot-1", code, rating, local_ms(when), 0, &mv->v, err,
                       sizeof err) != 0) {
        fprintf(stderr, "store_add_vote: %s\n", err);
        exit(1);
    }
}

/* Votes around November 2026 in Vietnam time. Order matters for misuse: a vote within 5 s after
 * the latest one is misuse, an earlier one (clock went back) is not. */
static void make_votes(void)
{
    store *s = open_store(data_dir);
    char err[HL_ERR_MAX];
    add(s, &v_first, "a", 3, "2026-11-01T00:00:00");  /* first second of the period */
    add(s, &v_before, "a", 1, "2026-10-31T23:59:59"); /* last second before it */
    add(s, &v_misuse, "a", 1, "2026-11-01T00:00:02"); /* 2 s after v_first: misuse */
    v_c.when = "2026-11-05T09:00:00";
    if (store_add_vote(s, "test-01", "boot-1", "c", 1, local_ms(v_c.when), 1, &v_c.v, err,
                       sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    const char *codes[] = {"cham", "khac"};
    if (store_finish_vote(s, v_c.v.uuid, codes, 2, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    add(s, &v_b, "b", 2, "2026-11-10T10:00:00");
    add(s, &v_gone, "gone", 2, "2026-11-12T08:00:00"); /* an officer no longer in content */
    add(s, &v_after, "b", 1, "2026-12-01T00:00:00");   /* first second after the period */
    add(s, &v_last, "b", 3, "2026-11-30T23:59:59");    /* last second of the period */
    if (!v_misuse.v.misuse || v_first.v.misuse || v_before.v.misuse || v_last.v.misuse) {
        fprintf(stderr, "fixture: misuse flags are not as planned\n");
        exit(1);
    }
    store_close(s);
}

/* 10 000 votes in one transaction straight through SQLite, one a minute from 2026-11-01. */
static void make_bulk(void)
{
    store *s = open_store(bulk_dir);
    store_close(s);
    char path[PATH_MAX + 16];
    path_join(path, sizeof path, bulk_dir, "votes.db");
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO votes (uuid, kiosk_id, seq, boot_id, officer_code, "
                           "rating, reasons, created_at, misuse, sync_state) VALUES "
                           "(printf('00000000-0000-4000-8000-%012d', ?1), 'bulk', ?1, 'b', 'a', "
                           "1 + ?1 % 3, '[]', ?2, 0, 'unsent')",
                           -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bulk: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    int64_t t0 = local_ms("2026-11-01T00:00:00");
    for (int i = 1; i <= 10000; i++) {
        sqlite3_bind_int(st, 1, i);
        sqlite3_bind_int64(st, 2, t0 + (int64_t)i * 60000);
        if (sqlite3_step(st) != SQLITE_DONE) {
            fprintf(stderr, "bulk: %s\n", sqlite3_errmsg(db));
            exit(1);
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
}

static void make_content(void)
{
    const char *demo = getenv("HAILONG_ASSETS");
    char demo_dir[PATH_MAX], from[PATH_MAX * 2], to[PATH_MAX * 2];
    path_join(demo_dir, sizeof demo_dir, demo ? demo : HL_SOURCE_ASSETS_DIR, "content");
    util_mkdirs(content_dir);
    const char *copy[] = {"commune.json", "slogans.json"};
    for (size_t i = 0; i < HL_ARRAY_LEN(copy); i++) {
        path_join(from, sizeof from, demo_dir, copy[i]);
        path_join(to, sizeof to, content_dir, copy[i]);
        size_t n;
        char *s = slurp(from, &n);
        if (!s) {
            perror(from);
            exit(1);
        }
        write_text(to, s);
        free(s);
    }
    path_join(to, sizeof to, content_dir, "officers.json");
    write_text(to, "{\"format\": 1, \"officers\": [\n"
                   "  {\"code\": \"a\", \"name\": \"Nguyễn Văn \\\"Tư\\\", Jr\", "
                   "\"title\": \"Công chức, \\\"Tư pháp\\\"\"},\n"
                   "  {\"code\": \"b\", \"name\": \"Trần Thị Bình\", \"title\": \"Công chức\"},\n"
                   "  {\"code\": \"c\", \"name\": \"Lê Văn Cường\", \"title\": \"Công chức\"},\n"
                   "  {\"code\": \"d\", \"name\": \"Đỗ Thị Dung\", \"title\": \"Công chức\"}\n"
                   "]}\n");
    path_join(to, sizeof to, content_dir, "reasons.json");
    write_text(to, "{\"format\": 1, \"reasons\": [\n"
                   "  {\"code\": \"cham\", \"label\": \"Chậm, \\\"rất\\\" chậm\"},\n"
                   "  {\"code\": \"khac\", \"label\": \"Khác\"}\n"
                   "]}\n");
    char err[HL_ERR_MAX];
    if (content_load(&ct, content_dir, err, sizeof err) != 0) {
        fprintf(stderr, "content_load: %s\n", err);
        exit(1);
    }
    /* Line breaks cannot come from the files; the export must still quote them. */
    content_officer *c = (content_officer *)content_find_officer(ct, "c");
    free(c->name);
    c->name = xstrdup(NAME_C);
    content_reason *k = (content_reason *)content_find_reason(ct, "khac");
    free(k->label);
    k->label = xstrdup(REASON_KHAC);
}

static export_votes_opts votes_opts(const char *out, export_format f, int misuse)
{
    export_votes_opts o = {.db = data_dir,
                           .content = ct,
                           .from = {2026, 11, 1},
                           .to = {2026, 11, 30},
                           .format = f,
                           .out = out,
                           .include_misuse = misuse};
    return o;
}

/* ---- tests ---- */

static void test_parse_helpers(void)
{
    export_date d;
    CHECK_INT(export_parse_date("2026-11-30", &d), 0);
    CHECK(d.year == 2026 && d.month == 11 && d.day == 30);
    CHECK_INT(export_parse_date("2024-02-29", &d), 0);
    CHECK_INT(export_parse_date("2026-02-29", &d), -1);
    CHECK_INT(export_parse_date("2026-02-30", &d), -1);
    CHECK_INT(export_parse_date("2026-04-31", &d), -1);
    CHECK_INT(export_parse_date("2026-13-01", &d), -1);
    CHECK_INT(export_parse_date("2026-1-01", &d), -1);
    CHECK_INT(export_parse_date("2026-11-01x", &d), -1);
    CHECK_INT(export_parse_date("", &d), -1);
    int y, m;
    CHECK_INT(export_parse_month("2026-12", &y, &m), 0);
    CHECK(y == 2026 && m == 12);
    CHECK_INT(export_parse_month("2026-13", &y, &m), -1);
    CHECK_INT(export_parse_month("2026-00", &y, &m), -1);
    CHECK_INT(export_parse_month("2026-1", &y, &m), -1);
    char p[16];
    export_pct(2, 3, p, sizeof p);
    CHECK_STR(p, "66,7%");
    export_pct(1, 6, p, sizeof p);
    CHECK_STR(p, "16,7%");
    export_pct(1, 8, p, sizeof p);
    CHECK_STR(p, "12,5%");
    export_pct(3, 3, p, sizeof p);
    CHECK_STR(p, "100,0%");
    export_pct(0, 0, p, sizeof p);
    CHECK_STR(p, "");
    /* 00:00 Vietnam time is 17:00 UTC the day before. */
    export_date nov1 = {2026, 11, 1};
    CHECK_INT(export_date_start_ms(nov1), 1793466000000LL);
    export_format f;
    CHECK(export_format_from_name("/x/y.XLSX", &f) == 0 && f == EXPORT_FMT_XLSX);
    CHECK(export_format_from_name("a.csv", &f) == 0 && f == EXPORT_FMT_CSV);
    CHECK_INT(export_format_from_name("a.csv/b", &f), -1);
}

static const char *const csv_header[] = {"Mã phiếu",
                                         "Mã máy",
                                         "Số thứ tự trên máy",
                                         "Mã cán bộ",
                                         "Họ và tên cán bộ",
                                         "Mức đánh giá (số)",
                                         "Mức đánh giá",
                                         "Lý do chưa hài lòng",
                                         "Thời gian (giờ Việt Nam)",
                                         "Bất thường (1 = bấm lặp, không tính)",
                                         "Trạng thái đồng bộ"};

/* The CSV row a vote must become. */
static void check_vote_rec(const csv_rec *r, const made_vote *mv, const char *name,
                           const char *reasons, const char *when, int line)
{
    char seq[24], rating[4];
    snprintf(seq, sizeof seq, "%lld", (long long)mv->v.seq);
    snprintf(rating, sizeof rating, "%d", mv->v.rating);
    const char *label = mv->v.rating == 3   ? "Rất hài lòng"
                        : mv->v.rating == 2 ? "Hài lòng"
                                            : "Chưa hài lòng";
    const char *want[] = {mv->v.uuid, "test-01", seq,  mv->v.officer_code,       name,    rating,
                          label,      reasons,   when, mv->v.misuse ? "1" : "0", "unsent"};
    check_rec(r, want, HL_ARRAY_LEN(want), line);
}

static void test_csv(void)
{
    char out[PATH_MAX], err[HL_ERR_MAX] = "";
    path_join(out, sizeof out, root, "phieu.csv");
    export_votes_opts o = votes_opts(out, EXPORT_FMT_CSV, 0);
    export_result res;
    int rc = export_votes(&o, &res, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    REQUIRE(rc == 0);
    CHECK_INT(res.rows, 5);
    CHECK_INT(res.counted, 5);
    CHECK_INT(res.misuse, 1);
    CHECK_INT(res.cancelled, 0);

    /* Raw bytes: BOM, CRLF, quoting as RFC 4180 wants it. */
    size_t n;
    char *raw = slurp(out, &n);
    REQUIRE(raw);
    CHECK(n > 3 && memcmp(raw, "\xEF\xBB\xBF", 3) == 0);
    CHECK_CONTAINS(raw, ",\"Nguyễn Văn \"\"Tư\"\", Jr\",");
    CHECK_CONTAINS(raw, ",\"Lê Văn\nCường\",");
    CHECK_CONTAINS(raw, ",\"Chậm, \"\"rất\"\" chậm; Khác\r\nnữa\",");
    CHECK_CONTAINS(raw, ",unsent\r\n");
    free(raw);

    csv_doc d;
    REQUIRE(read_csv(out, &d) == 0);
    REQUIRE(d.n == 6);
    check_rec(&d.recs[0], csv_header, HL_ARRAY_LEN(csv_header), __LINE__);
    /* In time order; the misuse press and the votes outside the period are not there. */
    check_vote_rec(&d.recs[1], &v_first, NAME_A, "", "01/11/2026 00:00:00", __LINE__);
    check_vote_rec(&d.recs[2], &v_c, NAME_C, REASON_CHAM "; " REASON_KHAC, "05/11/2026 09:00:00",
                   __LINE__);
    check_vote_rec(&d.recs[3], &v_b, "Trần Thị Bình", "", "10/11/2026 10:00:00", __LINE__);
    check_vote_rec(&d.recs[4], &v_gone, GONE, "", "12/11/2026 08:00:00", __LINE__);
    check_vote_rec(&d.recs[5], &v_last, "Trần Thị Bình", "", "30/11/2026 23:59:59", __LINE__);
    csv_free(&d);
}

static void test_csv_with_misuse(void)
{
    char out[PATH_MAX], err[HL_ERR_MAX] = "";
    path_join(out, sizeof out, root, "phieu-all.csv");
    export_votes_opts o = votes_opts(out, EXPORT_FMT_CSV, 1);
    export_result res;
    REQUIRE(export_votes(&o, &res, err, sizeof err) == 0);
    CHECK_INT(res.rows, 6);
    CHECK_INT(res.counted, 5);
    CHECK_INT(res.misuse, 1);
    csv_doc d;
    REQUIRE(read_csv(out, &d) == 0);
    REQUIRE(d.n == 7);
    check_vote_rec(&d.recs[1], &v_first, NAME_A, "", "01/11/2026 00:00:00", __LINE__);
    check_vote_rec(&d.recs[2], &v_misuse, NAME_A, "", "01/11/2026 00:00:02", __LINE__);
    CHECK_STR(d.recs[2].cells[9], "1");
    check_vote_rec(&d.recs[6], &v_last, "Trần Thị Bình", "", "30/11/2026 23:59:59", __LINE__);
    csv_free(&d);

    /* One day only: the first second is in, the last second of the day before is out. */
    o.from = o.to = (export_date){2026, 10, 31};
    REQUIRE(export_votes(&o, &res, err, sizeof err) == 0);
    REQUIRE(read_csv(out, &d) == 0);
    REQUIRE(d.n == 2);
    check_vote_rec(&d.recs[1], &v_before, NAME_A, "", "31/10/2026 23:59:59", __LINE__);
    csv_free(&d);
}

static void test_csv_empty_period(void)
{
    char out[PATH_MAX], err[HL_ERR_MAX] = "";
    path_join(out, sizeof out, root, "empty.csv");
    export_votes_opts o = votes_opts(out, EXPORT_FMT_CSV, 1);
    o.from = (export_date){2025, 1, 1};
    o.to = (export_date){2025, 1, 31};
    export_result res;
    REQUIRE(export_votes(&o, &res, err, sizeof err) == 0);
    CHECK_INT(res.rows, 0);
    csv_doc d;
    REQUIRE(read_csv(out, &d) == 0);
    CHECK_INT(d.n, 1);
    if (d.n)
        check_rec(&d.recs[0], csv_header, HL_ARRAY_LEN(csv_header), __LINE__);
    csv_free(&d);
}

static void test_xlsx(void)
{
    char out[PATH_MAX], err[HL_ERR_MAX] = "";
    path_join(out, sizeof out, root, "phieu.xlsx");
    export_votes_opts o = votes_opts(out, EXPORT_FMT_XLSX, 1);
    export_result res;
    int rc = export_votes(&o, &res, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    REQUIRE(rc == 0);
    CHECK_INT(res.rows, 6);

    char listing_cmd[PATH_MAX + 32];
    util_fmt(listing_cmd, sizeof listing_cmd, "unzip -v '%s'", out);
    int st;
    char *listing = run_capture(listing_cmd, &st);
    REQUIRE(listing && st == 0);
    CHECK_CONTAINS(listing, "xl/charts/chart1.xml");
    CHECK_CONTAINS(listing, "xl/drawings/drawing1.xml");
    free(listing);
    char *wb = unzip_part(out, "xl/workbook.xml");
    REQUIRE(wb);
    CHECK_CONTAINS(wb, "<sheet name=\"Phiếu đánh giá\" sheetId=\"1\"");
    CHECK_CONTAINS(wb, "<sheet name=\"Tổng hợp\" sheetId=\"2\"");
    free(wb);

    xlsx_doc x;
    REQUIRE(xlsx_open(&x, out, 2) == 0);
    /* Votes sheet: a title row, the header, rows from row 3; frozen under the header. */
    CHECK_CONTAINS(x.sheet[0], "<pane ySplit=\"2\" topLeftCell=\"A3\" activePane=\"bottomLeft\" "
                               "state=\"frozen\"/>");
    CHECK_CONTAINS(x.sheet[0], "<col min=\"5\" max=\"5\" width=\"26");
    xcell title = xlsx_cell(&x, 0, "A1");
    CHECK_CONTAINS(title.text, "UBND xã Bom Bo");
    CHECK_CONTAINS(title.text, "từ 01/11/2026 đến 30/11/2026");
    free(title.text);
    static const char cols[] = "ABCDEFGHIJK";
    for (int i = 0; i < 11; i++) {
        char ref[8] = {cols[i], '2', '\0'};
        CHECK_XSTR(&x, 0, ref, csv_header[i]);
    }
    const made_vote *rows[] = {&v_first, &v_misuse, &v_c, &v_b, &v_gone, &v_last};
    const char *names[] = {NAME_A, NAME_A, NAME_C, "Trần Thị Bình", GONE, "Trần Thị Bình"};
    const double when[] = {serial_of(2026, 11, 1, 0, 0, 0),  serial_of(2026, 11, 1, 0, 0, 2),
                           serial_of(2026, 11, 5, 9, 0, 0),  serial_of(2026, 11, 10, 10, 0, 0),
                           serial_of(2026, 11, 12, 8, 0, 0), serial_of(2026, 11, 30, 23, 59, 59)};
    for (int k = 0; k < 6; k++) {
        const store_vote *v = &rows[k]->v;
        char ref[8];
#define REF(col) (snprintf(ref, sizeof ref, "%c%d", col, k + 3), ref)
        CHECK_XSTR(&x, 0, REF('A'), v->uuid);
        CHECK_XSTR(&x, 0, REF('B'), "test-01");
        CHECK_XNUM(&x, 0, REF('C'), (double)v->seq);
        CHECK_XSTR(&x, 0, REF('D'), v->officer_code);
        CHECK_XSTR(&x, 0, REF('E'), names[k]);
        CHECK_XNUM(&x, 0, REF('F'), v->rating);
        CHECK_XSTR(&x, 0, REF('G'),
                   v->rating == 3   ? "Rất hài lòng"
                   : v->rating == 2 ? "Hài lòng"
                                    : "Chưa hài lòng");
        if (rows[k] == &v_c)
            CHECK_XSTR(&x, 0, REF('H'), REASON_CHAM "; " REASON_KHAC);
        else
            CHECK_XEMPTY(&x, 0, REF('H'));
        /* A real date: a number in the date-time style. */
        CHECK_XNUM(&x, 0, REF('I'), when[k]);
        xcell dc = xlsx_cell(&x, 0, REF('I'));
        char fmt[64];
        style_format(&x, dc.style, fmt, sizeof fmt);
        CHECK_STR(fmt, "dd/mm/yyyy hh:mm:ss");
        free(dc.text);
        CHECK_XNUM(&x, 0, REF('J'), v->misuse);
        CHECK_XSTR(&x, 0, REF('K'), "unsent");
#undef REF
    }
    CHECK(!cell_found(&x, 0, "A9"));

    /* Summary: officers in content order, the unknown code last, then the total. */
    CHECK_CONTAINS(x.sheet[1], "<pane ySplit=\"5\" topLeftCell=\"A6\"");
    CHECK_XSTR(&x, 1, "A1", "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG");
    CHECK_XSTR(&x, 1, "A2", "UBND xã Bom Bo — Bộ phận Một cửa");
    CHECK_XSTR(&x, 1, "A3", "Thời gian: từ 01/11/2026 đến 30/11/2026 (giờ Việt Nam)");
    CHECK_XSTR(&x, 1, "B4", "Họ và tên");
    CHECK_XSTR(&x, 1, "E4", "Rất hài lòng");
    CHECK_XSTR(&x, 1, "I4", "Chưa hài lòng");
    CHECK_XSTR(&x, 1, "K4", "Tỷ lệ hài lòng");
    CHECK_XSTR(&x, 1, "E5", "SL");
    CHECK_XSTR(&x, 1, "F5", "%");
    CHECK_XNUM(&x, 1, "A6", 1);
    CHECK_XSTR(&x, 1, "B6", NAME_A);
    CHECK_XSTR(&x, 1, "C6", TITLE_A);
    CHECK_XNUM(&x, 1, "D6", 1); /* the misuse press is not counted */
    CHECK_XNUM(&x, 1, "E6", 1);
    CHECK_XNUM(&x, 1, "F6", 1.0);
    CHECK_XNUM(&x, 1, "K6", 1.0);
    xcell pc = xlsx_cell(&x, 1, "F6");
    char fmt[64];
    style_format(&x, pc.style, fmt, sizeof fmt);
    CHECK_STR(fmt, "0.0%");
    free(pc.text);
    CHECK_XSTR(&x, 1, "B7", "Trần Thị Bình");
    CHECK_XNUM(&x, 1, "D7", 2);
    CHECK_XNUM(&x, 1, "E7", 1);
    CHECK_XNUM(&x, 1, "F7", 0.5);
    CHECK_XNUM(&x, 1, "G7", 1);
    CHECK_XNUM(&x, 1, "H7", 0.5);
    CHECK_XNUM(&x, 1, "I7", 0);
    CHECK_XNUM(&x, 1, "K7", 1.0);
    CHECK_XSTR(&x, 1, "B8", NAME_C);
    CHECK_XNUM(&x, 1, "I8", 1);
    CHECK_XNUM(&x, 1, "J8", 1.0);
    CHECK_XNUM(&x, 1, "K8", 0.0);
    CHECK_XSTR(&x, 1, "B9", "Đỗ Thị Dung"); /* no votes: counts 0, shares empty */
    CHECK_XNUM(&x, 1, "D9", 0);
    CHECK_XEMPTY(&x, 1, "F9");
    CHECK_XEMPTY(&x, 1, "K9");
    CHECK_XSTR(&x, 1, "B10", GONE);
    CHECK_XNUM(&x, 1, "G10", 1);
    CHECK_XSTR(&x, 1, "B11", "Tổng cộng");
    CHECK_XNUM(&x, 1, "D11", 5);
    CHECK_XNUM(&x, 1, "E11", 2);
    CHECK_XNUM(&x, 1, "G11", 2);
    CHECK_XNUM(&x, 1, "I11", 1);
    CHECK_XNUM(&x, 1, "K11", 0.8);
    CHECK_XSTR(&x, 1, "A13",
               "Số lượt bấm bị đánh dấu bất thường (bấm lặp trong thời gian ngắn), "
               "không tính: 1");
    xcell note = xlsx_cell(&x, 1, "A15");
    CHECK_CONTAINS(note.text, "không phải chỉ số chính thức");
    free(note.text);
    xlsx_close(&x);

    char *chart = unzip_part(out, "xl/charts/chart1.xml");
    REQUIRE(chart);
    CHECK_CONTAINS(chart, "<c:barChart>");
    CHECK_CONTAINS(chart, "<c:grouping val=\"percentStacked\"/>");
    CHECK_CONTAINS(chart, "'Tổng hợp'!$B$6:$B$10");
    CHECK_CONTAINS(chart, "'Tổng hợp'!$E$6:$E$10");
    free(chart);
}

/* A real reader: LibreOffice (Debian: libreoffice-calc-nogui, ~300 MB, so not installed by the
 * test command) opens the export and writes each sheet as CSV the way it shows the cells. Run
 * only on request (HL_TEST_LIBREOFFICE=1, see docs/TESTING.md), and then it must be there:
 * the XML checks above are what every run relies on. */
static void test_xlsx_libreoffice(void)
{
    if (system("command -v soffice >/dev/null 2>&1") != 0) {
        fprintf(stderr, "     HL_TEST_LIBREOFFICE=1 but soffice is not installed: apt-get install "
                        "libreoffice-calc-nogui\n");
        CHECK(0);
        return;
    }
    char src[PATH_MAX], dir[PATH_MAX], cmd[PATH_MAX * 4], f[PATH_MAX * 2];
    path_join(src, sizeof src, root, "phieu.xlsx"); /* made by test_xlsx */
    path_join(dir, sizeof dir, root, "lo");
    util_fmt(cmd, sizeof cmd,
             "timeout 300 soffice -env:UserInstallation=file://%s/profile --headless "
             "--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,"
             "false,-1' --outdir '%s' '%s' >/dev/null 2>&1",
             dir, dir, src);
    REQUIRE(system(cmd) == 0);
    path_join(f, sizeof f, dir, "phieu-Phiếu đánh giá.csv");
    size_t n;
    char *s = slurp(f, &n);
    REQUIRE(s);
    csv_doc d;
    REQUIRE(csv_parse_ex(s, n, &d, 1) == 0);
    free(s);
    REQUIRE(d.n >= 8);
    check_rec(&d.recs[1], csv_header, HL_ARRAY_LEN(csv_header), __LINE__);
    char seq[24];
    snprintf(seq, sizeof seq, "%lld", (long long)v_first.v.seq);
    const char *first[] = {
        v_first.v.uuid,        "test-01", seq,     "a", NAME_A, "3", "Rất hài lòng", "",
        "01/11/2026 00:00:00", "0",       "unsent"};
    check_rec(&d.recs[2], first, HL_ARRAY_LEN(first), __LINE__);
    CHECK_STR(d.recs[4].cells[4], NAME_C);
    CHECK_STR(d.recs[7].cells[8], "30/11/2026 23:59:59"); /* the date as Excel shows it */
    csv_free(&d);
    path_join(f, sizeof f, dir, "phieu-Tổng hợp.csv");
    s = slurp(f, &n);
    REQUIRE(s);
    REQUIRE(csv_parse_ex(s, n, &d, 1) == 0);
    free(s);
    REQUIRE(d.n >= 11);
    CHECK_STR(d.recs[5].cells[1], NAME_A);
    CHECK_STR(d.recs[10].cells[1], "Tổng cộng");
    CHECK_STR(d.recs[10].cells[3], "5");
    csv_free(&d);
}

static void test_xlsx_empty_period(void)
{
    char out[PATH_MAX], err[HL_ERR_MAX] = "";
    path_join(out, sizeof out, root, "empty.xlsx");
    export_votes_opts o = votes_opts(out, EXPORT_FMT_XLSX, 0);
    o.from = o.to = (export_date){2025, 3, 3};
    export_result res;
    REQUIRE(export_votes(&o, &res, err, sizeof err) == 0);
    CHECK_INT(res.rows, 0);
    xlsx_doc x;
    REQUIRE(xlsx_open(&x, out, 2) == 0);
    CHECK_XSTR(&x, 0, "A2", "Mã phiếu");
    CHECK(!cell_found(&x, 0, "A3"));
    CHECK_XSTR(&x, 1, "B10", "Tổng cộng"); /* four officers, no unknown code */
    CHECK_XNUM(&x, 1, "D10", 0);
    CHECK_XEMPTY(&x, 1, "K10");
    xlsx_close(&x);
}

/* Past a sheet's row limit the votes go on in "Phiếu đánh giá (2)", ... (the limit is Excel's
 * 1 048 574 rows; lowered here through the tests-only option). */
static void test_xlsx_more_sheets(void)
{
    char out[PATH_MAX], err[HL_ERR_MAX] = "";
    path_join(out, sizeof out, root, "many.xlsx");
    export_votes_opts o = {.db = bulk_dir,
                           .content = ct,
                           .from = {2026, 11, 1},
                           .to = {2026, 11, 30},
                           .format = EXPORT_FMT_XLSX,
                           .out = out,
                           .xlsx_rows_per_sheet = 4000};
    export_result res;
    REQUIRE(export_votes(&o, &res, err, sizeof err) == 0);
    CHECK_INT(res.rows, 10000);
    char *wb = unzip_part(out, "xl/workbook.xml");
    REQUIRE(wb);
    CHECK_CONTAINS(wb, "<sheet name=\"Phiếu đánh giá\" sheetId=\"1\"");
    CHECK_CONTAINS(wb, "<sheet name=\"Phiếu đánh giá (2)\" sheetId=\"2\"");
    CHECK_CONTAINS(wb, "<sheet name=\"Phiếu đánh giá (3)\" sheetId=\"3\"");
    CHECK_CONTAINS(wb, "<sheet name=\"Tổng hợp\" sheetId=\"4\"");
    free(wb);
    xlsx_doc x;
    REQUIRE(xlsx_open(&x, out, 4) == 0);
    /* seq 1..4000, 4001..8000, 8001..10000, each sheet with its own title and header */
    CHECK_XNUM(&x, 0, "C3", 1);
    CHECK_XNUM(&x, 0, "C4002", 4000);
    CHECK(!cell_found(&x, 0, "A4003"));
    CHECK_XSTR(&x, 1, "A2", "Mã phiếu");
    CHECK_XNUM(&x, 1, "C3", 4001);
    CHECK_XNUM(&x, 1, "C4002", 8000);
    CHECK_XNUM(&x, 2, "C3", 8001);
    CHECK_XNUM(&x, 2, "C2002", 10000);
    CHECK(!cell_found(&x, 2, "A2003"));
    CHECK_CONTAINS(x.sheet[2], "<pane ySplit=\"2\"");
    CHECK_XNUM(&x, 3, "D6", 10000);
    xlsx_close(&x);
}

/* Display width of a UTF-8 line. */
static size_t width_of(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0)
            return (size_t)-1;
        w += (size_t)utf8proc_charwidth(cp);
        i += (size_t)k;
    }
    return w;
}

static char *report_to_string(export_format f, int year, int month)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    export_report_opts o = {
        .db = data_dir, .content = ct, .year = year, .month = month, .format = f, .stream = mem};
    char err[HL_ERR_MAX] = "";
    int rc = export_report(&o, NULL, err, sizeof err);
    fclose(mem);
    if (rc) {
        fprintf(stderr, "export_report: %s\n", err);
        free(buf);
        return NULL;
    }
    return buf;
}

static void test_report_text(void)
{
    char *s = report_to_string(EXPORT_FMT_TEXT, 2026, 11);
    REQUIRE(s);
    CHECK(strncmp(s,
                  "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Tháng 11/2026\n"
                  "UBND xã Bom Bo — Bộ phận Một cửa\n",
                  strlen("BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Tháng 11/2026\n"
                         "UBND xã Bom Bo — Bộ phận Một cửa\n")) == 0);
    CHECK_CONTAINS(s, "| STT | Họ và tên ");
    CHECK_CONTAINS(s, "| Tổng số phiếu | Rất hài lòng |");
    CHECK_CONTAINS(s, "| Tỷ lệ hài lòng |");
    CHECK_CONTAINS(s, "Số lượt bấm bị đánh dấu bất thường (bấm lặp trong thời gian ngắn), không "
                      "tính: 1\n");
    CHECK_CONTAINS(s, "Số liệu nội bộ từ máy đánh giá tại Bộ phận Một cửa; không phải chỉ số "
                      "chính thức.");
    CHECK_CONTAINS(s, "Lê Văn Cường"); /* the line break became a space */

    /* Every table line has the same display width, and every '|' of a body row sits at the
     * same column as in the SL/% header row (the widths count characters, not bytes). */
    size_t w0 = 0, nlines = 0;
    char sub[256] = "";
    int body = 0;
    for (const char *line = s; *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        if (line[0] == '|' || line[0] == '+') {
            size_t w = width_of(line, n);
            if (!w0)
                w0 = w;
            CHECK_INT(w, w0);
            nlines++;
            if (line[0] == '|') {
                char pos[256] = "";
                size_t pl = 0;
                for (size_t i = 0, col = 0; i < n; col++) {
                    utf8proc_int32_t cp;
                    utf8proc_ssize_t k =
                        utf8proc_iterate((const utf8proc_uint8_t *)line + i, -1, &cp);
                    if (k <= 0)
                        break;
                    if (cp == '|' && pl + 8 < sizeof pos)
                        pl += (size_t)snprintf(pos + pl, sizeof pos - pl, "%zu,", col);
                    i += (size_t)k;
                }
                if (body == 1)
                    util_strlcpy(sub, pos, sizeof sub); /* the SL / % header row */
                else if (body > 1)
                    CHECK_STR(pos, sub);
                body++;
            }
        }
        line = nl ? nl + 1 : line + n;
    }
    CHECK_INT(nlines, 12); /* 4 rules, 2 header rows, 5 officers, the total */
    CHECK(w0 > 0);

    /* Officer b: 1 x Rất hài lòng, 1 x Hài lòng -> 50,0% / 50,0% / 0,0%, tỷ lệ 100,0%. */
    const char *b = strstr(s, "| Trần Thị Bình");
    REQUIRE(b);
    char row[512];
    const char *e = strchr(b, '\n');
    memcpy(row, b, (size_t)(e - b));
    row[e - b] = '\0';
    /* Squeeze the padding out to compare the figures. */
    char sq[512];
    size_t k = 0;
    for (const char *p = row; *p; p++)
        if (*p != ' ')
            sq[k++] = *p;
    sq[k] = '\0';
    CHECK_STR(sq, "|TrầnThịBình|Côngchức|2|1|50,0%|1|50,0%|0|0,0%|100,0%|");
    const char *tot = strstr(s, "| Tổng cộng");
    REQUIRE(tot);
    e = strchr(tot, '\n');
    k = 0;
    for (const char *p = tot; p < e; p++)
        if (*p != ' ')
            sq[k++] = *p;
    sq[k] = '\0';
    CHECK_STR(sq, "|Tổngcộng||5|2|40,0%|2|40,0%|1|20,0%|80,0%|");
    const char *d = strstr(s, "| Đỗ Thị Dung");
    REQUIRE(d);
    e = strchr(d, '\n');
    k = 0;
    for (const char *p = d; p < e; p++)
        if (*p != ' ')
            sq[k++] = *p;
    sq[k] = '\0';
    CHECK_STR(sq, "|ĐỗThịDung|Côngchức|0|0||0||0|||");
    free(s);
}

static void test_report_csv(void)
{
    char *s = report_to_string(EXPORT_FMT_CSV, 2026, 11);
    REQUIRE(s);
    size_t n = strlen(s);
    REQUIRE(n > 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0);
    csv_doc d;
    REQUIRE(csv_parse(s + 3, n - 3, &d) == 0);
    REQUIRE(d.n == 16);
    CHECK_REC(&d.recs[0], "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Tháng 11/2026");
    CHECK_REC(&d.recs[1], "UBND xã Bom Bo — Bộ phận Một cửa");
    CHECK_REC(&d.recs[2], "Thời gian: từ 01/11/2026 đến 30/11/2026 (giờ Việt Nam)");
    CHECK_REC(&d.recs[3], "");
    CHECK_REC(&d.recs[4], "STT", "Họ và tên", "Chức danh", "Tổng số phiếu", "Rất hài lòng", "",
              "Hài lòng", "", "Chưa hài lòng", "", "Tỷ lệ hài lòng");
    CHECK_REC(&d.recs[5], "", "", "", "", "SL", "%", "SL", "%", "SL", "%", "");
    CHECK_REC(&d.recs[6], "1", NAME_A, TITLE_A, "1", "1", "100,0%", "0", "0,0%", "0", "0,0%",
              "100,0%");
    CHECK_REC(&d.recs[7], "2", "Trần Thị Bình", "Công chức", "2", "1", "50,0%", "1", "50,0%", "0",
              "0,0%", "100,0%");
    CHECK_REC(&d.recs[8], "3", NAME_C, "Công chức", "1", "0", "0,0%", "0", "0,0%", "1", "100,0%",
              "0,0%");
    CHECK_REC(&d.recs[9], "4", "Đỗ Thị Dung", "Công chức", "0", "0", "", "0", "", "0", "", "");
    CHECK_REC(&d.recs[10], "5", GONE, "", "1", "0", "0,0%", "1", "100,0%", "0", "0,0%", "100,0%");
    CHECK_REC(&d.recs[11], "", "Tổng cộng", "", "5", "2", "40,0%", "2", "40,0%", "1", "20,0%",
              "80,0%");
    CHECK_REC(&d.recs[12], "");
    CHECK_REC(&d.recs[13],
              "Số lượt bấm bị đánh dấu bất thường (bấm lặp trong thời gian ngắn), không tính: 1");
    CHECK(strstr(d.recs[15].cells[0], "không phải chỉ số chính thức") != NULL);
    csv_free(&d);
    free(s);

    /* A month without votes: zeros, no shares, no misuse. */
    s = report_to_string(EXPORT_FMT_CSV, 2025, 2);
    REQUIRE(s);
    REQUIRE(csv_parse(s + 3, strlen(s) - 3, &d) == 0);
    REQUIRE(d.n == 15);
    CHECK_REC(&d.recs[0], "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Tháng 02/2025");
    CHECK_REC(&d.recs[2], "Thời gian: từ 01/02/2025 đến 28/02/2025 (giờ Việt Nam)");
    CHECK_REC(&d.recs[10], "", "Tổng cộng", "", "0", "0", "", "0", "", "0", "", "");
    CHECK_REC(&d.recs[12],
              "Số lượt bấm bị đánh dấu bất thường (bấm lặp trong thời gian ngắn), không tính: 0");
    csv_free(&d);
    free(s);
}

static void test_report_xlsx(void)
{
    char out[PATH_MAX], err[HL_ERR_MAX] = "";
    path_join(out, sizeof out, root, "bao-cao.xlsx");
    export_report_opts o = {.db = data_dir,
                            .content = ct,
                            .year = 2026,
                            .month = 11,
                            .format = EXPORT_FMT_XLSX,
                            .out = out,
                            .made_at_ms = local_ms("2026-12-02T08:00:00")};
    export_result res;
    REQUIRE(export_report(&o, &res, err, sizeof err) == 0);
    CHECK_INT(res.counted, 5);
    CHECK_INT(res.misuse, 1);
    xlsx_doc x;
    REQUIRE(xlsx_open(&x, out, 1) == 0);
    CHECK_XSTR(&x, 0, "A1", "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Tháng 11/2026");
    CHECK_XSTR(&x, 0, "B7", "Trần Thị Bình");
    CHECK_XNUM(&x, 0, "H7", 0.5);
    CHECK_XNUM(&x, 0, "K11", 0.8);
    CHECK_XSTR(&x, 0, "A16", "Ngày lập: 02/12/2026");
    CHECK_CONTAINS(x.sheet[0], "<pane ySplit=\"5\"");
    xlsx_close(&x);
    char *chart = unzip_part(out, "xl/charts/chart1.xml");
    CHECK(chart != NULL);
    free(chart);

    /* XLSX needs a file. */
    o.out = NULL;
    CHECK_INT(export_report(&o, NULL, err, sizeof err), HL_EXIT_USAGE);
}

static void test_summary_api(void)
{
    export_summary s;
    char err[HL_ERR_MAX];
    export_date from = {2026, 11, 1}, to = {2026, 12, 1};
    REQUIRE(export_summary_get(data_dir, ct, export_date_start_ms(from), export_date_start_ms(to),
                               &s, err, sizeof err) == 0);
    REQUIRE(s.n_rows == 5);
    CHECK_STR(s.rows[0].code, "a");
    CHECK_INT(s.rows[0].counted, 1);
    CHECK_INT(s.rows[0].misuse, 1);
    CHECK_STR(s.rows[4].code, "gone");
    CHECK_STR(s.rows[4].name, GONE);
    CHECK_INT(s.rows[4].in_content, 0);
    CHECK_INT(s.total.counted, 5);
    CHECK_INT(s.total.n[3], 2);
    export_summary_free(&s);
}

/* ---- faults: the folder vanishes mid-export, cancel, usage errors ---- */

typedef enum { VANISH_RENAME, VANISH_REMOVE, VANISH_REPLACE } vanish_mode;

typedef struct {
    vanish_mode mode;
    const char *dir;
    char moved[PATH_MAX + 16];
    int fired;
    int64_t at;
} vanish_ctx;

static int vanish_progress(void *p, int64_t done, int64_t total)
{
    vanish_ctx *v = p;
    (void)total;
    if (v->fired || done < 4096)
        return 0;
    v->fired = 1;
    v->at = done;
    if (v->mode == VANISH_REMOVE) {
        /* The stick's files are gone with it: the temp file, then the folder. */
        DIR *d = opendir(v->dir);
        for (struct dirent *e; d && (e = readdir(d));)
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                char f[PATH_MAX * 2];
                path_join(f, sizeof f, v->dir, e->d_name);
                unlink(f);
            }
        if (d)
            closedir(d);
        rmdir(v->dir);
    } else {
        util_fmt(v->moved, sizeof v->moved, "%s-gone", v->dir);
        rename(v->dir, v->moved);
        if (v->mode == VANISH_REPLACE) /* plugged in again: an empty folder at the same path */
            mkdir(v->dir, 0755);
    }
    return 0;
}

static void vanish_case(export_format f, vanish_mode mode)
{
    static int n;
    char dir[PATH_MAX], out[PATH_MAX + 16], err[HL_ERR_MAX] = "";
    util_fmt(dir, sizeof dir, "%s/usb%d", root, ++n);
    REQUIRE(mkdir(dir, 0755) == 0);
    util_fmt(out, sizeof out, "%s/%s", dir, f == EXPORT_FMT_CSV ? "phieu.csv" : "phieu.xlsx");
    vanish_ctx v = {.mode = mode, .dir = dir};
    export_votes_opts o = {.db = bulk_dir,
                           .content = ct,
                           .from = {2026, 11, 1},
                           .to = {2026, 11, 30},
                           .format = f,
                           .out = out,
                           .progress = vanish_progress,
                           .progress_ctx = &v};
    export_result res;
    int rc = export_votes(&o, &res, err, sizeof err);
    CHECK_INT(v.fired, 1);
    CHECK(v.at > 0 && v.at < 10000); /* it happened mid-export */
    CHECK_INT(rc, HL_EXIT_RUNTIME);
    CHECK_CONTAINS(err, "disappeared");
    CHECK_CONTAINS(err, dir);
    /* Nothing at the path, and nothing left behind in the folder wherever it went. */
    CHECK(!exists(out));
    if (mode == VANISH_REPLACE)
        CHECK_INT(count_entries(dir), 0);
    if (mode != VANISH_REMOVE)
        CHECK_INT(count_entries(v.moved), 0);
}

static void test_vanish_csv(void)
{
    vanish_case(EXPORT_FMT_CSV, VANISH_RENAME);
    vanish_case(EXPORT_FMT_CSV, VANISH_REMOVE);
    vanish_case(EXPORT_FMT_CSV, VANISH_REPLACE);
}

static void test_vanish_xlsx(void)
{
    vanish_case(EXPORT_FMT_XLSX, VANISH_RENAME);
    vanish_case(EXPORT_FMT_XLSX, VANISH_REMOVE);
    vanish_case(EXPORT_FMT_XLSX, VANISH_REPLACE);
}

static int cancel_progress(void *p, int64_t done, int64_t total)
{
    (void)p;
    (void)total;
    return done >= 4096;
}

static void test_cancel_keeps_old_file(void)
{
    export_format fmts[] = {EXPORT_FMT_CSV, EXPORT_FMT_XLSX};
    for (size_t i = 0; i < HL_ARRAY_LEN(fmts); i++) {
        char dir[PATH_MAX], out[PATH_MAX + 16], err[HL_ERR_MAX] = "";
        util_fmt(dir, sizeof dir, "%s/cancel%zu", root, i);
        REQUIRE(mkdir(dir, 0755) == 0);
        path_join(out, sizeof out, dir, "old.out");
        write_text(out, "the previous export\n");
        export_votes_opts o = {.db = bulk_dir,
                               .content = ct,
                               .from = {2026, 11, 1},
                               .to = {2026, 11, 30},
                               .format = fmts[i],
                               .out = out,
                               .progress = cancel_progress};
        export_result res;
        CHECK_INT(export_votes(&o, &res, err, sizeof err), HL_EXIT_RUNTIME);
        CHECK_INT(res.cancelled, 1);
        CHECK_CONTAINS(err, "cancelled");
        char *s = slurp(out, NULL);
        CHECK_STR(s, "the previous export\n");
        free(s);
        CHECK_INT(count_entries(dir), 1); /* no temp file left */

        /* Without cancel the old file is replaced whole, and no temp file stays. */
        o.progress = NULL;
        CHECK_INT(export_votes(&o, &res, err, sizeof err), 0);
        CHECK_INT(res.rows, 10000);
        CHECK_INT(count_entries(dir), 1);
        struct stat st;
        CHECK(stat(out, &st) == 0 && st.st_size > 1000);
    }
}

static void test_usage_errors(void)
{
    char out[PATH_MAX], err[HL_ERR_MAX] = "";
    path_join(out, sizeof out, root, "no-such-folder/x.csv");
    export_votes_opts o = votes_opts(out, EXPORT_FMT_CSV, 0);
    CHECK_INT(export_votes(&o, NULL, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "no-such-folder");
    CHECK_CONTAINS(err, "does not exist");
    o.out = root; /* a folder */
    CHECK_INT(export_votes(&o, NULL, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "is a folder");
    path_join(out, sizeof out, root, "x.csv");
    o.out = out;
    o.from = (export_date){2026, 12, 1};
    CHECK_INT(export_votes(&o, NULL, err, sizeof err), HL_EXIT_USAGE);
    CHECK(!exists(out));
    /* No votes.db: a runtime failure that names the file; no output file appears. */
    o = votes_opts(out, EXPORT_FMT_CSV, 0);
    o.db = content_dir;
    CHECK_INT(export_votes(&o, NULL, err, sizeof err), HL_EXIT_RUNTIME);
    CHECK_CONTAINS(err, "votes.db");
    CHECK(!exists(out));
}

/* ---- the real binary ---- */

static int run_cli(char **output, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run_cli(char **output, const char *fmt, ...)
{
    const char *bin = getenv("HL_BIN_DIR");
    char args[PATH_MAX * 3], cmd[PATH_MAX * 4];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    util_fmt(cmd, sizeof cmd, "'%s/hailong-kiosk' %s 2>&1", bin ? bin : "bin", args);
    int st = -1;
    char *s = run_capture(cmd, &st);
    if (output)
        *output = s;
    else
        free(s);
    return st;
}

static void test_cli(void)
{
    char cfgp[PATH_MAX], text[PATH_MAX * 3], out[PATH_MAX], *s;
    path_join(cfgp, sizeof cfgp, root, "kiosk.ini");
    util_fmt(text, sizeof text, "[kiosk]\ndata_dir = %s\ncontent_dir = %s\n", data_dir,
             content_dir);
    write_text(cfgp, text);

    CHECK_INT(run_cli(&s, "export --help"), 0);
    CHECK_CONTAINS(s, "Usage: hailong-kiosk export --from YYYY-MM-DD");
    free(s);
    CHECK_INT(run_cli(&s, "report --help"), 0);
    CHECK_CONTAINS(s, "Usage: hailong-kiosk report --month YYYY-MM");
    free(s);

    path_join(out, sizeof out, root, "cli.csv");
    CHECK_INT(
        run_cli(&s, "export --config '%s' --from 2026-02-30 --to 2026-03-01 --out '%s'", cfgp, out),
        2);
    CHECK_CONTAINS(s, "--from 2026-02-30: not a real date");
    free(s);
    CHECK_INT(
        run_cli(&s, "export --config '%s' --from 2026-11-30 --to 2026-11-01 --out '%s'", cfgp, out),
        2);
    CHECK_CONTAINS(s, "--from 2026-11-30 is after --to 2026-11-01");
    free(s);
    CHECK_INT(run_cli(&s, "report --config '%s' --month 2026-13", cfgp), 2);
    CHECK_CONTAINS(s, "--month 2026-13: not a month");
    free(s);
    CHECK_INT(run_cli(&s,
                      "export --config '%s' --from 2026-11-01 --to 2026-11-30 --out "
                      "'%s/missing/x.csv'",
                      cfgp, root),
              2);
    CHECK_CONTAINS(s, "--out ");
    CHECK_CONTAINS(s, "/missing does not exist");
    free(s);
    /* A folder nobody may create files in (as root too). */
    CHECK_INT(run_cli(&s,
                      "export --config '%s' --from 2026-11-01 --to 2026-11-30 --out "
                      "/proc/hl-export.csv",
                      cfgp),
              2);
    CHECK_CONTAINS(s, "cannot create a file in folder /proc");
    free(s);
    CHECK_INT(run_cli(&s,
                      "export --config '%s' --from 2026-11-01 --to 2026-11-30 --out '%s' "
                      "--format pdf",
                      cfgp, out),
              2);
    CHECK_CONTAINS(s, "--format pdf");
    free(s);
    CHECK_INT(run_cli(&s, "export --config '%s' --from 2026-11-01 --to 2026-11-30 --bogus", cfgp),
              2);
    CHECK_CONTAINS(s, "unknown argument \"--bogus\"");
    free(s);
    /* No votes.db in the data folder: a runtime failure. */
    CHECK_INT(run_cli(&s,
                      "export --config '%s' --data-dir '%s' --from 2026-11-01 --to "
                      "2026-11-30 --out '%s'",
                      cfgp, content_dir, out),
              1);
    CHECK_CONTAINS(s, "votes.db");
    free(s);
    CHECK(!exists(out));

    CHECK_INT(run_cli(&s,
                      "export --config '%s' --from 2026-11-01 --to 2026-11-30 --out '%s' "
                      "--include-misuse",
                      cfgp, out),
              0);
    CHECK_CONTAINS(s, "Wrote 6 votes");
    free(s);
    csv_doc d;
    REQUIRE(read_csv(out, &d) == 0);
    CHECK_INT(d.n, 7);
    csv_free(&d);

    CHECK_INT(run_cli(&s, "report --config '%s' --month 2026-11", cfgp), 0);
    CHECK_CONTAINS(s, "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Tháng 11/2026");
    CHECK_CONTAINS(s, "không tính: 1");
    CHECK_CONTAINS(s, "Ngày lập: ");
    free(s);
    path_join(out, sizeof out, root, "cli-report.xlsx");
    CHECK_INT(run_cli(&s, "report --config '%s' --month 2026-11 --out '%s'", cfgp, out), 0);
    free(s);
    xlsx_doc x;
    REQUIRE(xlsx_open(&x, out, 1) == 0);
    CHECK_XSTR(&x, 0, "B6", NAME_A);
    xlsx_close(&x);
    CHECK_INT(run_cli(&s, "report --config '%s' --month 2026-11 --format xlsx", cfgp), 2);
    CHECK_CONTAINS(s, "needs --out");
    free(s);
}

int main(void)
{
    char tmpl[] = "export-XXXXXX";
    if (!mkdtemp(tmpl) || !realpath(tmpl, root)) {
        perror("mkdtemp");
        return 1;
    }
    path_join(content_dir, sizeof content_dir, root, "content");
    path_join(data_dir, sizeof data_dir, root, "data");
    path_join(bulk_dir, sizeof bulk_dir, root, "bulk");
    make_content();
    make_votes();
    make_bulk();

    RUN(test_parse_helpers);
    RUN(test_csv);
    RUN(test_csv_with_misuse);
    RUN(test_csv_empty_period);
    RUN(test_xlsx);
    if (getenv("HL_TEST_LIBREOFFICE"))
        RUN(test_xlsx_libreoffice);
    RUN(test_xlsx_empty_period);
    RUN(test_xlsx_more_sheets);
    RUN(test_report_text);
    RUN(test_report_csv);
    RUN(test_report_xlsx);
    RUN(test_summary_api);
    RUN(test_vanish_csv);
    RUN(test_vanish_xlsx);
    RUN(test_cancel_keeps_old_file);
    RUN(test_usage_errors);
    RUN(test_cli);
    content_free(ct);
    if (!t_failed) {
        char cmd[PATH_MAX + 16];
        util_fmt(cmd, sizeof cmd, "rm -rf '%s'", root);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", root);
    }
    TEST_END();
}
