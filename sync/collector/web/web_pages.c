/* web_pages: the province's overview (every commune with votes) and a commune's page (its
 * officers, the reasons given, the hours, its kiosks). Every figure comes from the totals kept at
 * ingest (db_totals.c); every text a kiosk or a user sent goes through web_esc. A rate is ranked
 * only with at least WEB_MIN_VOTES counted votes behind it, and always shown with its interval. */
#include "web_int.h"

#include "log.h"
#include "rating.h"
#include "report.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* ---- rows gathered from the database ---- */

typedef struct {
    char *key, *unit, *name;
    web_counts c;
} row;

typedef struct {
    row *r;
    size_t n, cap;
} rows;

static int rows_cb(const db_summary_row *s, void *ctx)
{
    rows *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->r = xrealloc(l->r, l->cap * sizeof *l->r);
    }
    row *r = &l->r[l->n++];
    r->key = xstrdup(s->key);
    r->unit = xstrdup(s->unit);
    r->name = xstrdup(s->name);
    r->c = (web_counts){s->rating3, s->rating2, s->rating1, s->misuse, s->clock_suspect, s->total};
    return 0;
}

static void rows_free(rows *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->r[i].key);
        free(l->r[i].unit);
        free(l->r[i].name);
    }
    free(l->r);
    memset(l, 0, sizeof *l);
}

static int load(db *d, const char *by, const db_filter *f, rows *out, web_resp *resp)
{
    char err[HL_ERR_MAX];
    if (db_summary(d, by, f, rows_cb, out, err, sizeof err)) {
        log_error("dashboard: summary by %s: %s", by, err);
        web_error(resp, 503, "Cơ sở dữ liệu đang bận hoặc không truy cập được; hãy thử lại sau.");
        return -1;
    }
    return 0;
}

static web_counts sum(const rows *l)
{
    web_counts t = {0};
    for (size_t i = 0; i < l->n; i++) {
        t.r3 += l->r[i].c.r3;
        t.r2 += l->r[i].c.r2;
        t.r1 += l->r[i].c.r1;
        t.misuse += l->r[i].c.misuse;
        t.suspect += l->r[i].c.suspect;
        t.total += l->r[i].c.total;
    }
    return t;
}

/* Ranked first (enough votes, by rate, then by votes), then the rest by name. */
static int rank_cmp(const void *a, const void *b)
{
    const row *x = a, *y = b;
    int64_t nx = web_counted(&x->c), ny = web_counted(&y->c);
    int ex = nx >= WEB_MIN_VOTES, ey = ny >= WEB_MIN_VOTES;
    if (ex != ey)
        return ey - ex;
    if (ex) {
        double rx, ry, lo, hi;
        web_rate(&x->c, &rx, &lo, &hi);
        web_rate(&y->c, &ry, &lo, &hi);
        if (rx != ry)
            return rx < ry ? 1 : -1;
        if (nx != ny)
            return nx < ny ? 1 : -1;
    }
    int c = strcmp(x->name[0] ? x->name : x->key, y->name[0] ? y->name : y->key);
    return c ? c : strcmp(x->key, y->key);
}

/* ---- pieces of a page ---- */

static void cards(buf *b, const web_counts *t, int64_t groups, const char *groups_label)
{
    double rate, lo, hi;
    int any = web_rate(t, &rate, &lo, &hi);
    buf_str(b, "<div class=\"cards\"><div class=\"card\"><b>");
    web_int(b, web_counted(t));
    buf_str(b, "</b><span>phiếu được tính</span></div><div class=\"card\"><b>");
    if (any)
        web_pct(b, rate);
    else
        buf_str(b, "–");
    buf_str(b, "</b><span>tỷ lệ hài lòng (máy đánh giá)");
    if (any) {
        buf_str(b, "; khoảng tin cậy 95\xc2\xa0%: "); /* a no-break space: "95 %" stays whole */
        web_pct(b, lo);
        buf_str(b, " – ");
        web_pct(b, hi);
    }
    buf_str(b, "</span></div><div class=\"card\"><b>");
    web_int(b, t->r1);
    buf_str(b, "</b><span>phiếu chưa hài lòng</span></div>");
    if (groups_label) {
        buf_str(b, "<div class=\"card\"><b>");
        web_int(b, groups);
        buf_printf(b, "</b><span>%s</span></div>", groups_label);
    }
    buf_str(b, "</div>");
    web_svg_share(b, t);
    if (t->misuse || t->suspect) {
        buf_str(b, "<p class=\"note\">");
        web_int(b, t->misuse);
        buf_str(b, " lượt bấm lặp bất thường không được tính; ");
        web_int(b, t->suspect);
        buf_str(b, " phiếu có giờ máy đáng ngờ (đã được đặt lại theo giờ nhận).</p>");
    }
}

