/* scr_admin_export: votes to a USB stick: which stick, which period (this month, last month, the
 * reporting period of Nghị định 09/2019 ending on the 14th of this month, or days chosen with
 * - / +), CSV or Excel; a progress bar while the export runs on its own thread,
 * then the file's name, or an honest message when the stick was pulled. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "scr_common.h"

static const SDL_Color RED = {0xB7, 0x1C, 0x1C, 0xFF};
static const SDL_Color GREEN = {0x14, 0x6C, 0x31, 0xFF};

static void stick_enter(app *a)
{
    admin_export_enter(a->admin);
}

static void fmt_date(char *out, size_t cap, export_date d)
{
    snprintf(out, cap, "%02d/%02d/%04d", d.day, d.month, d.year);
}

/* A section's label; returns the y below it. */
static int label(app *a, int x, int y, const char *text)
{
    const ui_metrics *m = &a->m;
    int px = m->u * 3;
    gfx_text(a->gfx, GFX_BOLD, px, UI_TEXT, x, y, GFX_LEFT, text);
    return y + gfx_line_height(a->gfx, GFX_BOLD, px) + m->u;
}

/* Greys out a control drawn at r and takes back its target: nothing but "Hủy" answers while an
 * export runs, and what does not answer must not look as if it would. */
static void disable(app *a, SDL_Rect r)
{
    a->ui.n_targets--;
    SDL_Color veil = UI_BG;
    veil.a = 0xB0;
    gfx_fill_rrect(a->gfx, r, a->m.u * 2, veil);
}

/* A row of chips (equal width) in r; on = the selected index; enabled 0 greys them out. */
static void chips(app *a, SDL_Rect r, int n, const char *const *ids, const char *const *labels,
                  int on, int enabled)
{
    const ui_metrics *m = &a->m;
    int gap = m->u * 2, w = (r.w - (n - 1) * gap) / n;
    for (int i = 0; i < n; i++) {
        SDL_Rect c = {r.x + i * (w + gap), r.y, w, r.h};
        ui_button(&a->ui, a->gfx, m, ids[i], c, labels[i], i == on ? UI_BTN_CHIP_ON : UI_BTN_CHIP);
        if (!enabled)
            disable(a, c);
    }
}

/* The sections draw from col.y down and return the y below what they drew. */
static int draw_usb(app *a, SDL_Rect col, int busy)
{
    const ui_metrics *m = &a->m;
    const admin *ad = a->admin;
    int y = label(a, col.x, col.y, "USB");
    int ch = m->u * 8, px = m->u * 2 + m->u / 2;
    if (ad->n_drives == 0) {
        gfx_text_wrap(a->gfx, GFX_REGULAR, px, UI_TEXT_MUTED,
                      ui_rect(col.x, y, col.w - m->u * 22, ch), GFX_LEFT,
                      "Chưa thấy USB. Hãy cắm USB vào máy; máy tự tìm lại sau vài giây.", 1);
        ui_button(&a->ui, a->gfx, m, "usb-scan",
                  ui_rect(col.x + col.w - m->u * 20, y, m->u * 20, ch), "Tìm lại",
                  UI_BTN_SECONDARY);
        return y + ch;
    }
    const char *ids[4], *labels[4];
    char idb[4][16], lb[4][128];
    int n = ad->n_drives < 4 ? ad->n_drives : 4;
    for (int i = 0; i < n; i++) {
        const usb_drive *d = &ad->drives[i];
        char fr[32];
        admin_fmt_bytes(fr, sizeof fr, d->free_bytes);
        snprintf(idb[i], sizeof idb[i], "usb-%d", i);
        if (d->readonly)
            snprintf(lb[i], sizeof lb[i], "%s (chỉ đọc, không ghi được)", d->label);
        else if (d->via_udisks && !d->path[0] && d->total_bytes) {
            /* not mounted yet (the export mounts it): its size, not its free space */
            admin_fmt_bytes(fr, sizeof fr, d->total_bytes);
            snprintf(lb[i], sizeof lb[i], "%s (%s)", d->label, fr);
        } else if (d->total_bytes)
            snprintf(lb[i], sizeof lb[i], "%s (trống %s)", d->label, fr);
        else
            snprintf(lb[i], sizeof lb[i], "%s", d->label);
        ids[i] = idb[i];
        labels[i] = lb[i];
    }
    chips(a, ui_rect(col.x, y, col.w, ch), n, ids, labels, ad->drive, !busy);
    return y + ch;
}

