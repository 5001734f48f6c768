/* web_html: the dashboard's HTML pieces: escaping (every value a kiosk or a user sent goes
 * through web_esc), Vietnamese number formats, the page frame, the period chooser and reading the
 * view from the URL. */
#include "web_int.h"

#include "clock.h"
#include "report.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void web_esc(buf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&':
            buf_str(b, "&amp;");
            break;
        case '<':
            buf_str(b, "&lt;");
            break;
        case '>':
            buf_str(b, "&gt;");
            break;
        case '"':
            buf_str(b, "&quot;");
            break;
        case '\'':
            buf_str(b, "&#39;");
            break;
        default:
            buf_add(b, p, 1);
        }
    }
}

void web_url(buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            buf_add(b, p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            buf_add(b, e, 3);
        }
    }
}

void web_int(buf *b, int64_t v)
{
    char digits[24];
    util_fmt(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v));
    if (v < 0)
        buf_str(b, "-");
    size_t n = strlen(digits);
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf_str(b, ".");
        buf_add(b, &digits[i], 1);
    }
}

void web_pct(buf *b, double share)
{
    char s[16];
    util_fmt(s, sizeof s, "%.1f", share * 100.0);
    char *dot = strchr(s, '.');
    if (dot)
        *dot = ',';
    buf_str(b, s);
    buf_str(b, "\xc2\xa0%"); /* a no-break space: "85,3 %" never splits */
}

static const char *role_label(int role)
{
    return role == DB_ROLE_PROVINCE ? "Tỉnh" : role == DB_ROLE_COMMUNE ? "Lãnh đạo xã" : "Cán bộ";
}

void web_page_begin(buf *b, const char *title, const web_who *who)
{
    buf_str(b, "<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
               "<title>");
    web_esc(b, title);
    buf_str(b, " – Hài lòng</title><link rel=\"stylesheet\" href=\"/static/app.css\">"
               "</head>\n<body><header><a class=\"brand\" href=\"/\">Hài lòng</a>");
    if (who && who->user.role != DB_ROLE_OFFICER) {
        buf_str(b, "<nav><a href=\"/\">Số liệu</a><a href=\"/hop-thu\">Hộp thư góp ý");
        /* New items waiting: a leader sees at once that citizens have written. */
        if (who->inbox_new > 0)
            buf_printf(b,
                       " <span class=\"count\" title=\"%lld ý kiến mới chưa xử lý\">%lld "
                       "mới</span>",
                       (long long)who->inbox_new, (long long)who->inbox_new);
        buf_str(b, "</a></nav>");
    }
    if (who) {
        buf_str(b, "<span class=\"who\">");
        web_esc(b, who->user.name);
        buf_str(b, " · ");
        buf_str(b, role_label(who->user.role));
        if (who->user.unit[0]) {
            buf_str(b, " ");
            web_esc(b, who->user.unit);
        }
        buf_str(b, "</span><form method=\"post\" action=\"/dang-xuat\" class=\"out\">"
                   "<input type=\"hidden\" name=\"csrf\" value=\"");
        web_esc(b, who->csrf);
        buf_str(b, "\"><button type=\"submit\">Đăng xuất</button></form>");
    }
    buf_str(b, "</header>\n<main>");
}

void web_page_end(buf *b)
{
    buf_str(b,
            "</main>\n<footer>Số liệu từ máy đánh giá mức độ hài lòng đặt tại nơi tiếp nhận hồ sơ "
            "của các xã, phường; "
            "số liệu nội bộ, không phải chỉ số chính thức.</footer></body></html>\n");
}

/* ---- the view: which days, which commune ---- */