/* The cells of a row: counts, shares, rate and interval (or why there is none). */
static void count_cells(buf *b, const web_counts *c)
{
    int64_t n = web_counted(c);
    buf_str(b, "<td>");
    web_int(b, n);
    buf_str(b, "</td>");
    int64_t v[3] = {c->r3, c->r2, c->r1};
    for (int k = 0; k < 3; k++) {
        buf_str(b, "<td>");
        web_int(b, v[k]);
        buf_str(b, "</td>");
    }
    double rate, lo, hi;
    if (n >= WEB_MIN_VOTES && web_rate(c, &rate, &lo, &hi)) {
        buf_str(b, "<td>");
        web_pct(b, rate);
        buf_str(b, "</td><td>");
        web_pct(b, lo);
        buf_str(b, " – ");
        web_pct(b, hi);
        buf_str(b, "</td>");
    } else {
        buf_printf(b, "<td class=\"few\" colspan=\"2\">chưa đủ %d phiếu để đánh giá</td>",
                   WEB_MIN_VOTES);
    }
    buf_str(b, "<td class=\"bar\">");
    web_svg_share(b, c);
    buf_str(b, "</td>");
}

static const char count_heads[] =
    "<th>Phiếu</th><th>Rất hài lòng</th><th>Hài lòng</th><th>Chưa hài lòng</th>"
    "<th>Tỷ lệ hài lòng</th><th>Khoảng tin cậy 95 %</th><th>Ba mức</th>";

/* The trend: the day rows of f folded into buckets, every bucket of the range present. */
static void trend(buf *b, db *d, const web_view *v, web_resp *resp, int *failed)
{
    int64_t first = db_local_day(v->f.from_ms), last = db_local_day(v->f.to_ms) - 1;
    char group = v->group;
    /* More bars than that say nothing more: coarser buckets then. */
    if (group == 'd' && last - first > 62)
        group = 'w';
    if (group == 'w' && last - first > 190)
        group = 'm';
    rows got = {0};
    if (load(d, group == 'm' ? "month" : "day", &v->f, &got, resp)) {
        *failed = 1;
        return;
    }
    size_t cap = 0, n = 0;
    web_point *p = NULL;
    for (int64_t day = first; day <= last; day++) {
        int64_t bk = web_bucket(day, group);
        if (n == 0 || p[n - 1].first_day != bk) {
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                p = xrealloc(p, cap * sizeof *p);
            }
            p[n++] = (web_point){bk, {0}};
        }
    }
    for (size_t i = 0; i < got.n; i++) {
        int64_t k = strtoll(got.r[i].key, NULL, 10);
        int64_t bk = group == 'm' ? db_month_start(k) : web_bucket(k, group);
        for (size_t j = 0; j < n; j++)
            if (p[j].first_day == bk) {
                web_counts *c = &p[j].c;
                c->r3 += got.r[i].c.r3;
                c->r2 += got.r[i].c.r2;
                c->r1 += got.r[i].c.r1;
                c->total += got.r[i].c.total;
                break;
            }
    }
    buf_printf(b, "<h2>Diễn biến theo %s</h2>",
               group == 'd'   ? "ngày"
               : group == 'w' ? "tuần"
                              : "tháng");
    web_svg_trend(b, p, n, group);
    free(p);
    rows_free(&got);
}

static void downloads(buf *b, const web_view *v)
{
    static const char *const what[][2] = {
        {"tong-hop.xlsx", "Bảng tổng hợp (Excel)"},
        {"tong-hop.csv", "Bảng tổng hợp (CSV)"},
        {"phieu.xlsx", "Danh sách phiếu (Excel)"},
        {"phieu.csv", "Danh sách phiếu (CSV)"},
    };
    buf_str(b, "<h2>Tải về</h2><p class=\"downloads\">");
    for (size_t i = 0; i < HL_ARRAY_LEN(what); i++) {
        buf_printf(b, "<a href=\"/tai/%s?", what[i][0]);
        web_view_query(b, v);
        buf_printf(b, "\" download>%s</a>", what[i][1]);
    }
    buf_str(b, "</p>");
}

/* ---- kiosks ---- */