static int draw_period(app *a, SDL_Rect col, int busy)
{
    const ui_metrics *m = &a->m;
    const admin *ad = a->admin;
    int y = label(a, col.x, col.y, "Khoảng thời gian");
    int ch = m->u * 8;
    /* In the order of admin_range. */
    static const char *const ids[4] = {"range-this", "range-last", "range-nd09", "range-days"};
    static const char *const labels[4] = {"Tháng này", "Tháng trước", "Kỳ báo cáo", "Chọn ngày"};
    chips(a, ui_rect(col.x, y, col.w, ch), 4, ids, labels, (int)ad->range, !busy);
    y += ch + m->u * 2;
    char from[16], to[16], line[64];
    fmt_date(from, sizeof from, ad->from);
    fmt_date(to, sizeof to, ad->to);
    int px = m->u * 3;
    if (ad->range != ADMIN_RANGE_DAYS) {
        snprintf(line, sizeof line, "Từ %s đến %s", from, to);
        gfx_text(a->gfx, GFX_REGULAR, px, UI_TEXT, col.x, y, GFX_LEFT, line);
        y += gfx_line_height(a->gfx, GFX_REGULAR, px);
        if (ad->range == ADMIN_RANGE_ND09) { /* which period, and by which rule */
            char what[128];
            int small = m->u * 2 + m->u / 2;
            snprintf(what, sizeof what, "%s theo Nghị định 09/2019/NĐ-CP", ad->period_name);
            y += m->u / 2;
            y += gfx_text_wrap(
                a->gfx, GFX_REGULAR, small, UI_TEXT_MUTED,
                ui_rect(col.x, y, col.w, gfx_line_height(a->gfx, GFX_REGULAR, small) * 2), GFX_LEFT,
                what, 1);
        }
        return y;
    }
    /* Two day pickers: [-] date [+], for the first and the last day. */
    int bw = m->u * 9, rowh = m->u * 8;
    const char *names[2] = {"Từ ngày", "Đến ngày"};
    const char *dates[2] = {from, to};
    const char *dec[2] = {"from-dec", "to-dec"}, *inc[2] = {"from-inc", "to-inc"};
    int lw = gfx_text_width(a->gfx, GFX_REGULAR, px, "Đến ngày") + m->u * 2;
    int dw = gfx_text_width(a->gfx, GFX_BOLD, px, "00/00/0000") + m->u * 3;
    for (int i = 0; i < 2; i++) {
        int ry = y + i * (rowh + m->u), lh = gfx_line_height(a->gfx, GFX_REGULAR, px);
        gfx_text(a->gfx, GFX_REGULAR, px, UI_TEXT, col.x, ry + (rowh - lh) / 2, GFX_LEFT, names[i]);
        int x = col.x + lw;
        ui_button(&a->ui, a->gfx, m, dec[i], ui_rect(x, ry, bw, rowh), "–", UI_BTN_SECONDARY);
        if (busy)
            disable(a, ui_rect(x, ry, bw, rowh));
        gfx_text(a->gfx, GFX_BOLD, px, UI_TEXT, x + bw + dw / 2, ry + (rowh - lh) / 2, GFX_CENTER,
                 dates[i]);
        ui_button(&a->ui, a->gfx, m, inc[i], ui_rect(x + bw + dw, ry, bw, rowh), "+",
                  UI_BTN_SECONDARY);
        if (busy)
            disable(a, ui_rect(x + bw + dw, ry, bw, rowh));
    }
    return y + 2 * rowh + m->u;
}

static int draw_format(app *a, SDL_Rect col, int busy)
{
    const ui_metrics *m = &a->m;
    int y = label(a, col.x, col.y, "Định dạng tệp");
    static const char *const ids[2] = {"fmt-xlsx", "fmt-csv"};
    static const char *const labels[2] = {"Excel (XLSX)", "CSV"};
    chips(a, ui_rect(col.x, y, col.w, m->u * 8), 2, ids, labels, a->admin->format == EXPORT_FMT_CSV,
          !busy);
    return y + m->u * 8;
}

