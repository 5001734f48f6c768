/* export_period: the periods a report covers (calendar months, quarters and years, and the
 * reporting periods of Nghị định 09/2019/NĐ-CP), and the pieces of an administrative document's
 * header and signature block that every report format shares. */
#include "export_int.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "clock.h"
#include "util.h"

static int all_digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int export_parse_year(const char *s, int *year)
{
    int y;
    if (!s || strlen(s) != 4 || all_digits(s, 4, &y) || y < 1970)
        return -1;
    *year = y;
    return 0;
}

int export_parse_quarter(const char *s, int *year, int *quarter)
{
    int y;
    if (!s || strlen(s) != 7 || s[4] != '-' || (s[5] != 'Q' && s[5] != 'q') ||
        all_digits(s, 4, &y) || y < 1970 || s[6] < '1' || s[6] > '4')
        return -1;
    *year = y;
    *quarter = s[6] - '0';
    return 0;
}

int export_parse_nd09(const char *s, export_period *out)
{
    if (!s || strncmp(s, "nd09:", 5) != 0)
        return -1;
    s += 5;
    export_period p = {0};
    if (strlen(s) == 4 && export_parse_year(s, &p.year) == 0)
        p.kind = EXPORT_PERIOD_ND09_YEAR;
    else if (export_parse_quarter(s, &p.year, &p.n) == 0)
        p.kind = EXPORT_PERIOD_ND09_QUARTER;
    else if (export_parse_month(s, &p.year, &p.n) == 0)
        p.kind = EXPORT_PERIOD_ND09_MONTH;
    else
        return -1;
    *out = p;
    return 0;
}

/* The 15th of the month before (year, month). */
static export_date fifteenth_before(int year, int month)
{
    return month == 1 ? (export_date){year - 1, 12, 15} : (export_date){year, month - 1, 15};
}

int export_period_days(export_period p, export_date *from, export_date *to)
{
    int y = p.year, n = p.n;
    if (y < 1970 || y > 9999)
        return -1;
    switch (p.kind) {
    case EXPORT_PERIOD_MONTH:
    case EXPORT_PERIOD_ND09_MONTH:
        if (n < 1 || n > 12)
            return -1;
        if (p.kind == EXPORT_PERIOD_MONTH) {
            *from = (export_date){y, n, 1};
            *to = (export_date){y, n, export_days_in_month(y, n)};
        } else {
            *from = fifteenth_before(y, n);
            *to = (export_date){y, n, 14};
        }
        return 0;
    case EXPORT_PERIOD_QUARTER:
    case EXPORT_PERIOD_ND09_QUARTER:
        if (n < 1 || n > 4)
            return -1;
        if (p.kind == EXPORT_PERIOD_QUARTER) {
            *from = (export_date){y, 3 * n - 2, 1};
            *to = (export_date){y, 3 * n, export_days_in_month(y, 3 * n)};
        } else {
            *from = fifteenth_before(y, 3 * n - 2);
            *to = (export_date){y, 3 * n, 14};
        }
        return 0;
    case EXPORT_PERIOD_YEAR:
        *from = (export_date){y, 1, 1};
        *to = (export_date){y, 12, 31};
        return 0;
    case EXPORT_PERIOD_ND09_YEAR:
        *from = (export_date){y - 1, 12, 15};
        *to = (export_date){y, 12, 14};
        return 0;
    }
    return -1;
}

void export_period_name(export_period p, char *out, size_t cap)
{
    static const char *const roman[5] = {"", "I", "II", "III", "IV"};
    const char *q = p.n >= 1 && p.n <= 4 ? roman[p.n] : "?";
    switch (p.kind) {
    case EXPORT_PERIOD_MONTH:
        util_fmt(out, cap, "Tháng %02d/%04d", p.n, p.year);
        break;
    case EXPORT_PERIOD_QUARTER:
        util_fmt(out, cap, "Quý %s/%04d", q, p.year);
        break;
    case EXPORT_PERIOD_YEAR:
        util_fmt(out, cap, "Năm %04d", p.year);
        break;
    case EXPORT_PERIOD_ND09_MONTH:
        util_fmt(out, cap, "Kỳ báo cáo tháng %02d/%04d", p.n, p.year);
        break;
    case EXPORT_PERIOD_ND09_QUARTER:
        util_fmt(out, cap, "Kỳ báo cáo quý %s/%04d", q, p.year);
        break;
    case EXPORT_PERIOD_ND09_YEAR:
        util_fmt(out, cap, "Kỳ báo cáo năm %04d", p.year);
        break;
    default:
        util_fmt(out, cap, "?");
    }
}

int export_period_is_nd09(export_period p)
{
    return p.kind == EXPORT_PERIOD_ND09_MONTH || p.kind == EXPORT_PERIOD_ND09_QUARTER ||
           p.kind == EXPORT_PERIOD_ND09_YEAR;
}

/* ---- the document's header and signatures ---- */

char *export_upper(const char *s)
{
    buf d = {0};
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)(s ? s : "");
    while (*p) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
        if (n <= 0) { /* not UTF-8: the byte as it is */
            buf_add(&d, (const char *)p, 1);
            p++;
            continue;
        }
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t k = utf8proc_encode_char(utf8proc_toupper(cp), enc);
        buf_add(&d, (const char *)enc, (size_t)k);
        p += n;
    }
    char *t = buf_take(&d);
    return t ? t : xstrdup(""); /* an empty name still gives a string */
}

void export_head_init(export_head *h, const content *c, int64_t made_at_ms)
{
    memset(h, 0, sizeof *h);
    h->left[0] = export_upper(c && c->commune_name ? c->commune_name : "");
    h->left[1] = export_upper(c && c->desk_name ? c->desk_name : "");
    h->right[0] = EXPORT_QUOC_HIEU;
    h->right[1] = EXPORT_TIEU_NGU;
    if (made_at_ms) {
        clk_local l = clk_to_local(made_at_ms);
        util_fmt(h->date, sizeof h->date, "Ngày %02d tháng %02d năm %04d", l.day, l.month, l.year);
    } else {
        util_strlcpy(h->date, "Ngày ..... tháng ..... năm .......", sizeof h->date);
    }
}

void export_head_free(export_head *h)
{
    free(h->left[0]);
    free(h->left[1]);
    memset(h, 0, sizeof *h);
}

void export_note_lines(const content *c, const export_summary *s, char *lines[EXPORT_N_NOTES])
{
    buf a = {0}, b = {0}, d = {0};
    buf_printf(&a,
               "Ghi chú: " EXPORT_SHARE_HEAD " là số liệu nội bộ từ máy đánh giá tại %s, không "
               "phải chỉ số hài lòng chính thức theo Quyết định 766/QĐ-TTg.",
               c && c->desk_name ? c->desk_name : "");
    buf_str(&b, EXPORT_NOTE_FORMULA);
    buf_printf(&d, EXPORT_MISUSE_LINE "%lld", (long long)s->total.misuse);
    lines[0] = buf_take(&a);
    lines[1] = buf_take(&b);
    lines[2] = buf_take(&d);
}

void export_reasons_intro(const export_summary *s, char *out, size_t cap)
{
    util_fmt(out, cap,
             "Số phiếu chưa hài lòng: %lld. Một phiếu có thể nêu nhiều lý do, nên tổng các tỷ lệ "
             "có thể vượt 100%%.",
             (long long)s->total.n[1]);
}
