/* scr_admin: the admin overview behind the PIN: votes per officer today and this month (levels,
 * satisfaction share, a bar each), presses flagged as misuse apart, sync state with its alerts,
 * clock synchronisation, disk and database size, version; and the actions: desk officer, USB
 * export, quit, restart. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "rating.h"
#include "scr_common.h"

static const SDL_Color RED = {0xB7, 0x1C, 0x1C, 0xFF};
static const SDL_Color RED_BG = {0xFD, 0xEC, 0xEA, 0xFF};
static const SDL_Color AMBER = {0x8A, 0x5A, 0x00, 0xFF};

/* Below this much free space the data disk is shown as almost full. */
#define LOW_DISK_BYTES (500ull * 1000 * 1000)

static void overview_enter(app *a)
{
    admin_overview_enter(a->admin);
}

/* The sender's status changed: show it. */
static void overview_notify(app *a, app_note note)
{
    if (note == APP_NOTE_SYNC) {
        admin_refresh_status(a->admin);
        a->dirty = 1;
    }
}

/* A line (wrapped) at the top of *box, which then shrinks below it; nothing when out of room.
 * Returns the height used. */
static int put(app *a, SDL_Rect *box, gfx_weight w, int px, SDL_Color c, const char *text)
{
    int lh = gfx_line_height(a->gfx, w, px);
    if (box->h < lh)
        return 0;
    int h = gfx_text_wrap(a->gfx, w, px, c, *box, GFX_LEFT, text, 1);
    if (h > box->h)
        h = box->h / lh * lh;
    box->y += h;
    box->h -= h;
    return h;
}

static void gap(SDL_Rect *box, int d)
{
    box->y += d;
    box->h -= d;
}

/* A message of at most two lines (wrapped, cut) at the top of *box, which then shrinks below it. */
static void put2(app *a, SDL_Rect *box, gfx_weight w, int px, SDL_Color c, const char *text)
{
    SDL_Rect two = {box->x, box->y, box->w, gfx_line_height(a->gfx, w, px) * 2};
    if (two.h > box->h)
        two.h = box->h;
    int h = gfx_text_wrap(a->gfx, w, px, c, two, GFX_LEFT, text, 1);
    gap(box, h < two.h ? h : two.h);
}

/* "26/11 08:15" in Vietnam time; with the year when not this year. */
static void fmt_when(const app *a, char *out, size_t cap, int64_t utc_ms)
{
    clk_local l = clk_to_local(utc_ms), now = clk_to_local(clk_wall_ms(a->clock));
    if (l.year == now.year)
        snprintf(out, cap, "%02d/%02d %02d:%02d", l.day, l.month, l.hour, l.minute);
    else
        snprintf(out, cap, "%02d/%02d/%04d %02d:%02d", l.day, l.month, l.year, l.hour, l.minute);
}

/* ---- votes per officer ---- */

static void legend(app *a, SDL_Rect r)
{
    const ui_metrics *m = &a->m;
    int px = m->u * 2 + m->u / 4, sq = m->u * 2, x = r.x;
    for (int rating = 3; rating >= 1; rating--) {
        gfx_fill_rrect(a->gfx, ui_rect(x, r.y + (r.h - sq) / 2, sq, sq), m->u / 2,
                       UI_RATING_FG[rating]);
        x += sq + m->u;
        int lh = gfx_line_height(a->gfx, GFX_REGULAR, px);
        x += gfx_text(a->gfx, GFX_REGULAR, px, UI_TEXT, x, r.y + (r.h - lh) / 2, GFX_LEFT,
                      rating_label(rating));
        x += m->u * 3;
    }
}

/* One officer (or the total): name, a bar as long as the votes (segments per level), the
 * counts per level, and the satisfaction share. */
