/* web_letter: the Chairman's letter from the dashboard (issue 12): on an item's page the commune's
 * leader (who alone sees the citizen's contact) fills in what the letter needs and gets the PDF;
 * the letter is numbered in the unit's register and noted in the item's log (letter_make). */
#include "letter_make.h"
#include "web_int.h"

#include "log.h"
#include "util.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIELD_MAX 200 /* characters of each text field (the templates' values) */

/* Only the commune's own leader: the letter is addressed with the contact only they may see. */
static int may_write(const web_who *who, const char *unit)
{
    return who->user.role == DB_ROLE_COMMUNE && strcmp(who->user.unit, unit) == 0;
}

void web_letter_form(buf *b, const web_who *who, const char *uuid, const char *unit,
                     const char *kind, int has_contact)
{
    if (!may_write(who, unit))
        return;
    buf_str(b, "<h2>Thư của Chủ tịch UBND xã</h2>");
    if (!has_contact) {
        buf_str(b, "<p class=\"box\">Không gửi thư được: người dân không để lại họ tên (gửi ẩn "
                   "danh, hoặc thông tin đã được xoá theo thời hạn lưu trữ).</p>");
        return;
    }
    int thanks = strcmp(kind, "bieu-duong") == 0;
    buf_str(b, "<form class=\"fb-form box\" method=\"post\" action=\"/hop-thu/");
    web_url(b, uuid);
    buf_str(b, "/thu\"><input type=\"hidden\" name=\"csrf\" value=\"");
    web_esc(b, who->csrf);
    buf_printf(b,
               "\"><label>Loại thư <select name=\"loai\"><option value=\"xin-loi\"%s>Thư xin lỗi"
               "</option><option value=\"cam-on\"%s>Thư cảm ơn</option></select></label>"
               "<label>Xưng hô <select name=\"danh-xung\"><option>Ông/Bà</option><option>Ông"
               "</option><option>Bà</option></select></label>"
               "<label class=\"wide\">Nội dung phản ánh, góp ý (tóm tắt, sau chữ “về”) "
               "<input name=\"tom-tat\" required maxlength=\"%d\"></label>"
               "<label class=\"wide\">Biện pháp đã khắc phục (thư xin lỗi) <input "
               "name=\"bien-phap\" maxlength=\"%d\"></label>"
               "<label class=\"wide\">Cán bộ được biểu dương (thư cảm ơn; để trống: tên trong ý "
               "kiến) <input name=\"can-bo\" maxlength=\"%d\"></label>"
               "<button type=\"submit\">Tạo thư (PDF)</button></form>",
               thanks ? "" : " selected", thanks ? " selected" : "", FIELD_MAX, FIELD_MAX,
               FIELD_MAX);
}

/* A text field of the form: "" when absent; -1 when too long or not UTF-8. */
static int field(const web_req *req, const char *name, char *out, size_t cap)
{
    if (web_form_field(req->form, req->form_len, name, out, cap) != 0) {
        out[0] = '\0';
        return 0;
    }
    return util_utf8_chars(out) > FIELD_MAX || !wire_utf8_valid(out, strlen(out), NULL) ? -1 : 0;
}

typedef struct {
    char uuid[37], unit[256];
    int found;
} owner;

static int owner_cb(const db_feedback_row *r, void *ctx)
{
    owner *o = ctx;
    util_strlcpy(o->uuid, r->uuid, sizeof o->uuid);
    util_strlcpy(o->unit, r->unit, sizeof o->unit);
    o->found = 1;
    return 1;
}

static void refuse(web_resp *resp, int status, const char *msg)
{
    resp->note = "letter refused";
    web_error(resp, status, msg);
}

void web_letter_post(web *w, db *d, const web_req *req, const web_who *who, const char *id,
                     web_resp *resp)
{
    if (!web_csrf_ok(req, who->csrf)) {
        refuse(resp, 403, "Yêu cầu không hợp lệ (thiếu mã chống giả mạo). Hãy tải lại trang.");
        return;
    }
    owner o = {0};
    char err[HL_ERR_MAX];
    if (db_feedback_get(d, id, owner_cb, &o, err, sizeof err) != 0 || !o.found) {
        refuse(resp, 404, "Không có ý kiến này.");
        return;
    }
    if (!may_write(who, o.unit)) {
        refuse(resp, 403, "Chỉ lãnh đạo UBND xã của đơn vị này tạo được thư.");
        return;
    }
    char kind[16], sal[32], summary[4 * FIELD_MAX + 1], measures[4 * FIELD_MAX + 1],
        officer[4 * FIELD_MAX + 1];
    if (field(req, "loai", kind, sizeof kind) || field(req, "danh-xung", sal, sizeof sal) ||
        field(req, "tom-tat", summary, sizeof summary) ||
        field(req, "bien-phap", measures, sizeof measures) ||
        field(req, "can-bo", officer, sizeof officer) ||
        (strcmp(kind, "xin-loi") != 0 && strcmp(kind, "cam-on") != 0) ||
        (strcmp(sal, "Ông") != 0 && strcmp(sal, "Bà") != 0 && strcmp(sal, "Ông/Bà") != 0)) {
        refuse(resp, 400, "Thông tin của thư không hợp lệ hoặc quá dài; hãy quay lại và sửa.");
        return;
    }
    if (!summary[0]) {
        refuse(resp, 400, "Hãy ghi tóm tắt nội dung phản ánh, góp ý để đưa vào thư.");
        return;
    }
    if (strcmp(kind, "xin-loi") == 0 && !measures[0]) {
        refuse(resp, 400, "Thư xin lỗi cần nêu biện pháp xã đã khắc phục; hãy quay lại và ghi.");
        return;
    }
    char path[] = "/tmp/hailong-letter-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        refuse(resp, 500, "Không tạo được tệp tạm để viết thư.");
        return;
    }
    close(fd);
    letter_request r = {.id = o.uuid,
                        .kind = kind,
                        .out = path,
                        .by = who->user.name,
                        .summary = summary,
                        .measures = measures[0] ? measures : NULL,
                        .officer_text = officer[0] ? officer : NULL,
                        .salutation = sal,
                        .now_ms = w->o.now_ms()};
    char number[96];
    int rc = letter_make(d, &r, number, sizeof number, err, sizeof err);
    FILE *f = rc == 0 ? fopen(path, "rb") : NULL;
    unlink(path); /* the open file stays readable until it is sent */
    if (rc != 0 || !f) {
        if (rc == 2)
            log_warn("dashboard: letter for %.8s by %s refused: %s", o.uuid, who->user.name, err);
        else
            log_error("dashboard: letter for %.8s by %s: %s", o.uuid, who->user.name, err);
        refuse(resp, rc == 2 ? 409 : 500,
               strstr(err, "letterhead")
                   ? "Chưa có tiêu đề văn bản của xã (tên xã, địa danh, họ tên Chủ tịch): quản trị "
                     "viên cần chạy lệnh “hailong-collector unit set”."
               : strstr(err, "no name")
                   ? "Người dân không để lại họ tên (gửi ẩn danh, hoặc thông tin đã được xoá theo "
                     "thời hạn lưu trữ): không gửi thư được."
                   : "Không tạo được thư; chi tiết trong nhật ký của máy chủ.");
        return;
    }
    log_info("dashboard: %s made %s", who->user.name, number);
    resp->file = f;
    resp->status = 200;
    resp->ctype = "application/pdf";
    resp->note = "letter";
    util_fmt(resp->disposition, sizeof resp->disposition,
             "attachment; filename=\"thu-%s-%.8s.pdf\"", kind, o.uuid);
}