/* The export button, or the progress bar, or the result. */
static void draw_run(app *a, SDL_Rect r)
{
    const ui_metrics *m = &a->m;
    const admin *ad = a->admin;
    int bh = m->u * 10, px = m->u * 3;
    char line[HL_ERR_MAX + 64];
    if (ad->xstate == ADMIN_X_RUNNING) {
        int64_t done, total;
        admin_export_progress(a->admin, &done, &total);
        char d[32], t[32];
        admin_fmt_count(d, sizeof d, done);
        admin_fmt_count(t, sizeof t, total);
        admin_phase ph = admin_export_phase(a->admin);
        if (ph == ADMIN_PHASE_MOUNT)
            snprintf(line, sizeof line, "Đang gắn USB… Đừng rút USB.");
        else if (ph == ADMIN_PHASE_EJECT)
            snprintf(line, sizeof line, "Đã ghi xong. Đang tháo USB an toàn… Đừng rút USB.");
        else
            snprintf(line, sizeof line, "Đang ghi %s… %s / %s phiếu. Đừng rút USB.", ad->xfile, d,
                     t);
        /* The text above (two lines where narrow), the bar below it, "Hủy" beside the bar. */
        int bw = m->u * 22;
        int tw = r.w - bw - m->u * 3;
        int lh = gfx_line_height(a->gfx, GFX_BOLD, px);
        int th = gfx_text_wrap(a->gfx, GFX_BOLD, px, UI_TEXT, ui_rect(r.x, r.y, tw, lh * 2),
                               GFX_LEFT, line, 1);
        th = th < lh * 2 ? th : lh * 2;
        SDL_Rect bar = {r.x, r.y + th + m->u * 2, tw, m->u * 4};
        gfx_fill_rrect(a->gfx, bar, m->u, UI_BORDER);
        int fw = total > 0 ? (int)((int64_t)bar.w * (done < total ? done : total) / total) : 0;
        if (fw > 0)
            gfx_fill_rrect(a->gfx, ui_rect(bar.x, bar.y, fw, bar.h), m->u, UI_PRIMARY);
        ui_button(&a->ui, a->gfx, m, "cancel",
                  ui_rect(r.x + r.w - bw, bar.y + bar.h / 2 - bh / 2, bw, bh), "Hủy",
                  UI_BTN_SECONDARY);
        return;
    }
    const usb_drive *d = ad->drive < ad->n_drives ? &ad->drives[ad->drive] : NULL;
    int can = d && !d->readonly;
    int bw = m->landscape ? m->u * 40 : r.w;
    SDL_Rect b = {r.x, r.y, bw, bh};
    if (can) {
        ui_button(&a->ui, a->gfx, m, "export", b, "Xuất dữ liệu", UI_BTN_PRIMARY);
    } else {
        gfx_fill_rrect(a->gfx, b, m->u * 2, UI_BORDER);
        int lh = gfx_line_height(a->gfx, GFX_BOLD, m->u * 4);
        gfx_text(a->gfx, GFX_BOLD, m->u * 4, UI_SURFACE, b.x + b.w / 2, b.y + (b.h - lh) / 2,
                 GFX_CENTER, "Xuất dữ liệu");
    }
    SDL_Rect msg = m->landscape ? ui_rect(r.x + bw + m->u * 3, r.y, r.w - bw - m->u * 3, r.h)
                                : ui_rect(r.x, r.y + bh + m->u * 2, r.w, r.h - bh - m->u * 2);
    if (ad->xstate == ADMIN_X_DONE) {
        int h = gfx_text_wrap(a->gfx, GFX_BOLD, px, GREEN, msg, GFX_LEFT, ad->xmsg, 1);
        snprintf(line, sizeof line, "Tệp: %s", ad->xfile);
        gfx_text_wrap(a->gfx, GFX_REGULAR, px, UI_TEXT,
                      ui_rect(msg.x, msg.y + h + m->u, msg.w, msg.h - h - m->u), GFX_LEFT, line, 1);
    } else if (ad->xstate == ADMIN_X_FAILED) {
        int h = gfx_text_wrap(a->gfx, GFX_BOLD, px, RED, msg, GFX_LEFT, ad->xmsg, 1);
        gfx_text_wrap(a->gfx, GFX_REGULAR, m->u * 2 + m->u / 4, UI_TEXT_MUTED,
                      ui_rect(msg.x, msg.y + h + m->u, msg.w, msg.h - h - m->u), GFX_LEFT,
                      ad->xdetail, 1);
    } else if (d) {
        char name[PATH_MAX + 64];
        snprintf(name, sizeof name,
                 "Tệp được ghi vào thư mục gốc của ổ %s. Phiếu bấm bất thường cũng được "
                 "liệt kê (cột riêng), không tính vào tổng hợp.",
                 d->label);
        gfx_text_wrap(a->gfx, GFX_REGULAR, m->u * 2 + m->u / 2, UI_TEXT_MUTED, msg, GFX_LEFT, name,
                      1);
    }
}