static void officer_row(app *a, SDL_Rect r, const export_officer_row *row, int64_t max_counted,
                        int bold)
{
    const ui_metrics *m = &a->m;
    int px = m->u * 2 + m->u / 2;
    int lh = gfx_line_height(a->gfx, GFX_BOLD, px);
    int ty = r.y + (r.h - lh) / 2;
    int name_w = r.w * 34 / 100, bar_w = r.w * 34 / 100; /* then the counts, the share */
    gfx_text_wrap(a->gfx, bold ? GFX_BOLD : GFX_REGULAR, px, UI_TEXT,
                  ui_rect(r.x, ty, name_w - m->u, lh), GFX_LEFT, row->name, 1);
    /* The bar. */
    SDL_Rect track = {r.x + name_w, r.y + r.h / 2 - m->u * 3 / 2, bar_w - m->u * 2, m->u * 3};
    gfx_fill_rect(a->gfx, track, UI_BG);
    if (row->counted > 0 && max_counted > 0) {
        int full = (int)((int64_t)track.w * row->counted / max_counted);
        if (full < 2)
            full = 2;
        int x = track.x;
        int64_t acc = 0;
        for (int rating = 3; rating >= 1; rating--) {
            acc += row->n[rating];
            int end = track.x + (int)((int64_t)full * acc / row->counted);
            if (end > x)
                gfx_fill_rect(a->gfx, ui_rect(x, track.y, end - x, track.h), UI_RATING_FG[rating]);
            x = end;
        }
    }
    /* Counts per level, coloured like the bar. */
    int x = r.x + name_w + bar_w;
    char num[32];
    for (int rating = 3; rating >= 1; rating--) {
        admin_fmt_count(num, sizeof num, row->n[rating]);
        x += gfx_text(a->gfx, GFX_BOLD, px, UI_RATING_FG[rating], x, ty, GFX_LEFT, num);
        if (rating > 1)
            x += gfx_text(a->gfx, GFX_REGULAR, px, UI_TEXT_MUTED, x, ty, GFX_LEFT, " / ");
    }
    char pct[32];
    export_pct(row->n[3] + row->n[2], row->counted, pct, sizeof pct);
    gfx_text(a->gfx, GFX_BOLD, px, row->counted ? UI_TEXT : UI_TEXT_MUTED, r.x + r.w, ty, GFX_RIGHT,
             row->counted ? pct : "–");
}

static void draw_votes(app *a, SDL_Rect card)
{
    const ui_metrics *m = &a->m;
    admin *ad = a->admin;
    gfx_fill_rrect(a->gfx, card, m->u * 2, UI_SURFACE);
    SDL_Rect in = ui_inset(card, m->u * 2);
    /* Period chips. */
    char month[48];
    clk_local now = clk_to_local(clk_wall_ms(a->clock));
    snprintf(month, sizeof month, "Tháng %d/%d", now.month, now.year);
    int chip_h = m->u * 7, chip_w = m->u * 24;
    ui_button(&a->ui, a->gfx, m, "period-today", ui_rect(in.x, in.y, chip_w, chip_h), "Hôm nay",
              ad->period == 0 ? UI_BTN_CHIP_ON : UI_BTN_CHIP);
    ui_button(&a->ui, a->gfx, m, "period-month",
              ui_rect(in.x + chip_w + m->u * 2, in.y, chip_w, chip_h), month,
              ad->period == 1 ? UI_BTN_CHIP_ON : UI_BTN_CHIP);
    int y = in.y + chip_h + m->u * 2;
    legend(a, ui_rect(in.x, y, in.w, m->u * 3));
    int small = m->u * 2 + m->u / 4;
    gfx_text(a->gfx, GFX_REGULAR, small, UI_TEXT_MUTED, in.x + in.w, y, GFX_RIGHT,
             "Tỷ lệ hài lòng (máy đánh giá)");
    y += m->u * 4;
    gfx_fill_rect(a->gfx, ui_rect(in.x, y, in.w, 1), UI_BORDER);
    y += m->u;
    int foot_h = gfx_line_height(a->gfx, GFX_REGULAR, small) * 2 + m->u;
    SDL_Rect rows = {in.x, y, in.w, in.y + in.h - y - foot_h};
    int px = m->u * 2 + m->u / 2;
    if (!ad->stats_ok) {
        const char *t = ad->stats_loading ? "Đang đếm phiếu…"
                                          : "Không đếm được phiếu: lỗi đọc tệp dữ liệu phiếu "
                                            "(votes.db). Chi tiết trong nhật ký.";
        gfx_text_wrap(a->gfx, GFX_REGULAR, px, ad->stats_loading ? UI_TEXT_MUTED : RED, rows,
                      GFX_LEFT, t, 1);
        return;
    }
    const export_summary *s = ad->period == 0 ? &ad->today : &ad->month;
    int n = (int)s->n_rows + 1; /* and the total */
    int row_h = rows.h / (n > 0 ? n : 1);
    if (row_h > m->u * 7)
        row_h = m->u * 7;
    int min_h = gfx_line_height(a->gfx, GFX_BOLD, px) + m->u / 2;
    int64_t max_counted = 0;
    for (size_t i = 0; i < s->n_rows; i++)
        if (s->rows[i].counted > max_counted)
            max_counted = s->rows[i].counted;
    int fit = row_h >= min_h ? n - 1 : rows.h / min_h - 1;
    if (row_h < min_h)
        row_h = min_h;
    for (int i = 0; i < (int)s->n_rows && i < fit; i++)
        officer_row(a, ui_rect(rows.x, rows.y + i * row_h, rows.w, row_h), &s->rows[i], max_counted,
                    0);
    int ty = rows.y + (fit < (int)s->n_rows ? fit : (int)s->n_rows) * row_h;
    if (fit < (int)s->n_rows) {
        char more[96];
        snprintf(more, sizeof more, "… và %d cán bộ khác: xem báo cáo xuất ra USB",
                 (int)s->n_rows - fit);
        gfx_text(a->gfx, GFX_REGULAR, small, UI_TEXT_MUTED, rows.x, ty, GFX_LEFT, more);
        ty += row_h;
    }
    gfx_fill_rect(a->gfx, ui_rect(rows.x, ty, rows.w, 1), UI_BORDER);
    export_officer_row total = s->total;
    total.name = "Tổng cộng";
    /* The total's bar spans the track: it shows the levels' shares over all officers. */
    officer_row(a, ui_rect(rows.x, ty + 1, rows.w, row_h), &total, total.counted, 1);
    /* Misuse, apart from the figures it is not part of. */
    char line[200], cnt[32];
    admin_fmt_count(cnt, sizeof cnt, s->total.misuse);
    snprintf(line, sizeof line,
             "Lượt bấm bất thường (bấm lặp liên tục, không tính vào số liệu trên): %s", cnt);
    gfx_text_wrap(a->gfx, GFX_REGULAR, small, s->total.misuse ? AMBER : UI_TEXT_MUTED,
                  ui_rect(in.x, in.y + in.h - foot_h + m->u, in.w, foot_h - m->u), GFX_LEFT, line,
                  1);
}