typedef struct {
    buf *b;
    const char *unit; /* "": every unit */
    int64_t now, silent_ms;
    int n, silent, table;
} health_ctx;

static int health_cb(const db_health_row *h, void *ctx)
{
    health_ctx *c = ctx;
    if (c->unit[0] && strcmp(h->unit, c->unit) != 0)
        return 0;
    c->n++;
    int silent = h->last_contact == 0 || c->now - h->last_contact > c->silent_ms;
    c->silent += silent;
    if (!c->table || (!c->unit[0] && !silent))
        return 0;
    buf *b = c->b;
    buf_str(b, "<tr><td class=\"name\">");
    web_esc(b, h->id);
    if (!c->unit[0]) {
        buf_str(b, " <span class=\"note\">(");
        web_esc(b, h->unit);
        buf_str(b, ")</span>");
    }
    buf_str(b, "</td><td>");
    if (h->last_contact) {
        char t[20];
        report_local_time(h->last_contact, t);
        buf_printf(b, "%.5s %.2s/%.2s/%.4s", t + 11, t + 8, t + 5, t);
    } else {
        buf_str(b, "chưa bao giờ");
    }
    buf_printf(b, "%s</td><td>", silent ? " <span class=\"silent\">(im lặng)</span>" : "");
    web_esc(b, h->version[0] ? h->version : "–");
    buf_printf(b, "</td><td>%s</td><td>",
               !h->last_contact   ? "–"
               : h->clock_suspect ? "<span class=\"silent\">sai giờ</span>"
                                  : "đúng");
    web_int(b, h->unsent);
    buf_str(b, "</td></tr>");
    return 0;
}

static void kiosks(buf *b, db *d, const char *unit, web *w, int *failed, web_resp *resp)
{
    health_ctx c = {b, unit, w->o.now_ms(), w->o.silent_ms, 0, 0, 1};
    buf_str(b, unit[0] ? "<h2>Máy đánh giá</h2>" : "<h2>Máy đánh giá không liên lạc</h2>");
    buf_printf(b,
               "<p class=\"note\">Máy không liên lạc quá %lld giờ được đánh dấu "
               "“im lặng”.</p>",
               (long long)(w->o.silent_ms / 3600000));
    buf_str(b, "<div class=\"scroll\"><table><thead><tr><th>Máy</th><th>Liên lạc gần nhất</th>"
               "<th>Phiên bản</th><th>Đồng hồ</th><th>Phiếu chưa gửi</th></tr></thead><tbody>");
    char err[HL_ERR_MAX];
    if (db_health_list(d, health_cb, &c, err, sizeof err)) {
        log_error("dashboard: kiosks: %s", err);
        web_error(resp, 503, "Cơ sở dữ liệu đang bận hoặc không truy cập được; hãy thử lại sau.");
        *failed = 1;
        return;
    }
    if (!unit[0] && c.silent == 0)
        buf_str(b, "<tr><td colspan=\"5\">Mọi máy đều liên lạc bình thường.</td></tr>");
    else if (c.n == 0)
        buf_str(b, "<tr><td colspan=\"5\">Chưa có máy nào được đăng ký cho xã này.</td></tr>");
    buf_str(b, "</tbody></table></div>");
}

/* ---- alerts ---- */

static int alert_row(const db_alert *a, void *ctx)
{
    buf *b = ctx;
    char t[20];
    report_local_time(a->created_at, t);
    buf_printf(b, "<tr><td>%.5s %.2s/%.2s</td><td class=\"name\">", t + 11, t + 8, t + 5);
    web_esc(b, a->subject);
    buf_str(b, "</td><td>");
    buf_str(b, strcmp(a->channel, "email") == 0 ? "thư điện tử" : "webhook");
    buf_str(b, "</td><td>");
    if (a->sent_at)
        buf_str(b, "đã gửi");
    else if (a->gave_up)
        buf_str(b, "<span class=\"silent\">không gửi được</span>");
    else
        buf_printf(b, "đang gửi (lần %lld)", (long long)a->attempts + 1);
    buf_str(b, "</td></tr>");
    return 0;
}

/* The latest alerts of unit (every unit: ""), as `alert log` shows them. */
static void alert_list(buf *b, db *d, const char *unit, int *failed)
{
    buf_str(b, "<h2>Cảnh báo gần đây</h2><div class=\"scroll\"><table><thead><tr><th>Lúc</th>"
               "<th>Cảnh báo</th><th>Gửi qua</th><th>Trạng thái</th></tr></thead><tbody>");
    size_t before = b->len;
    char err[HL_ERR_MAX];
    if (db_alert_list(d, unit, 10, alert_row, b, err, sizeof err)) {
        log_error("dashboard: alerts: %s", err);
        *failed = 1;
    }
    if (b->len == before)
        buf_str(b, "<tr><td colspan=\"4\">Chưa có cảnh báo nào.</td></tr>");
    buf_str(b, "</tbody></table></div>");
}

