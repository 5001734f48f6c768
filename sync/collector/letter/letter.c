/* letter: one letter of the Chairman as a one-page A4 PDF, laid out as a Vietnamese
 * administrative document per Nghị định 30/2020/NĐ-CP, Phụ lục I: margins (top and bottom 20 mm,
 * left 30 mm, right 15 mm), the issuing body top left and Quốc hiệu, Tiêu ngữ top right with
 * their rules, the number under the body and the date line under Tiêu ngữ, the title, the body in
 * 13 pt justified with a first-line indent, the signature block right and "Nơi nhận" left.
 *
 * Pango lays the text out and cairo writes the PDF, which embeds a subset of every font used.
 * The fonts come from our own files (font_dir) through a private fontconfig configuration given
 * to a private font map: the PDF never depends on the fonts of the machine it was made on, and a
 * character Noto Serif lacks is an error rather than a glyph from some other font. */
#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "buf.h"
#include "letter.h"
#include "util.h"

#define MM       (72.0 / 25.4)
#define PAGE_W   (210.0 * MM) /* A4 */
#define PAGE_H   (297.0 * MM)
#define M_TOP    (20.0 * MM)
#define M_BOTTOM (20.0 * MM)
#define M_LEFT   (30.0 * MM)
#define M_RIGHT  (15.0 * MM)
#define TEXT_W   (PAGE_W - M_LEFT - M_RIGHT)
/* The header's two columns, as the templates of Phụ lục I draw them: the issuing body on the
 * narrower left, Quốc hiệu (the longest line of the page's head) on the right. The signature
 * block sits under the right one, "Nơi nhận" under the left one. */
#define COL_L_W  (62.0 * MM)
#define COL_R_X  (M_LEFT + COL_L_W)
#define COL_R_W  (TEXT_W - COL_L_W)
#define FAMILY   "Noto Serif"
#define BODY_PT  13.0
#define INDENT   (12.7 * MM) /* the first line of a paragraph: 1.27 cm */
#define PARA_GAP 6.0         /* between paragraphs: at least 6 pt */
#define SIGN_GAP (25.0 * MM) /* room for the signature and the seal */

enum { F_BOLD = 1, F_ITALIC = 2 };

static const char *const font_files[] = {"NotoSerif-Regular.ttf", "NotoSerif-Bold.ttf",
                                         "NotoSerif-Italic.ttf", "NotoSerif-BoldItalic.ttf"};

const char *const letter_placeholders[] = {"danh_xung",     "nguoi_nhan",       "ten_xa",
                                           "ngay_phan_anh", "noi_dung_tom_tat", "can_bo",
                                           "bien_phap"};
const size_t letter_n_placeholders = HL_ARRAY_LEN(letter_placeholders);

const char *letter_kind_name(letter_kind k)
{
    return k == LETTER_CAM_ON ? "Thư cảm ơn" : "Thư xin lỗi";
}