/* ---- sync, disk, version ---- */

static void draw_status(app *a, SDL_Rect card)
{
    const ui_metrics *m = &a->m;
    const admin *ad = a->admin;
    gfx_fill_rrect(a->gfx, card, m->u * 2, UI_SURFACE);
    SDL_Rect box = ui_inset(card, m->u * 2);
    int hpx = m->u * 3, px = m->landscape ? m->u * 2 + m->u / 8 : m->u * 2 + m->u / 4;
    char line[HL_ERR_MAX + 64], t1[48], t2[48];
    int64_t now = clk_wall_ms(a->clock);
    const store_sync_status *s = &ad->sync;

    put(a, &box, GFX_BOLD, hpx, UI_TEXT, "Gửi dữ liệu về máy chủ");
    gap(&box, m->u / 2);
    const char *state = ad->live_ok ? ad->live.state : s->state;
    int64_t backoff = ad->live_ok ? ad->live.backoff_until : s->backoff_until;
    int auth = strcmp(state, STORE_SYNC_STATE_AUTH) == 0 || s->auth_failed;
    if (!a->cfg.sync_url[0]) {
        put(a, &box, GFX_REGULAR, px, UI_TEXT_MUTED,
            "Chưa cấu hình máy chủ thu thập ([sync] url trống): phiếu chỉ lưu trên máy.");
    } else if (auth) {
        /* The one alert that needs a person: nothing is sent until someone acts. */
        int h =
            gfx_text_wrap(a->gfx, GFX_BOLD, px, RED, ui_rect(0, 0, box.w - m->u * 2, 0), GFX_LEFT,
                          "Máy chủ từ chối mã của máy (401/403): đã ngừng gửi. Kiểm tra "
                          "token_file hoặc đăng ký lại máy với máy chủ, rồi khởi động lại "
                          "chương trình. Phiếu vẫn an toàn trên máy.",
                          0);
        SDL_Rect alert = {box.x, box.y, box.w, h + m->u * 2};
        if (alert.h > box.h)
            alert.h = box.h;
        gfx_fill_rrect(a->gfx, alert, m->u, RED_BG);
        gfx_text_wrap(a->gfx, GFX_BOLD, px, RED, ui_inset(alert, m->u), GFX_LEFT,
                      "Máy chủ từ chối mã của máy (401/403): đã ngừng gửi. Kiểm tra token_file "
                      "hoặc đăng ký lại máy với máy chủ, rồi khởi động lại chương trình. Phiếu "
                      "vẫn an toàn trên máy.",
                      1);
        gap(&box, alert.h + m->u);
    } else if (strcmp(state, STORE_SYNC_STATE_BACKOFF) == 0 && backoff > now) {
        fmt_when(a, t1, sizeof t1, backoff);
        snprintf(line, sizeof line,
                 "Đang chờ gửi lại (lúc %s): mạng hoặc máy chủ đang lỗi. Phiếu vẫn an toàn trên "
                 "máy.",
                 t1);
        put(a, &box, GFX_BOLD, px, AMBER, line);
    } else if (strcmp(state, STORE_SYNC_STATE_SENDING) == 0) {
        put(a, &box, GFX_REGULAR, px, UI_TEXT, "Đang gửi.");
    } else if (strcmp(state, STORE_SYNC_STATE_STARTING) == 0) {
        put(a, &box, GFX_REGULAR, px, UI_TEXT, "Sắp bắt đầu gửi.");
    } else if (strcmp(state, STORE_SYNC_STATE_IDLE) == 0) {
        put(a, &box, GFX_REGULAR, px, UI_TEXT, "Đã gửi hết.");
    } else {
        put(a, &box, GFX_REGULAR, px, UI_TEXT_MUTED, "Chưa chạy (bật khi chương trình khởi động).");
    }
    if (ad->sync_ok) {
        admin_fmt_count(t2, sizeof t2, s->waiting);
        if (s->waiting) {
            fmt_when(a, t1, sizeof t1, s->oldest_waiting);
            snprintf(line, sizeof line, "Phiếu chờ gửi: %s (cũ nhất %s)", t2, t1);
        } else {
            snprintf(line, sizeof line, "Phiếu chờ gửi: 0");
        }
        put(a, &box, GFX_REGULAR, px, UI_TEXT, line);
        if (s->last_success_at) {
            fmt_when(a, t1, sizeof t1, s->last_success_at);
            snprintf(line, sizeof line, "Gửi được lần cuối: %s", t1);
        } else {
            snprintf(line, sizeof line, "Gửi được lần cuối: chưa lần nào");
        }
        put(a, &box, GFX_REGULAR, px, UI_TEXT, line);
        if (s->last_error_at && s->last_error[0]) {
            fmt_when(a, t1, sizeof t1, s->last_error_at);
            /* In Vietnamese; the technical detail is in the log. */
            snprintf(line, sizeof line, "Lỗi gần nhất (%s): %s", t1, ad->sync_error);
            put2(a, &box, GFX_REGULAR, px, UI_TEXT_MUTED, line);
        }
        if (s->quarantined) {
            admin_fmt_count(t2, sizeof t2, s->quarantined);
            snprintf(line, sizeof line, "Phiếu bị máy chủ từ chối: %s (vẫn giữ trên máy)", t2);
            put(a, &box, GFX_REGULAR, px, AMBER, line);
        }
        if (s->clock_suspect) {
            admin_fmt_count(t2, sizeof t2, s->clock_suspect);
            snprintf(line, sizeof line,
                     "Phiếu ghi khi đồng hồ máy sai: %s (vẫn được tính, gửi kèm dấu giờ nghi sai)",
                     t2);
            put2(a, &box, GFX_REGULAR, px, AMBER, line);
        }
    } else {
        put(a, &box, GFX_REGULAR, px, RED, "Không đọc được trạng thái gửi.");
    }

    gap(&box, m->u * 3 / 4);
    gfx_fill_rect(a->gfx, ui_rect(box.x, box.y, box.w, 1), UI_BORDER);
    gap(&box, m->u * 3 / 4);
    put(a, &box, GFX_BOLD, hpx, UI_TEXT, "Máy");
    gap(&box, m->u / 2);
    if (ad->store_error[0]) {
        /* The store's message is technical English (it is in the log, with the file). */
        snprintf(line, sizeof line,
                 "Lỗi ghi phiếu: máy không ghi được vào tệp dữ liệu phiếu (votes.db). Báo cán "
                 "bộ CNTT xem nhật ký; kiểm tra ổ đĩa.");
        put2(a, &box, GFX_BOLD, px, RED, line);
    }
    /* Votes carry this PC's time: a clock nobody sets drifts, and the figures per day with it. */
    int64_t wall = clk_wall_ms(a->clock);
    if (!clk_plausible(wall)) {
        clk_local l = clk_to_local(wall);
        snprintf(line, sizeof line,
                 "Đồng hồ máy SAI (%02d/%02d/%04d) — hãy chỉnh ngày giờ. Phiếu vẫn được ghi, "
                 "có dấu giờ nghi sai.",
                 l.day, l.month, l.year);
        put2(a, &box, GFX_BOLD, px, RED, line);
    } else if (ad->clock_sync == CLK_SYNC_NO)
        put2(a, &box, GFX_BOLD, px, AMBER,
             "Đồng hồ: CHƯA đồng bộ (giờ ghi trên phiếu có thể sai) — kiểm tra mạng và "
             "systemd-timesyncd");
    else if (ad->clock_sync == CLK_SYNC_YES)
        put(a, &box, GFX_REGULAR, px, UI_TEXT, "Đồng hồ: đã đồng bộ (NTP)");
    else
        put(a, &box, GFX_REGULAR, px, UI_TEXT_MUTED, "Đồng hồ: không đọc được trạng thái đồng bộ");
    if (ad->disk_total) {
        admin_fmt_bytes(t1, sizeof t1, ad->disk_free);
        admin_fmt_bytes(t2, sizeof t2, ad->disk_total);
        int low = ad->disk_free < LOW_DISK_BYTES || ad->disk_free < ad->disk_total / 20;
        snprintf(line, sizeof line, "Ổ đĩa dữ liệu: còn trống %s / %s%s", t1, t2,
                 low ? " — sắp đầy!" : "");
        put(a, &box, low ? GFX_BOLD : GFX_REGULAR, px, low ? RED : UI_TEXT, line);
    } else {
        put(a, &box, GFX_REGULAR, px, UI_TEXT_MUTED, "Ổ đĩa dữ liệu: không đọc được");
    }
    admin_fmt_bytes(t1, sizeof t1, (uint64_t)ad->db_bytes);
    snprintf(line, sizeof line, "Tệp dữ liệu votes.db: %s", t1);
    put(a, &box, GFX_REGULAR, px, UI_TEXT, line);
    snprintf(line, sizeof line, "Mã máy: %s · Phiên bản: %s", a->cfg.kiosk_id, HL_VERSION);
    put(a, &box, GFX_REGULAR, px, UI_TEXT_MUTED, line);
    if (!ad->who_in_title && a->cfg.mode == CFG_MODE_DESK && a->desk_officer) {
        snprintf(line, sizeof line, "Cán bộ tại quầy: %s", a->desk_officer->name);
        put(a, &box, GFX_REGULAR, px, UI_TEXT, line);
    }
}