/* ---- the pages ---- */

static int begin(web *w, const web_req *req, const web_who *who, web_view *v, web_resp *resp)
{
    char msg[200];
    if (web_view_parse(req, w->o.now_ms(), v, msg, sizeof msg)) {
        web_error(resp, 400, msg);
        return -1;
    }
    return web_scope(who, v, resp);
}

void web_overview(web *w, db *d, const web_req *req, const web_who *who, web_resp *resp)
{
    web_view v;
    if (begin(w, req, who, &v, resp))
        return;
    rows units = {0};
    if (load(d, "unit", &v.f, &units, resp))
        return;
    buf *b = &resp->body;
    web_page_begin(b, "Toàn tỉnh", who);
    buf_str(b, "<h1>Mức độ hài lòng của người dân – các xã, phường</h1>");
    web_period_form(b, &v, "/", w->o.now_ms());
    web_counts t = sum(&units);
    cards(b, &t, (int64_t)units.n, "xã, phường có phiếu");
    int failed = 0;
    trend(b, d, &v, resp, &failed);
    if (!failed) {
        if (units.n > 1) /* qsort of NULL (no rows) is undefined */
            qsort(units.r, units.n, sizeof *units.r, rank_cmp);
        buf_printf(b,
                   "<h2>Các xã, phường</h2><p class=\"note\">Xếp theo tỷ lệ hài lòng chỉ khi "
                   "có từ %d phiếu được tính; đơn vị ít phiếu hơn đứng sau, theo tên, không "
                   "xếp hạng.</p>",
                   WEB_MIN_VOTES);
        buf_str(b, "<div class=\"scroll\"><table><thead><tr><th>Hạng</th><th>Xã, phường</th>");
        buf_str(b, count_heads);
        buf_str(b, "</tr></thead><tbody>");
        int rank = 0;
        for (size_t i = 0; i < units.n; i++) {
            const row *r = &units.r[i];
            int ranked = web_counted(&r->c) >= WEB_MIN_VOTES;
            buf_str(b, ranked ? "<tr><td>" : "<tr class=\"low\"><td>");
            if (ranked)
                buf_printf(b, "%d", ++rank);
            else
                buf_str(b, "–");
            buf_str(b, "</td><td class=\"name\"><a href=\"/xa?unit=");
            web_url(b, r->key);
            buf_str(b, v.period[0] ? "&amp;period=" : "&amp;from=");
            if (v.period[0])
                web_url(b, v.period);
            else
                buf_printf(b, "%s&amp;to=%s", v.from, v.to);
            buf_str(b, "\">");
            web_esc(b, r->key[0] ? r->key : "(máy chưa gán xã)");
            buf_str(b, "</a></td>");
            count_cells(b, &r->c);
            buf_str(b, "</tr>");
        }
        if (units.n == 0)
            buf_str(b, "<tr><td colspan=\"9\">Chưa có phiếu nào trong kỳ này.</td></tr>");
        buf_str(b, "</tbody></table></div>");
        kiosks(b, d, "", w, &failed, resp);
        if (!failed)
            alert_list(b, d, "", &failed);
    }
    rows_free(&units);
    if (failed)
        return;
    downloads(b, &v);
    web_page_end(b);
    resp->status = 200;
    resp->ctype = "text/html; charset=utf-8";
}

/* The officers' names, titles and counters as the commune's kiosks sent them. */
typedef struct {
    rows *officers;
    char **title, **counter;
} officer_info;

static int officer_cb(const db_officer_row *o, void *ctx)
{
    officer_info *oi = ctx;
    for (size_t i = 0; i < oi->officers->n; i++)
        if (strcmp(oi->officers->r[i].key, o->code) == 0 && !oi->title[i]) {
            oi->title[i] = xstrdup(o->title);
            oi->counter[i] = xstrdup(o->counter);
        }
    return 0;
}

typedef struct {
    buf *b;
    int64_t total;
    int n;
    char (*code)[32];
    char (*label)[256];
    size_t n_labels;
} reason_ctx;

