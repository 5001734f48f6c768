/* web_feedback: the feedback inbox (issue 12): /hop-thu lists the items the kiosks sent (góp ý,
 * phản ánh – kiến nghị, đề nghị biểu dương), newest first, filtered by unit, state and kind;
 * /hop-thu/<id> shows one with its log and a form (CSRF) that moves it forward, gives it a handler,
 * a due date and a note. Province and commune leaders only: an officer gets 403. A citizen's
 * contact data (given only with their consent) is shown to one reader alone, the leader of the
 * item's own commune, on the item's page; never in the list, a download or a log line. Every text
 * a citizen typed goes through web_esc. */
#include "web_int.h"

#include "log.h"
#include "rating.h"
#include "report.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* The list shows at most this many items (newest first); filters narrow it. */
#define LIST_MAX 300
/* Characters (code points) of the text shown in the list. */
#define PREVIEW_CHARS 100
#define HANDLER_MAX   100 /* characters */
#define NOTE_MAX      500 /* characters */

static const char *const states[] = {DB_FB_NEW, DB_FB_WORKING, DB_FB_ANSWERED, DB_FB_CLOSED};
static const char *const state_words[] = {"Mới", "Đang xử lý", "Đã trả lời", "Đóng"};
static const char *const kinds[] = {"gop-y", "phan-anh", "bieu-duong"};
static const char *const kind_words[] = {"Góp ý", "Phản ánh – kiến nghị", "Đề nghị biểu dương"};

static const char *kind_vi(const char *kind)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(kind, kinds[i]) == 0)
            return kind_words[i];
    return kind;
}

static const char *state_vi(const char *state)
{
    int r = db_fb_state_rank(state);
    return r < 0 ? state : state_words[r];
}

static void badge(buf *b, const char *state)
{
    buf_str(b, "<span class=\"badge st-");
    web_esc(b, db_fb_state_rank(state) < 0 ? "x" : state);
    buf_str(b, "\">");
    web_esc(b, state_vi(state));
    buf_str(b, "</span>");
}

/* "09:05 20/11/2026" (Vietnam time), as the other pages write a moment. */
static void when(buf *b, int64_t ms)
{
    char t[20];
    report_local_time(ms, t);
    buf_printf(b, "%.5s %.2s/%.2s/%.4s", t + 11, t + 8, t + 5, t);
}

static void day(buf *b, int64_t ms)
{
    char t[20];
    report_local_time(ms, t);
    buf_printf(b, "%.2s/%.2s/%.4s", t + 8, t + 5, t);
}

/* Due and not yet answered or closed. */
static int overdue(const char *state, int64_t due_at, int64_t now)
{
    return due_at > 0 && due_at < now && db_fb_state_rank(state) < 2;
}

static void due_cell(buf *b, const char *state, int64_t due_at, int64_t now)
{
    if (due_at <= 0) {
        buf_str(b, "—");
        return;
    }
    day(b, due_at);
    if (overdue(state, due_at, now))
        buf_str(b, " <span class=\"late\">Quá hạn</span>");
}

/* The first PREVIEW_CHARS characters of s on one line, with "…" when cut. */
static void preview(buf *b, const char *s)
{
    char line[4 * PREVIEW_CHARS + 8];
    util_utf8_excerpt(s, PREVIEW_CHARS, line, sizeof line);
    web_esc(b, line);
}

static void db_failed(const char *what, const char *err, web_resp *resp)
{
    log_error("dashboard: %s: %s", what, err);
    web_error(resp, 503, "Cơ sở dữ liệu đang bận hoặc không truy cập được; hãy thử lại sau.");
}

/* Officers have no inbox: it holds what citizens wrote about them. */
static int inbox_allowed(const web_who *who, web_resp *resp)
{
    if (who->user.role != DB_ROLE_OFFICER)
        return 1;
    resp->note = "refused: inbox for an officer";
    web_error(resp, 403,
              "Hộp thư góp ý chỉ dành cho lãnh đạo tỉnh và lãnh đạo xã, phường. Kết quả của "
              "anh/chị (kể cả số lần được đề nghị biểu dương) có trên trang của xã.");
    return 0;
}

