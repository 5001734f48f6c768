/* scr_proc: one procedure: code, field, level, time limit, fees, documents, steps, where to
 * submit, legal basis, online availability; a scrolling document, and a QR code to take the
 * procedure's online page away on a phone. */
#include <stdio.h>
#include <string.h>

#include "qr.h"
#include "scr_common.h"

typedef struct {
    app *a;
    SDL_Rect view; /* visible window */
    int x, w;      /* text column */
    int y;         /* next block's top, in screen coordinates (may be outside the view) */
    int draw;
} doc;

static void heading(doc *d, const char *text)
{
    const ui_metrics *m = &d->a->m;
    int px = m->u * 3 + m->u / 2;
    d->y += m->u * 3;
    int h = gfx_line_height(d->a->gfx, GFX_BOLD, px);
    SDL_Rect r = {d->x, d->y, d->w, h + m->u};
    if (d->draw && scr_visible(r, d->view)) {
        gfx_text(d->a->gfx, GFX_BOLD, px, UI_PRIMARY, d->x, d->y, GFX_LEFT, text);
        gfx_fill_rect(d->a->gfx, ui_rect(d->x, d->y + h, d->w, m->u / 4 + 1), UI_BORDER);
    }
    d->y += h + m->u;
}

/* A paragraph; with a marker ("1.", "•") it hangs the text after it. */
static void para(doc *d, const char *marker, const char *text)
{
    const ui_metrics *m = &d->a->m;
    int px = m->u * 3;
    int indent = marker ? m->u * 5 : 0;
    SDL_Rect box = {d->x + indent, d->y, d->w - indent, 1 << 20};
    int h = gfx_text_wrap(d->a->gfx, GFX_REGULAR, px, UI_TEXT, box, GFX_LEFT, text, 0);
    box.h = h;
    if (d->draw && scr_visible(box, d->view)) {
        if (marker)
            gfx_text(d->a->gfx, GFX_BOLD, px, UI_TEXT, d->x, d->y, GFX_LEFT, marker);
        gfx_text_wrap(d->a->gfx, GFX_REGULAR, px, UI_TEXT, box, GFX_LEFT, text, 1);
    }
    d->y += h + m->u;
}

/* Only what the flag itself says: how else a procedure may be submitted (by post, or only in
 * person) differs between procedures and comes from its "channels", never from here. */
static void online_text(const app *a, proc_online o, char *out, size_t n)
{
    switch (o) {
    case PROC_ONLINE_FULL:
        snprintf(out, n, "Có: dịch vụ công trực tuyến toàn trình (nộp và nhận kết quả qua mạng).");
        break;
    case PROC_ONLINE_PARTIAL:
        snprintf(out, n, "Có một phần: nộp hồ sơ trực tuyến, nhận kết quả tại %s.",
                 a->content->desk_name);
        break;
    default:
        snprintf(out, n, "Chưa có dịch vụ công trực tuyến cho thủ tục này.");
    }
}

/* Lays out (and with d->draw, draws) the whole document; returns its height. */
static int document(doc *d, const proc_item *p)
{
    const proc_set *ps = d->a->procs;
    int top = d->y;
    char line[512], num[24];
    snprintf(line, sizeof line, "%s%s%sLĩnh vực: %s · %s", p->code[0] ? "Mã TTHC: " : "", p->code,
             p->code[0] ? " · " : "", ps->fields[p->field].name, p->level);
    para(d, NULL, line);
    heading(d, "Thời hạn giải quyết");
    para(d, NULL, p->time_limit);
    heading(d, "Phí, lệ phí");
    para(d, NULL, p->fees);
    heading(d, "Thành phần hồ sơ");
    for (size_t i = 0; i < p->n_docs; i++) {
        snprintf(num, sizeof num, "%zu.", i + 1);
        if (p->docs[i].copies[0])
            snprintf(line, sizeof line, "%s (%s)", p->docs[i].name, p->docs[i].copies);
        else
            snprintf(line, sizeof line, "%s", p->docs[i].name);
        para(d, num, line);
    }
    heading(d, "Trình tự thực hiện");
    for (size_t i = 0; i < p->n_steps; i++) {
        snprintf(num, sizeof num, "%zu.", i + 1);
        para(d, num, p->steps[i]);
    }
    heading(d, "Nơi nộp hồ sơ");
    para(d, NULL, p->where);
    if (*p->channels) {
        heading(d, "Cách thức thực hiện");
        para(d, NULL, p->channels);
    }
    if (p->n_legal) {
        heading(d, "Căn cứ pháp lý");
        for (size_t i = 0; i < p->n_legal; i++)
            para(d, "•", p->legal[i]);
    }
    heading(d, "Dịch vụ công trực tuyến");
    online_text(d->a, p->online, line, sizeof line);
    para(d, NULL, line);
    return d->y - top + d->a->m.u * 4; /* margins above and below */
}