static int label_cb(const char *unit, const char *code, const char *label, void *ctx)
{
    (void)unit;
    reason_ctx *c = ctx;
    c->code = xrealloc(c->code, (c->n_labels + 1) * sizeof *c->code);
    c->label = xrealloc(c->label, (c->n_labels + 1) * sizeof *c->label);
    util_strlcpy(c->code[c->n_labels], code, sizeof c->code[0]);
    util_strlcpy(c->label[c->n_labels], label, sizeof c->label[0]);
    c->n_labels++;
    return 0;
}

static int reason_cb(const char *reason, int64_t n, void *ctx)
{
    reason_ctx *c = ctx;
    const char *label = NULL;
    for (size_t i = 0; i < c->n_labels; i++)
        if (strcmp(c->code[i], reason) == 0)
            label = c->label[i];
    buf_str(c->b, "<tr><td class=\"name\">");
    web_esc(c->b, label ? label : reason);
    if (!label) {
        buf_str(c->b, " <span class=\"note\">(mã do máy gửi)</span>");
    }
    buf_str(c->b, "</td><td>");
    web_int(c->b, n);
    buf_str(c->b, "</td><td>");
    if (c->total > 0)
        web_pct(c->b, (double)n / (double)c->total);
    buf_str(c->b, "</td></tr>");
    c->n++;
    return 0;
}

static int heat_cb(int weekday, int hour, int64_t n, void *ctx)
{
    int64_t(*cells)[24] = ctx;
    if (weekday >= 0 && weekday < 7 && hour >= 0 && hour < 24)
        cells[weekday][hour] += n;
    return 0;
}

/* Commendations (đề nghị biểu dương) per officer code, from the feedback inbox. */
typedef struct {
    char (*code)[32];
    int64_t *n;
    size_t len;
} commend_ctx;

static int commend_cb(const char *code, int64_t n, void *ctx)
{
    commend_ctx *c = ctx;
    c->code = xrealloc(c->code, (c->len + 1) * sizeof *c->code);
    c->n = xrealloc(c->n, (c->len + 1) * sizeof *c->n);
    util_strlcpy(c->code[c->len], code, sizeof c->code[0]);
    c->n[c->len++] = n;
    return 0;
}

static int64_t commendations_of(const commend_ctx *c, const char *code)
{
    for (size_t i = 0; i < c->len; i++)
        if (strcmp(c->code[i], code) == 0)
            return c->n[i];
    return 0;
}

static void officers_table(buf *b, db *d, const web_view *v, rows *offs, int *failed,
                           web_resp *resp)
{
    if (offs->n > 1)
        qsort(offs->r, offs->n, sizeof *offs->r, rank_cmp);
    officer_info oi = {offs, xcalloc(offs->n + 1, sizeof(char *)),
                       xcalloc(offs->n + 1, sizeof(char *))};
    char err[HL_ERR_MAX];
    commend_ctx cc = {0};
    if (db_officers(d, v->unit, officer_cb, &oi, err, sizeof err) ||
        db_feedback_commendations(d, v->unit, v->f.from_ms, v->f.to_ms, commend_cb, &cc, err,
                                  sizeof err)) {
        log_error("dashboard: officers: %s", err);
        *failed = 1;
    }
    if (*failed) {
        web_error(resp, 503, "Cơ sở dữ liệu đang bận hoặc không truy cập được; hãy thử lại sau.");
    } else {
        buf_printf(b, "<h2>%s</h2>", v->officer[0] ? "Kết quả của tôi" : "Cán bộ");
        if (!v->officer[0])
            buf_printf(b,
                       "<p class=\"note\">Xếp theo tỷ lệ hài lòng chỉ khi có từ %d phiếu "
                       "được tính.</p>",
                       WEB_MIN_VOTES);
        buf_str(b, "<div class=\"scroll\"><table><thead><tr><th>Hạng</th><th>Cán bộ</th>"
                   "<th>Chức danh</th><th>Quầy</th>");
        buf_str(b, count_heads);
        buf_str(b, "<th>Biểu dương</th></tr></thead><tbody>");
        int rank = 0;
        for (size_t i = 0; i < offs->n; i++) {
            const row *r = &offs->r[i];
            int ranked = web_counted(&r->c) >= WEB_MIN_VOTES;
            buf_str(b, ranked ? "<tr><td>" : "<tr class=\"low\"><td>");
            if (ranked && !v->officer[0])
                buf_printf(b, "%d", ++rank);
            else
                buf_str(b, "–");
            buf_str(b, "</td><td class=\"name\">");
            web_esc(b, rating_officer_name(r->key, r->name));
            buf_str(b, " <span class=\"note\">");
            web_esc(b, r->key);
            buf_str(b, "</span></td><td class=\"name\">");
            web_esc(b, oi.title[i] ? oi.title[i] : "");
            buf_str(b, "</td><td>");
            web_esc(b, oi.counter[i] ? oi.counter[i] : "");
            buf_str(b, "</td>");
            count_cells(b, &r->c);
            buf_str(b, "<td class=\"praise\">");
            web_int(b, commendations_of(&cc, r->key));
            buf_str(b, "</td></tr>");
        }
        if (offs->n == 0)
            buf_str(b, "<tr><td colspan=\"12\">Chưa có phiếu nào trong kỳ này.</td></tr>");
        buf_str(b, "</tbody></table></div><p class=\"note\">Biểu dương: số đề nghị biểu dương "
                   "người dân gửi về cán bộ trong kỳ (hộp thư góp ý).</p>");
    }
    for (size_t i = 0; i < offs->n; i++) {
        free(oi.title[i]);
        free(oi.counter[i]);
    }
    free(oi.title);
    free(oi.counter);
    free(cc.code);
    free(cc.n);
}