/* ---- the list ---- */

typedef struct {
    char uuid[37], unit[256], kind[16], officer[256], state[16];
    char *preview;
    int64_t received_at, due_at;
} item_row;

typedef struct {
    item_row *r;
    size_t n, cap;
} item_rows;

static int list_cb(const db_feedback_row *f, void *ctx)
{
    item_rows *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->r = xrealloc(l->r, l->cap * sizeof *l->r);
    }
    item_row *r = &l->r[l->n++];
    memset(r, 0, sizeof *r);
    util_strlcpy(r->uuid, f->uuid, sizeof r->uuid);
    util_strlcpy(r->unit, f->unit, sizeof r->unit);
    util_strlcpy(r->kind, f->kind, sizeof r->kind);
    util_strlcpy(r->officer,
                 f->officer_code[0] ? rating_officer_name(f->officer_code, f->officer_name) : "",
                 sizeof r->officer);
    util_strlcpy(r->state, f->state, sizeof r->state);
    buf p = {0};
    preview(&p, f->text);
    r->preview = xstrdup(buf_cstr(&p));
    buf_free(&p);
    r->received_at = f->received_at;
    r->due_at = f->due_at;
    return 0;
}

static void item_rows_free(item_rows *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->r[i].preview);
    free(l->r);
}

typedef struct {
    char **u;
    size_t n;
} unit_set;

static int unit_cb(const db_kiosk_row *k, void *ctx)
{
    unit_set *s = ctx;
    if (!k->unit || !k->unit[0])
        return 0;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->u[i], k->unit) == 0)
            return 0;
    s->u = xrealloc(s->u, (s->n + 1) * sizeof *s->u);
    s->u[s->n++] = xstrdup(k->unit);
    return 0;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void select_of(buf *b, const char *label, const char *name, const char *const *values,
                      const char *const *words, size_t n, const char *chosen, const char *all)
{
    buf_printf(b, "<label>%s <select name=\"%s\"><option value=\"\">%s</option>", label, name, all);
    for (size_t i = 0; i < n; i++) {
        buf_str(b, "<option value=\"");
        web_esc(b, values[i]);
        buf_str(b, strcmp(values[i], chosen) == 0 ? "\" selected>" : "\">");
        web_esc(b, words[i]);
        buf_str(b, "</option>");
    }
    buf_str(b, "</select></label>");
}

static const char *arg_or_empty(const web_req *req, const char *name)
{
    const char *v = req->arg(req->arg_ctx, name);
    return v ? v : "";
}