const char *letter_template_file(letter_kind k)
{
    return k == LETTER_CAM_ON ? "cam-on.txt" : "xin-loi.txt";
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

int letter_date_line(const char *place, int year, int month, int day, char *out, size_t cap)
{
    if (!place || year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1 ||
        day > days_in_month(year, month))
        return -1;
    /* Nghị định 30: days below 10 and the months 1 and 2 take a leading 0 ("tháng 02" so that
     * nobody can add a digit after it; "tháng 3" to "tháng 12" are written as they are). */
    return util_fmt(out, cap, "%s, ngày %02d tháng %s%d năm %d", place, day, month <= 2 ? "0" : "",
                    month, year);
}

int letter_number(int number, const char *symbol, char *out, size_t cap)
{
    if (number < 1 || !symbol || !*symbol)
        return -1;
    return util_fmt(out, cap, "%02d/%s", number, symbol);
}

/* --- one layout: text in our font, its size, and where it goes --- */

typedef struct {
    PangoContext *ctx;
    cairo_t *cr;
    char *err;
    size_t errlen;
} pen;

/* A layout of text at pt points; width < 0 means one line at its natural width. The field names
 * what the text is in errors (characters the font cannot draw). NULL with err set. */
static PangoLayout *lay(pen *p, const char *field, const char *text, double pt, int flags,
                        double width, PangoAlignment align)
{
    PangoLayout *l = pango_layout_new(p->ctx);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, FAMILY);
    pango_font_description_set_size(fd, (gint)(pt * PANGO_SCALE));
    pango_font_description_set_weight(fd, flags & F_BOLD ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(fd,
                                     flags & F_ITALIC ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    if (width >= 0) {
        pango_layout_set_width(l, (int)(width * PANGO_SCALE));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD);
    }
    pango_layout_set_alignment(l, align);
    pango_layout_set_text(l, text, -1);
    if (pango_layout_get_unknown_glyphs_count(l) > 0) {
        util_fail(p->err, p->errlen, -1,
                  "the %s has characters the letter's font (" FAMILY ") cannot draw", field);
        g_object_unref(l);
        return NULL;
    }
    return l;
}

static double lay_h(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

/* The width of the widest line's ink-free logical extent. */
static double lay_w(PangoLayout *l)
{
    PangoRectangle r;
    pango_layout_get_extents(l, NULL, &r);
    return (double)r.width / PANGO_SCALE;
}

/* A layout of width w that is centred in a column [x, x + w) by pango: drawn at x. */
static void show(pen *p, PangoLayout *l, double x, double y)
{
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
}

/* A horizontal rule of length len centred on cx. */
static void rule(pen *p, double cx, double y, double len)
{
    cairo_set_line_width(p->cr, 0.6);
    cairo_move_to(p->cr, cx - len / 2, y);
    cairo_line_to(p->cr, cx + len / 2, y);
    cairo_stroke(p->cr);
}

/* --- checks and the body's paragraphs --- */

static int check_text(const char *field, const char *s, int required, char *err, size_t errlen)
{
    if (!s || !*s)
        return required ? util_fail(err, errlen, -1, "the letter has no %s", field) : 0;
    const char *end;
    if (!g_utf8_validate(s, -1, &end))
        return util_fail(err, errlen, -1, "the letter's %s is not valid UTF-8 (byte %ld)", field,
                         (long)(end - s));
    return 0;
}

/* The paragraphs of the body: blank lines separate them, the lines inside one are joined with a
 * space (templates are wrapped for editing, the PDF wraps them again). A malloc'ed array of
 * malloc'ed strings, its count in *n. */
static char **paragraphs(const char *body, size_t *n)
{
    char **out = NULL;
    size_t cnt = 0;
    buf cur = {0};
    const char *s = body;
    for (;;) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        size_t a = 0, b = len;
        while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'))
            a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r'))
            b--;
        if (a == b || !e) {
            if (a < b) {
                if (cur.len)
                    buf_add(&cur, " ", 1);
                buf_add(&cur, s + a, b - a);
            }
            if (cur.len) {
                out = xrealloc(out, (cnt + 1) * sizeof *out);
                out[cnt++] = buf_take(&cur);
            }
        } else {
            if (cur.len)
                buf_add(&cur, " ", 1);
            buf_add(&cur, s + a, b - a);
        }
        if (!e)
            break;
        s = e + 1;
    }
    buf_free(&cur);
    *n = cnt;
    return out;
}

static void free_paragraphs(char **p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i]);
    free(p);
}

/* --- the page --- */

/* Everything placed on the page: laid out first, measured, then drawn only if it fits. */
typedef struct {
    PangoLayout *issuer, *unit, *number, *nation, *motto, *date, *title, *to, *addr;
    PangoLayout *sign_for, *sign_title, *signer, *cc_head;
    PangoLayout **cc, **paras;
    size_t n_cc, n_paras;
} page;

static void page_free(page *pg)
{
    PangoLayout **one[] = {&pg->issuer,     &pg->unit,   &pg->number, &pg->nation, &pg->motto,
                           &pg->date,       &pg->title,  &pg->to,     &pg->addr,   &pg->sign_for,
                           &pg->sign_title, &pg->signer, &pg->cc_head};
    for (size_t i = 0; i < HL_ARRAY_LEN(one); i++)
        if (*one[i])
            g_object_unref(*one[i]);
    for (size_t i = 0; i < pg->n_cc; i++)
        if (pg->cc[i])
            g_object_unref(pg->cc[i]);
    for (size_t i = 0; i < pg->n_paras; i++)
        if (pg->paras[i])
            g_object_unref(pg->paras[i]);
    free(pg->cc);
    free(pg->paras);
}

static char *upper(const char *s)
{
    return g_utf8_strup(s, -1);
}