void web_commune(web *w, db *d, const web_req *req, const web_who *who, web_resp *resp)
{
    web_view v;
    if (begin(w, req, who, &v, resp))
        return;
    if (!v.unit[0]) {
        web_error(resp, 400, "Hãy chọn một xã từ trang tổng quan.");
        return;
    }
    v.f.officer = v.officer[0] ? v.officer : NULL;
    rows offs = {0};
    if (load(d, "officer", &v.f, &offs, resp))
        return;
    buf *b = &resp->body;
    web_page_begin(b, v.unit, who);
    if (who->user.role == DB_ROLE_PROVINCE)
        buf_str(b, "<p><a href=\"/\">← Toàn tỉnh</a></p>");
    buf_str(b, "<h1>");
    web_esc(b, v.unit);
    buf_str(b, "</h1>");
    web_period_form(b, &v, "/xa", w->o.now_ms());
    web_counts t = sum(&offs);
    cards(b, &t, (int64_t)offs.n, v.officer[0] ? NULL : "cán bộ được đánh giá");
    int failed = 0;
    trend(b, d, &v, resp, &failed);
    if (!failed)
        officers_table(b, d, &v, &offs, &failed, resp);
    rows_free(&offs);
    char err[HL_ERR_MAX];
    if (!failed) {
        reason_ctx rc = {b, t.r1, 0, NULL, NULL, 0};
        buf_str(b, "<div class=\"two\"><section><h2>Lý do chưa hài lòng</h2><div "
                   "class=\"scroll\"><table><thead><tr><th>Lý do</th><th>Số lần</th>"
                   "<th>Trên số phiếu chưa hài lòng</th></tr></thead><tbody>");
        if (db_reason_labels(d, v.unit, label_cb, &rc, err, sizeof err) ||
            db_reasons(d, &v.f, reason_cb, &rc, err, sizeof err)) {
            log_error("dashboard: reasons: %s", err);
            failed = 1;
        }
        if (rc.n == 0)
            buf_str(b, "<tr><td colspan=\"3\">Không có lý do nào được chọn trong kỳ này.</td>"
                       "</tr>");
        buf_str(b, "</tbody></table></div><p class=\"note\">Một phiếu có thể chọn nhiều lý "
                   "do.</p></section>");
        free(rc.code);
        free(rc.label);
    }
    if (!failed && !v.officer[0]) {
        int64_t cells[7][24] = {{0}};
        buf_str(b, "<section><h2>Phiếu theo giờ và thứ</h2>");
        if (db_hour_map(d, &v.f, heat_cb, cells, err, sizeof err)) {
            log_error("dashboard: hours: %s", err);
            failed = 1;
        }
        web_svg_heat(b, cells);
        buf_str(b, "</section></div>");
        kiosks(b, d, v.unit, w, &failed, resp);
        if (!failed)
            alert_list(b, d, v.unit, &failed);
    } else if (!failed) {
        buf_str(b, "</div>");
    }
    if (failed) {
        if (resp->status != 503)
            web_error(resp, 503,
                      "Cơ sở dữ liệu đang bận hoặc không truy cập được; hãy thử lại sau.");
        return;
    }
    downloads(b, &v);
    web_page_end(b);
    resp->status = 200;
    resp->ctype = "text/html; charset=utf-8";
}