static void inbox_page(web *w, db *d, const web_req *req, const web_who *who, web_resp *resp)
{
    const char *state = arg_or_empty(req, "trang-thai"), *kind = arg_or_empty(req, "loai");
    const char *unit = arg_or_empty(req, "unit");
    if ((state[0] && db_fb_state_rank(state) < 0) || (kind[0] && kind_vi(kind) == kind) ||
        strlen(unit) >= 256) {
        web_error(resp, 400, "Bộ lọc không hợp lệ; hãy chọn lại trong danh sách.");
        return;
    }
    web_view v;
    memset(&v, 0, sizeof v);
    util_strlcpy(v.unit, unit, sizeof v.unit);
    if (web_scope(who, &v, resp))
        return;
    char err[HL_ERR_MAX];
    unit_set us = {0};
    int province = who->user.role == DB_ROLE_PROVINCE;
    if (province && db_kiosk_list(d, unit_cb, &us, err, sizeof err)) {
        db_failed("inbox: units", err, resp);
        return;
    }
    if (us.n > 1)
        qsort(us.u, us.n, sizeof *us.u, str_cmp);
    item_rows l = {0};
    db_fb_filter f = {v.unit, state, kind, LIST_MAX + 1};
    if (db_feedback_list(d, &f, list_cb, &l, err, sizeof err)) {
        for (size_t i = 0; i < us.n; i++)
            free(us.u[i]);
        free(us.u);
        db_failed("inbox", err, resp);
        return;
    }
    int64_t now = w->o.now_ms();
    buf *b = &resp->body;
    web_page_begin(b, "Hộp thư góp ý", who);
    buf_str(b, "<h1>Hộp thư góp ý");
    if (v.unit[0]) {
        buf_str(b, " – ");
        web_esc(b, v.unit);
    }
    buf_str(b, "</h1><p class=\"note\">Góp ý, phản ánh – kiến nghị và đề nghị biểu dương người "
               "dân gửi từ máy đánh giá, mới nhất trước.</p>");
    buf_str(b, "<div class=\"views\"><form class=\"filter\" method=\"get\" action=\"/hop-thu\">");
    if (province) {
        buf_str(b, "<label>Xã, phường <select name=\"unit\"><option value=\"\">Tất cả</option>");
        for (size_t i = 0; i < us.n; i++) {
            buf_str(b, "<option value=\"");
            web_esc(b, us.u[i]);
            buf_str(b, strcmp(us.u[i], v.unit) == 0 ? "\" selected>" : "\">");
            web_esc(b, us.u[i]);
            buf_str(b, "</option>");
        }
        buf_str(b, "</select></label>");
    }
    select_of(b, "Trạng thái", "trang-thai", states, state_words, 4, state, "Tất cả");
    select_of(b, "Loại", "loai", kinds, kind_words, 3, kind, "Tất cả");
    buf_str(b, "<button type=\"submit\">Lọc</button></form></div>");
    size_t shown = l.n > LIST_MAX ? LIST_MAX : l.n;
    int late = 0;
    for (size_t i = 0; i < shown; i++)
        late += overdue(l.r[i].state, l.r[i].due_at, now);
    buf_str(b, "<p class=\"range\">");
    web_int(b, (int64_t)shown);
    buf_str(b, " ý kiến");
    if (l.n > LIST_MAX)
        buf_printf(b, " (%d ý kiến mới nhất; hãy lọc để xem các ý kiến cũ hơn)", LIST_MAX);
    if (late) {
        buf_str(b, ", <span class=\"late\">");
        web_int(b, late);
        buf_str(b, " quá hạn</span>");
    }
    buf_str(b, "</p>");
    int all_units = !v.unit[0];
    buf_str(b, "<div class=\"scroll cards-sm\"><table class=\"inbox\"><thead><tr><th>Mã</th>");
    if (all_units)
        buf_str(b, "<th>Xã, phường</th>");
    buf_str(b, "<th>Loại</th><th>Nhận lúc</th><th>Cán bộ</th><th>Nội dung</th>"
               "<th>Trạng thái</th><th>Hạn xử lý</th></tr></thead><tbody>");
    for (size_t i = 0; i < shown; i++) {
        const item_row *r = &l.r[i];
        buf_str(b, "<tr><td data-l=\"Mã\"><a href=\"/hop-thu/");
        web_url(b, r->uuid);
        buf_printf(b, "\">%.8s</a></td>", r->uuid);
        if (all_units) {
            buf_str(b, "<td class=\"name\" data-l=\"Xã, phường\">");
            web_esc(b, r->unit[0] ? r->unit : "(máy chưa gán xã)");
            buf_str(b, "</td>");
        }
        buf_str(b, "<td class=\"name\" data-l=\"Loại\">");
        web_esc(b, kind_vi(r->kind));
        buf_str(b, "</td><td data-l=\"Nhận lúc\">");
        when(b, r->received_at);
        buf_str(b, "</td><td class=\"name\" data-l=\"Cán bộ\">");
        web_esc(b, r->officer[0] ? r->officer : "—");
        buf_str(b, "</td><td class=\"name text\" data-l=\"Nội dung\">");
        buf_str(b, r->preview); /* escaped when made */
        buf_str(b, "</td><td data-l=\"Trạng thái\">");
        badge(b, r->state);
        buf_str(b, "</td><td data-l=\"Hạn xử lý\">");
        due_cell(b, r->state, r->due_at, now);
        buf_str(b, "</td></tr>");
    }
    if (shown == 0)
        buf_printf(b, "<tr><td colspan=\"%d\">Chưa có ý kiến nào%s.</td></tr>", all_units ? 8 : 7,
                   state[0] || kind[0] ? " theo bộ lọc này" : "");
    buf_str(b, "</tbody></table></div>");
    web_page_end(b);
    item_rows_free(&l);
    for (size_t i = 0; i < us.n; i++)
        free(us.u[i]);
    free(us.u);
    resp->status = 200;
    resp->ctype = "text/html; charset=utf-8";
}

