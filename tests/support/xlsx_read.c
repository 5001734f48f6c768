/* xlsx_read: reads the exports back for the checks: CSV by an RFC 4180 parser, XLSX by taking its
 * parts out with `unzip -p` and finding cells in the sheet XML. */
#include "xlsx_read.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "util.h"

/* ---- an RFC 4180 reader: fields separated by commas, records by CRLF, quotes doubled ---- */

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
int csv_parse_ex(const char *s, size_t len, csv_doc *doc, int lf_ok)
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

int csv_parse(const char *s, size_t len, csv_doc *doc)
{
    return csv_parse_ex(s, len, doc, 0);
}

void csv_free(csv_doc *d)
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
int csv_read(const char *path, csv_doc *doc)
{
    size_t n;
    char *s = util_read_file(path, &n);
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

void csv_check_rec(const csv_rec *r, const char *const *want, size_t n, int line)
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

/* ---- XLSX: parts read with `unzip -p`, cells found in the sheet XML ---- */

char *xlsx_part(const char *xlsx, const char *part)
{
    char cmd[PATH_MAX * 2 + 64];
    util_fmt(cmd, sizeof cmd, "unzip -p '%s' '%s' 2>/dev/null", xlsx, part);
    int st;
    char *s = test_capture(cmd, &st);
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

int xlsx_open(xlsx_doc *x, const char *path, int n_sheets)
{
    memset(x, 0, sizeof *x);
    for (int i = 0; i < n_sheets; i++) {
        char part[64];
        util_fmt(part, sizeof part, "xl/worksheets/sheet%d.xml", i + 1);
        x->sheet[i] = xlsx_part(path, part);
        if (!x->sheet[i])
            return -1;
    }
    x->shared = xlsx_part(path, "xl/sharedStrings.xml");
    x->styles = xlsx_part(path, "xl/styles.xml");
    return x->styles ? 0 : -1;
}

void xlsx_close(xlsx_doc *x)
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

/* The cell ref ("E3") of a sheet. */
xcell xlsx_cell(const xlsx_doc *x, int sheet, const char *ref)
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

int xlsx_has_cell(const xlsx_doc *x, int sheet, const char *ref)
{
    xcell c = xlsx_cell(x, sheet, ref);
    free(c.text);
    return c.found;
}

/* A string cell with exactly this text. */
void xlsx_check_str(const xlsx_doc *x, int sheet, const char *ref, const char *want, int line)
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
void xlsx_check_num(const xlsx_doc *x, int sheet, const char *ref, double want, int line)
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
void xlsx_check_empty(const xlsx_doc *x, int sheet, const char *ref, int line)
{
    xcell c = xlsx_cell(x, sheet, ref);
    if (c.text[0]) {
        fprintf(stderr, "line %d: sheet%d %s: \"%s\", expected empty\n", line, sheet + 1, ref,
                c.text);
        t_cur_failed = 1;
    }
    free(c.text);
}

/* The number format code of cell style index xf (cellXfs), "" if built in / not found. */
void xlsx_style_format(const xlsx_doc *x, int xf, char *out, size_t cap)
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
