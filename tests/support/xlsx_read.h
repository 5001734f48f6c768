/* xlsx_read: the exports read back cell by cell for the checks: CSV by an RFC 4180 reader, XLSX
 * through its parts (`unzip -p`), with checks that report the test's line. */
#ifndef HL_XLSX_READ_H
#define HL_XLSX_READ_H

#include <stddef.h>

typedef struct {
    char **cells;
    size_t n;
} csv_rec;

typedef struct {
    csv_rec *recs;
    size_t n;
} csv_doc;

typedef struct {
    char *sheet[4];
    char *shared; /* sharedStrings.xml, or NULL (constant_memory writes inline strings) */
    char *styles;
} xlsx_doc;

typedef struct {
    int found;
    char type[16]; /* t attribute: "inlineStr", "s", "" for a number */
    int style;     /* s attribute, 0 if none */
    char *text;    /* string value, or the number as written; "" when empty */
} xcell;

/* 0, or -1 for anything RFC 4180 does not allow (a stray quote, a bare LF, no final CRLF).
 * lf_ok also takes a bare LF as the end of a record (LibreOffice writes those). */
int csv_parse_ex(const char *s, size_t len, csv_doc *doc, int lf_ok);
int csv_parse(const char *s, size_t len, csv_doc *doc);
void csv_free(csv_doc *d);
/* Reads a CSV file: checks the UTF-8 BOM, parses the rest. 0 or -1. */
int csv_read(const char *path, csv_doc *doc);
/* Fails the running test (naming line) unless r has exactly the cells want[0..n). */
void csv_check_rec(const csv_rec *r, const char *const *want, size_t n, int line);
#define CHECK_REC(r, ...)                                                                          \
    do {                                                                                           \
        static const char *const w_[] = {__VA_ARGS__};                                             \
        csv_check_rec(r, w_, sizeof w_ / sizeof w_[0], __LINE__);                                  \
    } while (0)

/* One part of the file (e.g. "xl/workbook.xml"), malloc'ed; NULL when missing or empty. */
char *xlsx_part(const char *xlsx, const char *part);
/* Reads sheets 1..n_sheets (at most 4), the shared strings and the styles. 0 or -1. */
int xlsx_open(xlsx_doc *x, const char *path, int n_sheets);
void xlsx_close(xlsx_doc *x);
/* The cell ref ("E3") of a sheet (0-based); free its text. */
xcell xlsx_cell(const xlsx_doc *x, int sheet, const char *ref);
int xlsx_has_cell(const xlsx_doc *x, int sheet, const char *ref);
/* Fail the running test, naming line, unless the cell is a string with exactly this text / a
 * number within 1e-9 / without a value (absent, or only formatted). */
void xlsx_check_str(const xlsx_doc *x, int sheet, const char *ref, const char *want, int line);
void xlsx_check_num(const xlsx_doc *x, int sheet, const char *ref, double want, int line);
void xlsx_check_empty(const xlsx_doc *x, int sheet, const char *ref, int line);
#define CHECK_XSTR(x, sh, ref, want) xlsx_check_str(x, sh, ref, want, __LINE__)
#define CHECK_XNUM(x, sh, ref, want) xlsx_check_num(x, sh, ref, want, __LINE__)
#define CHECK_XEMPTY(x, sh, ref)     xlsx_check_empty(x, sh, ref, __LINE__)
/* The number format code of cell style index xf (cellXfs), "" if built in or not found. */
void xlsx_style_format(const xlsx_doc *x, int xf, char *out, size_t cap);

#endif