/* ---- one item ---- */

typedef struct {
    int found;
    char uuid[37], kiosk_id[64], unit[256], kind[16], officer_code[32], officer_name[256];
    char vote_uuid[37], state[16], handler[256];
    char *text, *c_name, *c_phone, *c_address;
    int consent, clock_suspect;
    int64_t seq, erased_at, placed_at, received_at, due_at, updated_at;
} item;

static int item_cb(const db_feedback_row *f, void *ctx)
{
    item *it = ctx;
    it->found = 1;
    util_strlcpy(it->uuid, f->uuid, sizeof it->uuid);
    util_strlcpy(it->kiosk_id, f->kiosk_id, sizeof it->kiosk_id);
    util_strlcpy(it->unit, f->unit, sizeof it->unit);
    util_strlcpy(it->kind, f->kind, sizeof it->kind);
    util_strlcpy(it->officer_code, f->officer_code, sizeof it->officer_code);
    util_strlcpy(it->officer_name, f->officer_name, sizeof it->officer_name);
    util_strlcpy(it->vote_uuid, f->vote_uuid, sizeof it->vote_uuid);
    util_strlcpy(it->state, f->state, sizeof it->state);
    util_strlcpy(it->handler, f->handler, sizeof it->handler);
    it->text = xstrdup(f->text);
    it->c_name = xstrdup(f->contact_name);
    it->c_phone = xstrdup(f->contact_phone);
    it->c_address = xstrdup(f->contact_address);
    it->consent = f->consent;
    it->clock_suspect = f->clock_suspect;
    it->seq = f->seq;
    it->erased_at = f->contact_erased_at;
    it->placed_at = f->placed_at;
    it->received_at = f->received_at;
    it->due_at = f->due_at;
    it->updated_at = f->updated_at;
    return 1;
}

static void item_free(item *it)
{
    free(it->text);
    free(it->c_name);
    free(it->c_phone);
    free(it->c_address);
    memset(it, 0, sizeof *it);
}

/* Loads the item of id and checks that who may read it: 0, or -1 after an error page. */
static int item_load(db *d, const char *id, const web_who *who, item *it, web_resp *resp)
{
    char err[HL_ERR_MAX];
    memset(it, 0, sizeof *it);
    int rc = db_feedback_get(d, id, item_cb, it, err, sizeof err);
    if (rc == 1) {
        db_failed("feedback item", err, resp);
        return -1;
    }
    if (rc == 2 || !it->found) {
        item_free(it);
        web_error(resp, 404, "Không có ý kiến này (mã không đúng hoặc đã bị xoá).");
        return -1;
    }
    if (who->user.role != DB_ROLE_PROVINCE && strcmp(it->unit, who->user.unit) != 0) {
        item_free(it);
        resp->note = "refused: another unit's feedback";
        web_error(resp, 403,
                  "Tài khoản này chỉ xem được ý kiến gửi đến đơn vị mình. Hãy liên hệ quản trị "
                  "viên của tỉnh nếu cần xem đơn vị khác.");
        return -1;
    }
    return 0;
}

typedef struct {
    const char *uuid;
    int found, rating;
    char officer[256];
    int64_t placed_at;
} vote_find;

static int vote_cb(const db_vote_row *v, void *ctx)
{
    vote_find *f = ctx;
    if (strcmp(v->uuid, f->uuid) != 0)
        return 0;
    f->found = 1;
    f->rating = v->rating;
    f->placed_at = v->placed_at;
    util_strlcpy(f->officer, v->officer_code, sizeof f->officer);
    return 1;
}