/* Lays out every part of d. 0, or -1 with err set. */
static int page_layout(pen *p, const letter_doc *d, page *pg)
{
    static const char *const def_cc[] = {"- Như trên;", "- Lưu: VT."};
    char line[512];
    char *up = upper(d->issuer && *d->issuer ? d->issuer : "Ủy ban nhân dân");
    pg->issuer = lay(p, "issuer", up, 12, F_BOLD, COL_L_W, PANGO_ALIGN_CENTER);
    g_free(up);
    up = upper(d->unit);
    pg->unit = pg->issuer ? lay(p, "unit", up, 12, F_BOLD, COL_L_W, PANGO_ALIGN_CENTER) : NULL;
    g_free(up);
    if (!pg->unit)
        return -1;
    char num[128];
    if (letter_number(d->number, d->symbol, num, sizeof num) ||
        util_fmt(line, sizeof line, "Số: %s", num) < 0)
        return util_fail(p->err, p->errlen, -1, "the letter's symbol is too long");
    if (!(pg->number = lay(p, "symbol", line, 13, 0, COL_L_W, PANGO_ALIGN_CENTER)))
        return -1;
    pg->nation =
        lay(p, "header", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, F_BOLD, -1, PANGO_ALIGN_LEFT);
    pg->motto = lay(p, "header", "Độc lập - Tự do - Hạnh phúc", 13, F_BOLD, -1, PANGO_ALIGN_LEFT);
    if (letter_date_line(d->place, d->year, d->month, d->day, line, sizeof line))
        return util_fail(p->err, p->errlen, -1,
                         "the letter's date %04d-%02d-%02d is not a real date (or the place is "
                         "too long)",
                         d->year, d->month, d->day);
    if (!(pg->date = lay(p, "place", line, 13, F_ITALIC, COL_R_W, PANGO_ALIGN_CENTER)))
        return -1;
    const char *title = d->kind == LETTER_CAM_ON ? "THƯ CẢM ƠN" : "THƯ XIN LỖI";
    pg->title = lay(p, "title", title, 14, F_BOLD, TEXT_W, PANGO_ALIGN_CENTER);
    char *to = g_strconcat("Kính gửi: ", d->recipient, NULL);
    pg->to = lay(p, "recipient", to, 14, 0, TEXT_W, PANGO_ALIGN_CENTER);
    g_free(to);
    if (!pg->to)
        return -1;
    if (d->address && *d->address) {
        char *a = g_strconcat("Địa chỉ: ", d->address, NULL);
        pg->addr = lay(p, "address", a, 13, 0, TEXT_W, PANGO_ALIGN_CENTER);
        g_free(a);
        if (!pg->addr)
            return -1;
    }
    char **paras = paragraphs(d->body, &pg->n_paras);
    pg->paras = xcalloc(pg->n_paras ? pg->n_paras : 1, sizeof *pg->paras);
    int rc = 0;
    for (size_t i = 0; i < pg->n_paras && !rc; i++) {
        PangoLayout *l = lay(p, "body", paras[i], BODY_PT, 0, TEXT_W, PANGO_ALIGN_LEFT);
        if (!l) {
            rc = -1;
            break;
        }
        pango_layout_set_justify(l, TRUE);
        pango_layout_set_indent(l, (int)(INDENT * PANGO_SCALE));
        pg->paras[i] = l;
    }
    free_paragraphs(paras, pg->n_paras);
    if (rc)
        return -1;
    if (!pg->n_paras)
        return util_fail(p->err, p->errlen, -1, "the letter has no body");
    up = upper(d->sign_for && *d->sign_for ? d->sign_for : "TM. Ủy ban nhân dân");
    pg->sign_for = lay(p, "sign_for", up, 13, F_BOLD, COL_R_W, PANGO_ALIGN_CENTER);
    g_free(up);
    up = upper(d->sign_title && *d->sign_title ? d->sign_title : "Chủ tịch");
    pg->sign_title =
        pg->sign_for ? lay(p, "sign_title", up, 13, F_BOLD, COL_R_W, PANGO_ALIGN_CENTER) : NULL;
    g_free(up);
    if (!pg->sign_title ||
        !(pg->signer = lay(p, "signer", d->signer, 13, F_BOLD, COL_R_W, PANGO_ALIGN_CENTER)) ||
        !(pg->cc_head =
              lay(p, "cc", "Nơi nhận:", 12, F_BOLD | F_ITALIC, COL_L_W, PANGO_ALIGN_LEFT)))
        return -1;
    const char *const *cc = d->cc && d->n_cc ? d->cc : def_cc;
    pg->n_cc = d->cc && d->n_cc ? d->n_cc : HL_ARRAY_LEN(def_cc);
    pg->cc = xcalloc(pg->n_cc, sizeof *pg->cc);
    for (size_t i = 0; i < pg->n_cc; i++)
        if (!(pg->cc[i] = lay(p, "cc", cc[i], 11, 0, COL_L_W, PANGO_ALIGN_LEFT)))
            return -1;
    return 0;
}

/* Places and (when draw) draws the page. Returns how many lines of the body fall below the
 * room the signature block leaves: 0 when the letter fits. */