/* The action buttons, all with the same label size (the largest that fits every one). */
static void action_buttons(app *a, const SDL_Rect *r, const char *const *ids,
                           const char *const *labels, const int *primary, int n)
{
    const ui_metrics *m = &a->m;
    int px = m->u * 4;
    for (int i = 0; i < n; i++) {
        int f =
            gfx_fit_px(a->gfx, GFX_BOLD, m->u * 2, m->u * 4, ui_inset(r[i], m->u * 2), labels[i]);
        if (f < px)
            px = f;
    }
    for (int i = 0; i < n; i++) {
        int pressed = ui_is_pressed(&a->ui, ids[i]);
        SDL_Color bg = primary[i] ? (pressed ? UI_PRIMARY_DARK : UI_PRIMARY)
                                  : (pressed ? UI_BORDER : UI_SURFACE);
        SDL_Color fg = primary[i] ? UI_ON_PRIMARY : UI_PRIMARY;
        int bw = m->u / 3 > 2 ? m->u / 3 : 2;
        gfx_fill_rrect(a->gfx, r[i], m->u * 2, UI_PRIMARY);
        gfx_fill_rrect(a->gfx, ui_inset(r[i], bw), m->u * 2 - bw, bg);
        SDL_Rect box = ui_inset(r[i], m->u * 2);
        int th = gfx_text_wrap(a->gfx, GFX_BOLD, px, fg, box, GFX_CENTER, labels[i], 0);
        if (th < box.h) {
            box.y += (box.h - th) / 2;
            box.h = th;
        }
        gfx_text_wrap(a->gfx, GFX_BOLD, px, fg, box, GFX_CENTER, labels[i], 1);
        ui_target_add(&a->ui, ids[i], r[i]);
    }
}