int web_view_parse(const web_req *req, int64_t now_ms, web_view *v, char *msg, size_t msglen)
{
    memset(v, 0, sizeof *v);
    const char *from = req->arg(req->arg_ctx, "from"), *to = req->arg(req->arg_ctx, "to");
    const char *period = req->arg(req->arg_ctx, "period"), *unit = req->arg(req->arg_ctx, "unit");
    const char *group = req->arg(req->arg_ctx, "nhom");
    char err[HL_ERR_MAX];
    if ((from && *from) || (to && *to)) {
        if (!from || !*from || !to || !*to) {
            util_fmt(msg, msglen, "Hãy chọn cả ngày bắt đầu và ngày kết thúc.");
            return -1;
        }
        util_strlcpy(v->from, from, sizeof v->from);
        util_strlcpy(v->to, to, sizeof v->to);
    } else {
        char def[8];
        clk_local l = clk_to_local(now_ms);
        util_fmt(def, sizeof def, "%04d-%02d", l.year % 10000, l.month % 100);
        const char *p = period && *period ? period : def;
        if (strlen(p) >= sizeof v->period || report_period(p, v->from, v->to, err, sizeof err)) {
            util_fmt(msg, msglen, "Kỳ không hợp lệ; hãy chọn lại trong danh sách.");
            return -1;
        }
        util_strlcpy(v->period, p, sizeof v->period);
    }
    if (report_range(v->from, v->to, &v->f.from_ms, &v->f.to_ms, err, sizeof err)) {
        util_fmt(msg, msglen,
                 "Khoảng ngày không hợp lệ: ngày theo dạng năm-tháng-ngày, từ 2020 đến 2099, "
                 "ngày kết thúc không trước ngày bắt đầu.");
        return -1;
    }
    if (unit && *unit) {
        if (strlen(unit) >= sizeof v->unit) {
            util_fmt(msg, msglen, "Tên xã quá dài.");
            return -1;
        }
        util_strlcpy(v->unit, unit, sizeof v->unit);
    }
    int64_t days = (v->f.to_ms - v->f.from_ms) / 86400000;
    v->group = days <= 31 ? 'd' : days <= 120 ? 'w' : 'm';
    if (group &&
        (strcmp(group, "ngay") == 0 || strcmp(group, "tuan") == 0 || strcmp(group, "thang") == 0))
        v->group = group[0] == 'n' ? 'd' : group[0] == 't' && group[1] == 'u' ? 'w' : 'm';
    v->f.unit = v->unit[0] ? v->unit : NULL;
    return 0;
}

void web_view_query(buf *b, const web_view *v)
{
    if (v->period[0]) {
        buf_str(b, "period=");
        web_url(b, v->period);
    } else {
        buf_printf(b, "from=%s&amp;to=%s", v->from, v->to);
    }
    if (v->unit[0]) {
        buf_str(b, "&amp;unit=");
        web_url(b, v->unit);
    }
}

static void option(buf *b, const web_view *v, const char *value, const char *label)
{
    buf_str(b, "<option value=\"");
    web_esc(b, value);
    buf_str(b, strcmp(v->period, value) == 0 ? "\" selected>" : "\">");
    web_esc(b, label);
    buf_str(b, "</option>");
}

/* The 15th-to-14th period of Nghị định 09/2019 ending in month m of year y, as its label. */
static void nd09_label(int y, int m, char *out, size_t cap)
{
    int pm = m == 1 ? 12 : m - 1;
    util_fmt(out, cap, "Kỳ báo cáo tháng %d/%d (15/%d – 14/%d)", m % 100, y % 10000, pm % 100,
             m % 100);
}

/* The form's start: GET to action, keeping the commune. */
static void form_begin(buf *b, const web_view *v, const char *action, const char *cls)
{
    buf_printf(b, "<form class=\"%s\" method=\"get\" action=\"%s\">", cls, action);
    if (v->unit[0]) {
        buf_str(b, "<input type=\"hidden\" name=\"unit\" value=\"");
        web_esc(b, v->unit);
        buf_str(b, "\">");
    }
}

static void group_select(buf *b, const web_view *v)
{
    static const char *const gv[] = {"ngay", "tuan", "thang"};
    static const char *const gl[] = {"ngày", "tuần", "tháng"};
    buf_str(b, "<label>Nhóm theo <select name=\"nhom\">");
    for (int i = 0; i < 3; i++)
        buf_printf(b, "<option value=\"%s\"%s>%s</option>", gv[i],
                   v->group == "dwm"[i] ? " selected" : "", gl[i]);
    buf_str(b, "</select></label>");
}