static int page_place(pen *p, page *pg, int draw)
{
    const double lcx = M_LEFT + COL_L_W / 2, rcx = COL_R_X + COL_R_W / 2;
    /* Left: the issuing body, a rule of 40% of its last line (1/3 to 1/2, Nghị định 30), Số. */
    double yl = M_TOP;
    if (draw)
        show(p, pg->issuer, M_LEFT, yl);
    yl += lay_h(pg->issuer);
    if (draw)
        show(p, pg->unit, M_LEFT, yl);
    yl += lay_h(pg->unit) + 4;
    if (draw)
        rule(p, lcx, yl, 0.4 * lay_w(pg->unit));
    /* Right: Quốc hiệu, Tiêu ngữ and a rule as long as it. */
    double yr = M_TOP;
    if (draw)
        show(p, pg->nation, rcx - lay_w(pg->nation) / 2, yr);
    yr += lay_h(pg->nation);
    if (draw)
        show(p, pg->motto, rcx - lay_w(pg->motto) / 2, yr);
    yr += lay_h(pg->motto) + 4;
    if (draw)
        rule(p, rcx, yr, lay_w(pg->motto));
    /* Số and the date line on one level under both rules. */
    double y = (yl > yr ? yl : yr) + 8;
    if (draw) {
        show(p, pg->number, M_LEFT, y);
        show(p, pg->date, COL_R_X, y);
    }
    double hn = lay_h(pg->number), hd = lay_h(pg->date);
    y += (hn > hd ? hn : hd) + 20;
    if (draw)
        show(p, pg->title, M_LEFT, y);
    y += lay_h(pg->title) + 10;
    if (draw)
        show(p, pg->to, M_LEFT, y);
    y += lay_h(pg->to);
    if (pg->addr) {
        if (draw)
            show(p, pg->addr, M_LEFT, y);
        y += lay_h(pg->addr);
    }
    y += 12;

    /* The block under the body: the signature on the right, "Nơi nhận" on the left. */
    double sig = lay_h(pg->sign_for) + lay_h(pg->sign_title) + SIGN_GAP + lay_h(pg->signer);
    double cch = lay_h(pg->cc_head);
    for (size_t i = 0; i < pg->n_cc; i++)
        cch += lay_h(pg->cc[i]);
    double block = sig > cch ? sig : cch;
    const double limit = PAGE_H - M_BOTTOM - block - 12;

    int over = 0;
    for (size_t i = 0; i < pg->n_paras; i++) {
        PangoLayoutIter *it = pango_layout_get_iter(pg->paras[i]);
        do {
            PangoRectangle r;
            pango_layout_iter_get_line_extents(it, NULL, &r);
            if (y + (double)(r.y + r.height) / PANGO_SCALE > limit + 0.01)
                over++;
        } while (pango_layout_iter_next_line(it));
        pango_layout_iter_free(it);
        if (draw)
            show(p, pg->paras[i], M_LEFT, y);
        y += lay_h(pg->paras[i]) + PARA_GAP;
    }
    if (over || !draw)
        return over;

    y += 12 - PARA_GAP;
    double ys = y;
    show(p, pg->sign_for, COL_R_X, ys);
    ys += lay_h(pg->sign_for);
    show(p, pg->sign_title, COL_R_X, ys);
    ys += lay_h(pg->sign_title) + SIGN_GAP;
    show(p, pg->signer, COL_R_X, ys);
    double yc = y;
    show(p, pg->cc_head, M_LEFT, yc);
    yc += lay_h(pg->cc_head);
    for (size_t i = 0; i < pg->n_cc; i++) {
        show(p, pg->cc[i], M_LEFT, yc);
        yc += lay_h(pg->cc[i]);
    }
    return 0;
}

/* --- fonts, the PDF in memory, the file --- */

/* A font map that sees only the four Noto Serif files of dir. NULL with err set. */
static PangoFontMap *font_map(const char *dir, char *err, size_t errlen)
{
    FcConfig *fc = FcConfigCreate();
    if (!fc) {
        util_fail(err, errlen, -1, "fontconfig could not make a configuration");
        return NULL;
    }
    for (size_t i = 0; i < HL_ARRAY_LEN(font_files); i++) {
        char path[4096];
        int e = 0;
        if (util_fmt(path, sizeof path, "%s/%s", dir, font_files[i]) < 0)
            e = ENAMETOOLONG;
        else if (access(path, R_OK) != 0)
            e = errno;
        if (e) {
            util_fail(err, errlen, -1, "cannot read the letter's font %s/%s: %s", dir,
                      font_files[i], strerror(e));
            FcConfigDestroy(fc);
            return NULL;
        }
        if (!FcConfigAppFontAddFile(fc, (const FcChar8 *)path)) {
            util_fail(err, errlen, -1, "the letter's font %s is not a font fontconfig can load",
                      path);
            FcConfigDestroy(fc);
            return NULL;
        }
    }
    PangoFontMap *fm = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
    if (!fm) {
        FcConfigDestroy(fc);
        util_fail(err, errlen, -1, "pango has no FreeType font map");
        return NULL;
    }
    pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(fm), fc); /* takes its own reference */
    FcConfigDestroy(fc);
    return fm;
}