/* ---- actions and the confirmation ---- */

static void draw_confirm(app *a)
{
    const ui_metrics *m = &a->m;
    const admin *ad = a->admin;
    /* Everything behind is dimmed and answers no touch. */
    gfx_fill_rect(a->gfx, ui_rect(0, 0, m->w, m->h), (SDL_Color){0, 0, 0, 0x80});
    ui_target_add(&a->ui, "modal", ui_rect(0, 0, m->w, m->h));
    int w = m->landscape ? m->w / 2 : m->w * 85 / 100, h = m->u * 40;
    SDL_Rect card = {(m->w - w) / 2, (m->h - h) / 2, w, h};
    gfx_fill_rrect(a->gfx, card, m->u * 2, UI_SURFACE);
    SDL_Rect in = ui_inset(card, m->u * 3);
    int quit = ad->confirm == ADMIN_CONFIRM_QUIT;
    const char *title = quit ? "Thoát chương trình đánh giá?" : "Khởi động lại chương trình?";
    const char *text = quit ? "Máy sẽ về màn hình nền; người dân không đánh giá được cho đến khi "
                              "chương trình được mở lại (nếu máy đặt tự khởi động, nó có thể tự "
                              "mở lại)."
                            : "Chương trình sẽ đóng và mở lại ngay. Phiếu đã ghi không bị mất.";
    int y = in.y;
    y += gfx_text_wrap(a->gfx, GFX_BOLD, m->u * 4, UI_TEXT, ui_rect(in.x, y, in.w, m->u * 10),
                       GFX_LEFT, title, 1);
    y += m->u * 2;
    int bh = m->u * 10;
    gfx_text_wrap(a->gfx, GFX_REGULAR, m->u * 3, UI_TEXT_MUTED,
                  ui_rect(in.x, y, in.w, in.y + in.h - bh - m->u * 2 - y), GFX_LEFT, text, 1);
    int bw = (in.w - m->u * 3) / 2;
    ui_button(&a->ui, a->gfx, m, "confirm-no", ui_rect(in.x, in.y + in.h - bh, bw, bh), "Không",
              UI_BTN_SECONDARY);
    ui_button(&a->ui, a->gfx, m, "confirm-yes", ui_rect(in.x + in.w - bw, in.y + in.h - bh, bw, bh),
              quit ? "Thoát" : "Khởi động lại", UI_BTN_PRIMARY);
}