/* Two forms, so that neither needs a script: a named period, or a range of days. */
void web_period_form(buf *b, const web_view *v, const char *action, int64_t now_ms)
{
    clk_local l = clk_to_local(now_ms);
    int y = l.year, m = l.month, q = (m - 1) / 3 + 1;
    buf_str(b, "<div class=\"views\">");
    form_begin(b, v, action, "period");
    buf_str(b, "<label>Kỳ <select name=\"period\">");
    if (!v->period[0])
        buf_str(b, "<option value=\"\" selected>(khoảng ngày bên cạnh)</option>");
    char value[24], label[96];
    for (int i = 0; i < 12; i++) {
        int mm = m - i, yy = y;
        while (mm <= 0)
            mm += 12, yy--;
        util_fmt(value, sizeof value, "%04d-%02d", yy % 10000, mm % 100);
        util_fmt(label, sizeof label, i == 0 ? "Tháng này (%d/%d)" : "Tháng %d/%d", mm % 100,
                 yy % 10000);
        option(b, v, value, label);
    }
    for (int i = 0; i < 4; i++) {
        int qq = q - i, yy = y;
        while (qq <= 0)
            qq += 4, yy--;
        util_fmt(value, sizeof value, "%04d-Q%d", yy % 10000, qq % 10);
        util_fmt(label, sizeof label, "Quý %d/%d", qq % 10, yy % 10000);
        option(b, v, value, label);
    }
    for (int i = 0; i < 2; i++) {
        util_fmt(value, sizeof value, "%04d", (y - i) % 10000);
        util_fmt(label, sizeof label, "Năm %d", (y - i) % 10000);
        option(b, v, value, label);
    }
    /* The report period running now ends on the 14th of this month or, from the 15th, of the
     * next; its year ends on 14 December. */
    int em = l.day >= 15 ? m + 1 : m, ey = y;
    if (em > 12)
        em = 1, ey++;
    for (int i = 0; i < 3; i++) {
        int mm = em - i, yy = ey;
        while (mm <= 0)
            mm += 12, yy--;
        util_fmt(value, sizeof value, "nd09-%04d-%02d", yy % 10000, mm % 100);
        nd09_label(yy, mm, label, sizeof label);
        option(b, v, value, label);
    }
    int eq = (em - 1) / 3 + 1;
    util_fmt(value, sizeof value, "nd09-%04d-Q%d", ey % 10000, eq % 10);
    util_fmt(label, sizeof label, "Kỳ báo cáo quý %d/%d (NĐ 09/2019)", eq % 10, ey % 10000);
    option(b, v, value, label);
    util_fmt(value, sizeof value, "nd09-%04d", ey % 10000);
    util_fmt(label, sizeof label, "Kỳ báo cáo năm %d (15/12/%d – 14/12/%d)", ey % 10000,
             (ey - 1) % 10000, ey % 10000);
    option(b, v, value, label);
    buf_str(b, "</select></label>");
    group_select(b, v);
    buf_str(b, "<button type=\"submit\">Xem</button></form>");
    form_begin(b, v, action, "range");
    buf_printf(b,
               "<label>Từ ngày <input type=\"date\" name=\"from\" required value=\"%s\">"
               "</label><label>đến ngày <input type=\"date\" name=\"to\" required "
               "value=\"%s\"></label>",
               v->from, v->to);
    group_select(b, v);
    buf_str(b, "<button type=\"submit\">Xem khoảng ngày</button></form></div>\n");
    buf_printf(b, "<p class=\"range\">Từ %.2s/%.2s/%.4s đến %.2s/%.2s/%.4s (giờ Việt Nam)</p>\n",
               v->from + 8, v->from + 5, v->from, v->to + 8, v->to + 5, v->to);
}