/* The vote the item follows: looked for among its kiosk's votes of the hours before it. */
static void linked_vote(buf *b, db *d, const item *it)
{
    if (!it->vote_uuid[0])
        return;
    vote_find vf = {it->vote_uuid, 0, 0, "", 0};
    db_filter f = {it->placed_at - 12 * 3600000LL, it->placed_at + 3600000LL, NULL, it->kiosk_id,
                   NULL};
    char err[HL_ERR_MAX];
    if (db_votes(d, &f, vote_cb, &vf, err, sizeof err))
        log_error("dashboard: feedback's vote: %s", err);
    buf_str(b, "<dt>Sau lượt đánh giá</dt><dd>");
    if (vf.found) {
        web_esc(b, rating_label(vf.rating));
        buf_str(b, " lúc ");
        when(b, vf.placed_at);
        buf_str(b, " ");
    }
    buf_printf(b, "<span class=\"note\">(phiếu %.8s%s)</span></dd>", it->vote_uuid,
               vf.found ? "" : "; không tìm thấy phiếu trên máy này quanh thời điểm gửi");
}

/* A log line's action ("dang-xu-ly giao:Chị Lan han:1795...") in words. */
static void action_vi(buf *b, const char *action)
{
    const char *giao = strstr(action, " giao:"), *han = NULL;
    for (const char *p = strstr(action, " han:"); p; p = strstr(p + 1, " han:"))
        han = p;
    size_t head = strcspn(action, " ");
    char first[24];
    util_fmt(first, sizeof first, "%.*s", (int)(head < 23 ? head : 23), action);
    int r = db_fb_state_rank(first);
    if (strcmp(first, "nhan") == 0)
        buf_str(b, "Nhận từ máy đánh giá");
    else if (strcmp(first, "ghi-chu") == 0)
        buf_str(b, giao || han ? "Cập nhật" : "Ghi chú");
    else if (r >= 0)
        buf_printf(b, "Chuyển sang “%s”", state_words[r]);
    else
        web_esc(b, first);
    if (giao) {
        const char *h = giao + 6, *end = han && han > giao ? han : h + strlen(h);
        char who[256];
        util_fmt(who, sizeof who, "%.*s", (int)(end - h < 255 ? end - h : 255), h);
        buf_str(b, who[0] ? "; giao cho " : "; bỏ người xử lý");
        web_esc(b, who);
    }
    if (han) {
        buf_str(b, "; hạn xử lý ");
        day(b, strtoll(han + 5, NULL, 10));
    }
}

static int log_cb(int64_t at, const char *user, const char *action, const char *note, void *ctx)
{
    buf *b = ctx;
    buf_str(b, "<tr><td data-l=\"Lúc\">");
    when(b, at);
    buf_str(b, "</td><td class=\"name\" data-l=\"Người\">");
    web_esc(b, user);
    buf_str(b, "</td><td class=\"name\" data-l=\"Việc\">");
    action_vi(b, action);
    buf_str(b, "</td><td class=\"name text\" data-l=\"Ghi chú\">");
    web_esc(b, note);
    buf_str(b, "</td></tr>");
    return 0;
}

/* The states an item in `state` may be moved to (itself first: "keep"). */
static void state_options(buf *b, const char *state)
{
    int from = db_fb_state_rank(state);
    for (int i = 0; i < 4; i++) {
        int ok = i == from || i > from || (from == 3 && i == 1);
        if (!ok)
            continue;
        buf_printf(b, "<option value=\"%s\"%s>%s%s</option>", states[i],
                   i == from ? " selected" : "", state_words[i],
                   i == from             ? " (giữ nguyên)"
                   : from == 3 && i == 1 ? " (mở lại)"
                                         : "");
    }
}