static void overview_draw(app *a)
{
    const ui_metrics *m = &a->m;
    SDL_Rect body = ui_inset(scr_header(a), m->u * 3);
    int bar_h = m->u * 9;
    SDL_Rect t = {body.x, body.y, body.w - m->u * 24, bar_h};
    const char *title = "Quản trị máy";
    int tpx = gfx_fit_px(a->gfx, GFX_BOLD, m->u * 3, m->u * 5, t, title);
    gfx_text(a->gfx, GFX_BOLD, tpx, UI_TEXT, t.x,
             t.y + (t.h - gfx_line_height(a->gfx, GFX_BOLD, tpx)) / 2, GFX_LEFT, title);
    /* Who sits at the counter: beside the title when it fits whole, else in the status card. */
    a->admin->who_in_title = 0;
    if (a->cfg.mode == CFG_MODE_DESK && a->desk_officer) {
        char who[160];
        snprintf(who, sizeof who, "Cán bộ tại quầy: %s", a->desk_officer->name);
        int wx = t.x + gfx_text_width(a->gfx, GFX_BOLD, tpx, title) + m->u * 4;
        SDL_Rect wb = {wx, t.y, t.x + t.w - wx - m->u * 2, t.h};
        int lh = gfx_line_height(a->gfx, GFX_REGULAR, m->u * 3);
        if (gfx_text_width(a->gfx, GFX_REGULAR, m->u * 3, who) <= wb.w) {
            gfx_text(a->gfx, GFX_REGULAR, m->u * 3, UI_TEXT_MUTED, wb.x, wb.y + (wb.h - lh) / 2,
                     GFX_LEFT, who);
            a->admin->who_in_title = 1;
        }
    }
    ui_button(&a->ui, a->gfx, m, "close",
              ui_rect(body.x + body.w - m->u * 22, body.y, m->u * 22, bar_h), "Đóng",
              UI_BTN_PRIMARY);
    int top = body.y + bar_h + m->u * 2;

    const char *ids[4], *labels[4];
    int primary[4], n = 0;
    if (a->cfg.mode == CFG_MODE_DESK)
        primary[n] = 1, ids[n] = "officer", labels[n++] = "Chọn cán bộ tại quầy";
    primary[n] = 1, ids[n] = "export", labels[n++] = "Xuất dữ liệu ra USB";
    primary[n] = 0, ids[n] = "quit", labels[n++] = "Thoát về màn hình nền";
    primary[n] = 0, ids[n] = "restart", labels[n++] = "Khởi động lại";
    int gapx = m->u * 2, bh = m->u * 10;
    int cols = m->landscape ? n : 2, rows = (n + cols - 1) / cols;
    int actions_h = rows * bh + (rows - 1) * gapx;
    int ay = body.y + body.h - actions_h;
    int bw = (body.w - (cols - 1) * gapx) / cols;
    SDL_Rect br[4];
    for (int i = 0; i < n; i++)
        br[i] = ui_rect(body.x + (i % cols) * (bw + gapx), ay + (i / cols) * (bh + gapx), bw, bh);
    action_buttons(a, br, ids, labels, primary, n);
    int mid_h = ay - m->u * 2 - top;
    if (m->landscape) {
        int lw = body.w * 60 / 100;
        draw_votes(a, ui_rect(body.x, top, lw, mid_h));
        draw_status(a, ui_rect(body.x + lw + m->u * 2, top, body.w - lw - m->u * 2, mid_h));
    } else {
        int vh = mid_h * 58 / 100;
        draw_votes(a, ui_rect(body.x, top, body.w, vh));
        draw_status(a, ui_rect(body.x, top + vh + m->u * 2, body.w, mid_h - vh - m->u * 2));
    }
    if (a->admin->confirm != ADMIN_CONFIRM_NONE)
        draw_confirm(a);
}