static void qr_block(app *a, const proc_item *p, SDL_Rect r)
{
    const ui_metrics *m = &a->m;
    gfx_fill_rrect(a->gfx, r, m->u * 2, UI_SURFACE);
    SDL_Rect in = ui_inset(r, m->u * 2);
    int side = in.w < in.h * 6 / 10 ? in.w : in.h * 6 / 10;
    char url[1024], cap[256];
    switch (proc_qr_target(p, url, sizeof url)) {
    case PROC_QR_OWN_URL:
        snprintf(cap, sizeof cap, "Quét mã bằng điện thoại để xem thủ tục này trên mạng");
        break;
    case PROC_QR_BY_CODE:
        snprintf(cap, sizeof cap,
                 "Quét mã bằng điện thoại để xem thủ tục này (mã %s) trên Cổng Dịch vụ công "
                 "quốc gia",
                 p->code);
        break;
    default: /* say what it opens: a promise of "this procedure" would be false */
        snprintf(cap, sizeof cap,
                 "Mã này mở trang chủ Cổng Dịch vụ công quốc gia; tìm thủ tục theo tên của nó");
    }
    if (!m->landscape) { /* code on the left, the caption beside it, centred on it */
        side = in.h;
        qr_view_draw(a->qr, url, ui_rect(in.x, in.y, side, side));
        SDL_Rect t = {in.x + side + m->u * 3, in.y, in.w - side - m->u * 3, in.h};
        int h = gfx_text_wrap(a->gfx, GFX_REGULAR, m->u * 3, UI_TEXT, t, GFX_LEFT, cap, 0);
        if (h < t.h)
            t.y += (t.h - h) / 2;
        gfx_text_wrap(a->gfx, GFX_REGULAR, m->u * 3, UI_TEXT, t, GFX_LEFT, cap, 1);
        return;
    }
    /* Code above its caption, the pair centred in the column. */
    int cap_px = m->u * 2 + m->u / 2;
    SDL_Rect t = {in.x, 0, in.w, in.h - side - m->u * 2};
    int cap_h = gfx_text_wrap(a->gfx, GFX_REGULAR, cap_px, UI_TEXT, t, GFX_CENTER, cap, 0);
    if (cap_h > t.h)
        cap_h = t.h;
    int top = in.y + (in.h - side - m->u * 2 - cap_h) / 2;
    qr_view_draw(a->qr, url, ui_rect(in.x + (in.w - side) / 2, top, side, side));
    t.y = top + side + m->u * 2;
    gfx_text_wrap(a->gfx, GFX_REGULAR, cap_px, UI_TEXT, t, GFX_CENTER, cap, 1);
}

static void detail_draw(app *a)
{
    const ui_metrics *m = &a->m;
    const proc_item *p = &a->procs->items[a->proc_item];
    SDL_Rect body = scr_title_bar(a, p->name);
    SDL_Rect doc_area = body;
    /* A QR code always: at worst the portal's home page, and its caption says so. */
    if (m->landscape) {
        int qw = body.w * 26 / 100;
        qr_block(a, p, ui_rect(body.x + body.w - qw, body.y, qw, body.h));
        doc_area.w -= qw + m->u * 2;
    } else {
        int qh = m->u * 26;
        qr_block(a, p, ui_rect(body.x, body.y, body.w, qh));
        doc_area.y += qh + m->u * 2;
        doc_area.h -= qh + m->u * 2;
    }
    /* Measure first: the scroll extent and page buttons depend on the document's height. */
    int col_w = doc_area.w - m->u * 14 - m->u * 4;
    doc d = {a, doc_area, doc_area.x + m->u * 2, col_w, 0, 0};
    int h = document(&d, p);
    SDL_Rect view = scr_scroll_area(a, doc_area, h);
    gfx_fill_rrect(a->gfx, view, m->u * 2, UI_SURFACE);
    scr_clip(a, &view);
    d.view = view;
    d.x = view.x + m->u * 2;
    d.w = view.w - m->u * 4;
    d.y = view.y + m->u * 2 - scroll_pos(&a->scroll);
    d.draw = 1;
    document(&d, p);
    scr_clip(a, NULL);
}

static void detail_tap(app *a, const char *id)
{
    if (scr_scroll_tap(a, id))
        return;
    if (strcmp(id, "back") == 0)
        app_go(a, a->detail_back);
}

const screen scr_proc = {"proc",      SCR_IDLE_READING,  NULL, NULL, detail_tap, NULL,
                         detail_draw, SCR_GROUP_CITIZEN, NULL, 0,    NULL};