static void contact_block(buf *b, const item *it, const web_who *who)
{
    buf_str(b, "<h2>Thông tin liên hệ</h2><div class=\"box\">");
    if (it->erased_at) {
        buf_str(b, "<p>Thông tin liên hệ đã được xoá theo thời hạn lưu trữ (ngày ");
        day(b, it->erased_at);
        buf_str(b, ").</p>");
    } else if (!it->consent) {
        buf_str(b, "<p>Người dân gửi ẩn danh, không để lại thông tin liên hệ.</p>");
    } else if (who->user.role == DB_ROLE_COMMUNE && strcmp(who->user.unit, it->unit) == 0) {
        static const char *const label[] = {"Họ và tên", "Điện thoại", "Địa chỉ"};
        const char *val[] = {it->c_name, it->c_phone, it->c_address};
        buf_str(b, "<dl class=\"facts\">");
        for (int i = 0; i < 3; i++) {
            buf_printf(b, "<dt>%s</dt><dd>", label[i]);
            web_esc(b, val[i][0] ? val[i] : "—");
            buf_str(b, "</dd>");
        }
        buf_str(b, "</dl><p class=\"note\">Người dân đồng ý để lại thông tin này chỉ để được trả "
                   "lời. Không chuyển cho người khác.</p>");
    } else {
        buf_str(b, "<p>Có thông tin liên hệ (chỉ lãnh đạo xã xem được).</p>");
    }
    buf_str(b, "</div>");
}

static void item_page(web *w, db *d, const item *it, const web_who *who, web_resp *resp, int status,
                      const char *msg)
{
    int64_t now = w->o.now_ms();
    char title[40];
    util_fmt(title, sizeof title, "Ý kiến %.8s", it->uuid);
    buf *b = &resp->body;
    buf_reset(b);
    web_page_begin(b, title, who);
    buf_str(b, "<p><a href=\"/hop-thu");
    if (who->user.role == DB_ROLE_PROVINCE) {
        buf_str(b, "?unit=");
        web_url(b, it->unit);
    }
    buf_str(b, "\">← Hộp thư góp ý</a></p><h1>");
    web_esc(b, kind_vi(it->kind));
    buf_printf(b, " <span class=\"note\">%.8s</span></h1>", it->uuid);
    if (msg) {
        buf_printf(b, "<p class=\"msg\" role=\"%s\">", status == 200 ? "status" : "alert");
        web_esc(b, msg);
        buf_str(b, "</p>");
    }
    buf_str(b, "<div class=\"two\"><section><dl class=\"facts\"><dt>Trạng thái</dt><dd>");
    badge(b, it->state);
    buf_str(b, "</dd><dt>Hạn xử lý</dt><dd>");
    due_cell(b, it->state, it->due_at, now);
    buf_str(b, "</dd><dt>Người xử lý</dt><dd>");
    web_esc(b, it->handler[0] ? it->handler : "—");
    buf_str(b, "</dd><dt>Xã, phường</dt><dd>");
    web_esc(b, it->unit[0] ? it->unit : "(máy chưa gán xã)");
    buf_str(b, "</dd><dt>Cán bộ</dt><dd>");
    if (it->officer_code[0]) {
        web_esc(b, rating_officer_name(it->officer_code, it->officer_name));
        buf_str(b, " <span class=\"note\">");
        web_esc(b, it->officer_code);
        buf_str(b, "</span>");
    } else {
        buf_str(b, "—");
    }
    buf_str(b, "</dd><dt>Người dân gửi lúc</dt><dd>");
    when(b, it->placed_at);
    if (it->clock_suspect)
        buf_str(b, " <span class=\"note\">(đồng hồ máy đánh giá không chắc chắn)</span>");
    buf_str(b, "</dd><dt>Nhận lúc</dt><dd>");
    when(b, it->received_at);
    buf_str(b, "</dd><dt>Máy đánh giá</dt><dd>");
    web_esc(b, it->kiosk_id);
    buf_printf(b, " <span class=\"note\">(ý kiến số %lld)</span></dd>", (long long)it->seq);
    linked_vote(b, d, it);
    buf_str(b, "<dt>Mã đầy đủ</dt><dd class=\"note\">");
    web_esc(b, it->uuid);
    buf_str(b, "</dd></dl></section><section><h2>Nội dung</h2><div class=\"box fb-text\">");
    web_esc(b, it->text);
    buf_str(b, "</div>");
    contact_block(b, it, who);
    buf_str(b, "</section></div>");
    web_letter_form(b, who, it->uuid, it->unit, it->kind,
                    it->consent && !it->erased_at && it->c_name[0]);
    /* The form: a new state (only the moves allowed), handler, due date, note. */
    char due[20] = "";
    if (it->due_at > 0)
        report_local_time(it->due_at, due);
    buf_str(b, "<h2>Xử lý</h2><form class=\"fb-form box\" method=\"post\" action=\"/hop-thu/");
    web_url(b, it->uuid);
    buf_str(b, "\"><input type=\"hidden\" name=\"csrf\" value=\"");
    web_esc(b, who->csrf);
    buf_str(b, "\"><label>Trạng thái <select name=\"trang-thai\">");
    state_options(b, it->state);
    buf_printf(b,
               "</select></label><label>Người xử lý <input name=\"nguoi-xu-ly\" maxlength=\"%d\" "
               "value=\"",
               HANDLER_MAX);
    web_esc(b, it->handler);
    buf_printf(b,
               "\"></label><label>Hạn xử lý <input type=\"date\" name=\"han\" value=\"%.10s\">"
               "</label><label class=\"wide\">Ghi chú <textarea name=\"ghi-chu\" rows=\"3\" "
               "maxlength=\"%d\"></textarea></label><button type=\"submit\">Lưu</button>"
               "</form>",
               due, NOTE_MAX);
    buf_str(b, "<h2>Nhật ký xử lý</h2><div class=\"scroll cards-sm\"><table class=\"log\"><thead>"
               "<tr><th>Lúc</th><th>Người</th><th>Việc</th><th>Ghi chú</th></tr></thead><tbody>");
    char err[HL_ERR_MAX];
    if (db_feedback_log(d, it->uuid, log_cb, b, err, sizeof err)) {
        db_failed("feedback log", err, resp);
        return;
    }
    buf_str(b, "</tbody></table></div>");
    web_page_end(b);
    resp->status = status;
    resp->ctype = "text/html; charset=utf-8";
}