static void overview_tap(app *a, const char *id)
{
    admin *ad = a->admin;
    if (ad->confirm != ADMIN_CONFIRM_NONE) {
        if (strcmp(id, "confirm-yes") == 0)
            scr_admin_quit(a, ad->confirm == ADMIN_CONFIRM_RESTART);
        if (strcmp(id, "confirm-yes") == 0 || strcmp(id, "confirm-no") == 0)
            ad->confirm = ADMIN_CONFIRM_NONE;
        a->dirty = 1;
        return;
    }
    if (strcmp(id, "close") == 0) {
        app_go(a, SCR_HOME);
    } else if (strcmp(id, "period-today") == 0 || strcmp(id, "period-month") == 0) {
        ad->period = strcmp(id, "period-month") == 0;
        a->dirty = 1;
    } else if (strcmp(id, "officer") == 0) {
        app_go(a, SCR_ADMIN_OFFICER);
    } else if (strcmp(id, "export") == 0) {
        app_go(a, SCR_ADMIN_EXPORT);
    } else if (strcmp(id, "quit") == 0) {
        ad->confirm = ADMIN_CONFIRM_QUIT;
        a->dirty = 1;
    } else if (strcmp(id, "restart") == 0) {
        ad->confirm = ADMIN_CONFIRM_RESTART;
        a->dirty = 1;
    }
}

const screen scr_admin = {"admin",
                          SCR_IDLE_OWN,
                          overview_enter,
                          scr_admin_leave,
                          overview_tap,
                          scr_admin_update,
                          overview_draw,
                          SCR_GROUP_ADMIN,
                          overview_notify,
                          0,
                          NULL};