static void stick_draw(app *a)
{
    const ui_metrics *m = &a->m;
    const admin *ad = a->admin;
    int busy = ad->xstate == ADMIN_X_RUNNING;
    SDL_Rect body = scr_title_bar(a, "Xuất dữ liệu ra USB");
    SDL_Rect back;
    if (busy && ui_target_find(&a->ui, "back", &back))
        disable(a, back); /* no way out but "Hủy" while the file is being written */
    if (m->landscape) {
        /* Two columns above, the export button and its progress or result along the bottom. */
        int run_h = m->u * 16;
        int cw = (body.w - m->u * 4) / 2;
        SDL_Rect left = {body.x, body.y, cw, body.h - run_h},
                 right = {body.x + cw + m->u * 4, body.y, cw, body.h - run_h};
        int y = draw_usb(a, left, busy) + m->u * 4;
        draw_format(a, ui_rect(left.x, y, left.w, left.y + left.h - y), busy);
        draw_period(a, right, busy);
        draw_run(a, ui_rect(body.x, body.y + body.h - run_h, body.w, run_h));
    } else {
        /* One column, top to bottom, the button right under the choices. */
        int y = draw_usb(a, body, busy) + m->u * 4;
        y = draw_period(a, ui_rect(body.x, y, body.w, body.y + body.h - y), busy) + m->u * 4;
        y = draw_format(a, ui_rect(body.x, y, body.w, body.y + body.h - y), busy) + m->u * 6;
        draw_run(a, ui_rect(body.x, y, body.w, body.y + body.h - y));
    }
}

static void stick_tap(app *a, const char *id)
{
    admin *ad = a->admin;
    if (ad->xstate == ADMIN_X_RUNNING) {
        if (strcmp(id, "cancel") == 0)
            admin_export_cancel(ad);
        return;
    }
    if (strcmp(id, "back") == 0) {
        app_go(a, SCR_ADMIN);
    } else if (strcmp(id, "usb-scan") == 0) {
        admin_usb_scan(ad);
    } else if (strncmp(id, "usb-", 4) == 0 && id[4] >= '0' && id[4] <= '9') {
        int i = id[4] - '0';
        if (i < ad->n_drives)
            ad->drive = i;
        ad->xstate = ADMIN_X_IDLE;
        a->dirty = 1;
    } else if (strcmp(id, "range-this") == 0) {
        admin_set_range(ad, ADMIN_RANGE_THIS_MONTH);
    } else if (strcmp(id, "range-last") == 0) {
        admin_set_range(ad, ADMIN_RANGE_LAST_MONTH);
    } else if (strcmp(id, "range-nd09") == 0) {
        admin_set_range(ad, ADMIN_RANGE_ND09);
    } else if (strcmp(id, "range-days") == 0) {
        admin_set_range(ad, ADMIN_RANGE_DAYS);
    } else if (strcmp(id, "from-dec") == 0 || strcmp(id, "from-inc") == 0 ||
               strcmp(id, "to-dec") == 0 || strcmp(id, "to-inc") == 0) {
        admin_shift_day(ad, id[0] == 't', strstr(id, "inc") ? 1 : -1);
    } else if (strcmp(id, "fmt-xlsx") == 0 || strcmp(id, "fmt-csv") == 0) {
        ad->format = strcmp(id, "fmt-csv") == 0 ? EXPORT_FMT_CSV : EXPORT_FMT_XLSX;
        ad->xstate = ADMIN_X_IDLE;
        a->dirty = 1;
    } else if (strcmp(id, "export") == 0) {
        admin_export_start(ad);
    }
}

const screen scr_admin_export = {"admin-export",
                                 SCR_IDLE_OWN,
                                 stick_enter,
                                 scr_admin_leave,
                                 stick_tap,
                                 scr_admin_update,
                                 stick_draw,
                                 SCR_GROUP_ADMIN,
                                 NULL,
                                 0,
                                 NULL};