/* Why db_feedback_update refused, in Vietnamese (it says so in English, for the command line). */
static void refused_vi(const item *it, const char *to, char *msg, size_t cap)
{
    int from = db_fb_state_rank(it->state), r = db_fb_state_rank(to);
    if (r >= 0 && r < from)
        util_fmt(msg, cap,
                 "Không chuyển được ý kiến từ “%s” về “%s”: trạng thái chỉ đi tiếp (Mới → Đang "
                 "xử lý → Đã trả lời → Đóng); ý kiến đã đóng có thể mở lại (về “Đang xử lý”).",
                 state_words[from], state_words[r]);
    else
        util_fmt(msg, cap, "Không lưu được thay đổi: trạng thái không hợp lệ.");
}

static void item_post(web *w, db *d, const web_req *req, const web_who *who, item *it,
                      web_resp *resp)
{
    if (!web_csrf_ok(req, who->csrf)) {
        resp->note = "feedback change refused: CSRF token";
        web_error(resp, 403, "Yêu cầu không hợp lệ (thiếu mã chống giả mạo). Hãy tải lại trang.");
        return;
    }
    char state[24] = "", handler[4 * HANDLER_MAX + 1] = "", due[16] = "";
    char note[4 * NOTE_MAX + 1] = "", msg[400];
    const char *f = req->form;
    size_t n = req->form_len;
    if (web_form_field(f, n, "trang-thai", state, sizeof state))
        state[0] = '\0';
    int bad = 0;
    if (web_form_field(f, n, "nguoi-xu-ly", handler, sizeof handler) == 0)
        bad |= util_utf8_chars(handler) > HANDLER_MAX ||
               !wire_utf8_valid(handler, strlen(handler), NULL);
    else
        util_strlcpy(handler, it->handler, sizeof handler);
    if (web_form_field(f, n, "ghi-chu", note, sizeof note) == 0)
        bad |= util_utf8_chars(note) > NOTE_MAX || !wire_utf8_valid(note, strlen(note), NULL);
    else
        note[0] = '\0';
    if (bad) {
        item_page(w, d, it, who, resp, 400, "Người xử lý hoặc ghi chú quá dài hoặc không hợp lệ.");
        return;
    }
    /* The due date: the end of the day chosen (Vietnam time); unchanged when it is the shown one.
     */
    int64_t due_at = -1;
    if (web_form_field(f, n, "han", due, sizeof due) == 0 && due[0]) {
        char shown[20] = "", e[HL_ERR_MAX];
        if (it->due_at > 0)
            report_local_time(it->due_at, shown);
        int64_t from_ms, to_ms;
        if (strlen(due) != 10 || report_range(due, due, &from_ms, &to_ms, e, sizeof e)) {
            item_page(w, d, it, who, resp, 400,
                      "Hạn xử lý không hợp lệ: chọn một ngày (năm-tháng-ngày).");
            return;
        }
        if (strncmp(shown, due, 10) != 0)
            due_at = to_ms - 1;
    }
    if (state[0] && db_fb_state_rank(state) < 0) {
        item_page(w, d, it, who, resp, 400, "Trạng thái không hợp lệ; hãy chọn trong danh sách.");
        return;
    }
    int same_state = !state[0] || strcmp(state, it->state) == 0;
    int same_handler = strcmp(handler, it->handler) == 0;
    if (same_state && same_handler && due_at < 0 && !note[0]) {
        item_page(w, d, it, who, resp, 200, "Không có thay đổi nào để lưu.");
        return;
    }
    char err[HL_ERR_MAX];
    int rc = db_feedback_update(d, it->uuid, state[0] ? state : NULL, same_handler ? NULL : handler,
                                due_at, who->user.name, note, w->o.now_ms(), err, sizeof err);
    if (rc == 1) {
        db_failed("feedback update", err, resp);
        return;
    }
    if (rc == 2) {
        resp->note = "feedback change refused";
        refused_vi(it, state, msg, sizeof msg);
        item_page(w, d, it, who, resp, 409, msg);
        return;
    }
    log_info("dashboard: %s changed feedback %.8s (%s -> %s)", who->user.name, it->uuid, it->state,
             state[0] ? state : it->state);
    resp->note = "feedback changed";
    resp->status = 303;
    buf to = {0};
    buf_str(&to, "/hop-thu/");
    web_url(&to, it->uuid);
    buf_str(&to, "?da-luu=1");
    util_strlcpy(resp->location, buf_cstr(&to), sizeof resp->location);
    buf_free(&to);
}