/* Pango 1.50 references the FcConfig in pango_fc_font_map_set_config but never releases it when
 * the font map is finalized: setting no config first releases it, else every letter would leak
 * its four parsed fonts in a long-running collector (LeakSanitizer in test_letter sees it). */
static void font_map_free(PangoFontMap *fm)
{
    pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(fm), NULL);
    g_object_unref(fm);
}

static cairo_status_t to_buf(void *closure, const unsigned char *data, unsigned int len)
{
    return buf_add(closure, data, len) ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

static int check_doc(const letter_doc *d, char *err, size_t errlen)
{
    if (!d->font_dir || !*d->font_dir)
        return util_fail(err, errlen, -1, "the letter has no font folder (font_dir)");
    struct {
        const char *name, *s;
        int required;
    } f[] = {
        {"issuer", d->issuer, 0}, {"unit", d->unit, 1},           {"symbol", d->symbol, 1},
        {"place", d->place, 1},   {"recipient", d->recipient, 1}, {"address", d->address, 0},
        {"body", d->body, 1},     {"sign_for", d->sign_for, 0},   {"sign_title", d->sign_title, 0},
        {"signer", d->signer, 1}};
    for (size_t i = 0; i < HL_ARRAY_LEN(f); i++)
        if (check_text(f[i].name, f[i].s, f[i].required, err, errlen))
            return -1;
    for (size_t i = 0; d->cc && i < d->n_cc; i++) {
        char name[32];
        util_fmt(name, sizeof name, "cc line %zu", i + 1);
        if (check_text(name, d->cc[i], 1, err, errlen))
            return -1;
    }
    if (d->number < 1)
        return util_fail(err, errlen, -1, "the letter's number %d is not 1 or more", d->number);
    return 0;
}

int letter_pdf(const letter_doc *d, const char *out_path, char *err, size_t errlen)
{
    if (!d || !out_path || !*out_path)
        return util_fail(err, errlen, -1, "letter_pdf: no letter or no output path");
    if (check_doc(d, err, errlen))
        return -1;
    PangoFontMap *fm = font_map(d->font_dir, err, errlen);
    if (!fm)
        return -1;
    buf pdf = {0};
    cairo_surface_t *surf = cairo_pdf_surface_create_for_stream(to_buf, &pdf, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, letter_kind_name(d->kind));
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "Hài lòng");
    cairo_t *cr = cairo_create(surf);
    PangoContext *ctx = pango_font_map_create_context(fm);
    /* Points, not pixels: one cairo unit of a PDF surface is 1/72 inch. Outline metrics, as
     * a printed page needs (hinting is for screens). */
    pango_cairo_context_set_resolution(ctx, 72.0);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(ctx, fo);
    cairo_font_options_destroy(fo);
    pango_context_set_round_glyph_positions(ctx, FALSE);
    pango_cairo_update_context(cr, ctx);

    pen p = {.ctx = ctx, .cr = cr, .err = err, .errlen = errlen};
    page pg = {0};
    int rc = page_layout(&p, d, &pg);
    if (!rc) {
        int over = page_place(&p, &pg, 0);
        if (over)
            rc = util_fail(err, errlen, -1,
                           "the letter's body is too long for one page: %d line%s over", over,
                           over == 1 ? "" : "s");
    }
    if (!rc) {
        cairo_set_source_rgb(cr, 0, 0, 0);
        page_place(&p, &pg, 1);
        cairo_show_page(cr);
    }
    page_free(&pg);
    g_object_unref(ctx);
    cairo_destroy(cr);
    cairo_surface_finish(surf);
    cairo_status_t st = cairo_surface_status(surf);
    cairo_surface_destroy(surf);
    font_map_free(fm);
    if (!rc && st != CAIRO_STATUS_SUCCESS)
        rc = util_fail(err, errlen, -1, "cairo could not make the PDF: %s",
                       cairo_status_to_string(st));
    if (!rc && af_write_file(out_path, pdf.p, pdf.len, "write the letter again", err, errlen))
        rc = -1;
    buf_free(&pdf);
    return rc;
}