int web_feedback_path(const char *path)
{
    if (strcmp(path, "/hop-thu") == 0)
        return 1;
    if (strncmp(path, "/hop-thu/", 9) != 0)
        return 0;
    size_t n = strlen(path + 9), id = strspn(path + 9, "0123456789abcdef-");
    if (id >= 8 && id <= 36 && strcmp(path + 9 + id, "/thu") == 0)
        return 3; /* the letter's POST */
    return n >= 8 && n <= 36 && id == n ? 2 : 0;
}

void web_feedback(web *w, db *d, const web_req *req, const web_who *who, web_resp *resp)
{
    int kind = web_feedback_path(req->path);
    int post = strcmp(req->method, "POST") == 0;
    if (kind == 0) {
        web_error(resp, 404, "Không có trang này.");
        return;
    }
    if (kind == 1 && post) {
        web_error(resp, 405, "Phương thức không được hỗ trợ.");
        return;
    }
    if (kind == 3 && !post) {
        web_error(resp, 405, "Phương thức không được hỗ trợ.");
        return;
    }
    if (!inbox_allowed(who, resp))
        return;
    if (kind == 3) {
        char id[37];
        util_fmt(id, sizeof id, "%.*s", (int)strcspn(req->path + 9, "/"), req->path + 9);
        web_letter_post(w, d, req, who, id, resp);
        return;
    }
    if (kind == 1) {
        inbox_page(w, d, req, who, resp);
        return;
    }
    item it;
    if (item_load(d, req->path + 9, who, &it, resp))
        return;
    if (post) {
        item_post(w, d, req, who, &it, resp);
    } else {
        const char *saved = req->arg(req->arg_ctx, "da-luu");
        item_page(w, d, &it, who, resp, 200, saved && *saved ? "Đã lưu thay đổi." : NULL);
    }
    item_free(&it);
}
