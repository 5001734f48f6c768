/* cmd_feedback: `hailong-collector feedback list|show|set|purge` (the inbox of the citizens'
 * góp ý, phản ánh and biểu dương from the kiosks, where the dashboard is not at hand) and
 * `unit set|show` (each commune's letterhead for the Chairman's letters). */
#include "cmds.h"
#include "clock.h"
#include "log.h"
#include "report.h"
#include "retention.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static const char usage_feedback[] =
    "Usage: " CMD_PROG " feedback list [--unit UNIT] [--state STATE] [--kind KIND] [--limit N]\n"
    "       " CMD_PROG " feedback show ID\n"
    "       " CMD_PROG " feedback contact ID\n"
    "       " CMD_PROG " feedback set ID --by NAME [--state STATE] [--handler NAME]\n"
    "                                 [--due YYYY-MM-DD] [--note TEXT]\n"
    "       " CMD_PROG " feedback purge [--retention-days N]\n"
    "\n"
    "The feedback citizens typed on the kiosks (KIND gop-y, phan-anh, bieu-duong).\n"
    "ID is an item's id or its first 8 or more characters (as `list` shows them).\n"
    "STATE moves forward: moi -> dang-xu-ly -> da-tra-loi -> dong (a closed item may go back\n"
    "to dang-xu-ly); every change is logged with --by and --note.\n"
    "show prints whether there is contact data; contact prints it, as the citizen agreed to\n"
    "leave it (personal data: only for the commune's leaders, docs/PRIVACY.md; logged).\n"
    "purge erases the contact data of items received more than N days ago (default 365, as\n"
    "`serve --contact-retention-days`, which does it every hour by itself).\n" DB_HELP_TEXT;

static const char usage_unit[] =
    "Usage: " CMD_PROG " unit set UNIT --body TEXT --place TEXT --chairman NAME [--symbol TEXT]\n"
    "       " CMD_PROG " unit show UNIT\n"
    "\n"
    "A commune's letterhead for the Chairman's letters (`letter`): UNIT as at `kiosk add\n"
    "--unit`; --body the line under \"ỦY BAN NHÂN DÂN\" (\"XÃ BOM BO\"); --place the date line's\n"
    "place (\"Bom Bo\"); --chairman the Chairman's name; --symbol the last part of the letters'\n"
    "ký hiệu (default UBND: \"12/TXL-UBND\").\n" DB_HELP_TEXT;

/* Vietnamese names of kinds and states, as the dashboard and letters say them. */
const char *cmd_fb_kind_vi(const char *kind)
{
    return strcmp(kind, "gop-y") == 0      ? "Góp ý"
           : strcmp(kind, "phan-anh") == 0 ? "Phản ánh – kiến nghị"
                                           : "Đề nghị biểu dương";
}

static const char *state_vi(const char *state)
{
    static const char *const vi[] = {"Mới", "Đang xử lý", "Đã trả lời", "Đóng"};
    int r = db_fb_state_rank(state);
    return r >= 0 ? vi[r] : state;
}

static int print_row(const db_feedback_row *r, void *ctx)
{
    (void)ctx;
    char t[20], due[20], text[200];
    report_local_time(r->received_at, t);
    report_local_time(r->due_at, due);
    due[10] = '\0';
    util_utf8_excerpt(r->text, 50, text, sizeof text);
    printf("%.8s  %s  %-10s %-10s %s  %-12s %s\n", r->uuid, t, r->kind, r->state, due,
           r->officer_code[0] ? r->officer_code : "-", text);
    return 0;
}

typedef struct {
    int contact;
    char uuid[37];
} show_ctx;

static int print_item(const db_feedback_row *r, void *ctx)
{
    show_ctx *s = ctx;
    char t[20];
    util_strlcpy(s->uuid, r->uuid, sizeof s->uuid);
    printf("Mã:            %s\n", r->uuid);
    printf("Đơn vị:        %s\n", r->unit);
    printf("Ki-ốt:         %s (số %lld)\n", r->kiosk_id, (long long)r->seq);
    printf("Loại:          %s\n", cmd_fb_kind_vi(r->kind));
    if (r->officer_code[0])
        printf("Cán bộ:        %s%s%s\n", r->officer_name[0] ? r->officer_name : r->officer_code,
               r->officer_name[0] ? " - " : "", r->officer_name[0] ? r->officer_code : "");
    report_local_time(r->placed_at, t);
    printf("Thời gian:     %s%s\n", t, r->clock_suspect ? " (đồng hồ ki-ốt không chắc)" : "");
    report_local_time(r->received_at, t);
    printf("Nhận lúc:      %s\n", t);
    if (r->vote_uuid[0])
        printf("Sau lượt đánh giá: %s\n", r->vote_uuid);
    printf("Trạng thái:    %s\n", state_vi(r->state));
    printf("Người xử lý:   %s\n", r->handler[0] ? r->handler : "-");
    report_local_time(r->due_at, t);
    printf("Hạn xử lý:     %.10s\n", t);
    if (r->contact_erased_at) {
        report_local_time(r->contact_erased_at, t);
        printf("Liên hệ:       đã xoá theo thời hạn lưu trữ (%.10s)\n", t);
    } else if (!r->consent) {
        printf("Liên hệ:       không (gửi ẩn danh)\n");
    } else if (!s->contact) {
        printf("Liên hệ:       có (xem bằng `feedback contact`; chỉ lãnh đạo xã)\n");
    } else {
        printf("Họ và tên:     %s\n", r->contact_name);
        printf("Điện thoại:    %s\n", r->contact_phone);
        printf("Địa chỉ:       %s\n", r->contact_address);
    }
    printf("Nội dung:\n%s\n", r->text);
    return 1;
}

static int print_log(int64_t at, const char *user, const char *action, const char *note, void *ctx)
{
    (void)ctx;
    char t[20];
    report_local_time(at, t);
    printf("  %s  %-16s %s%s%s\n", t, user, action, note[0] ? "  " : "", note);
    return 0;
}

/* YYYY-MM-DD as the end of that Vietnam-local day (UTC ms), the moment a due date means. */
static int parse_due(const char *s, int64_t *out)
{
    int64_t from, to;
    char err[160];
    if (report_range(s, s, &from, &to, err, sizeof err) != 0)
        return -1;
    *out = to - 1;
    return 0;
}

static long parse_retention(const char *cmd, const char *v)
{
    long days = RETENTION_DEFAULT_DAYS;
    if (v && util_parse_int(v, 1, RETENTION_MAX_DAYS, &days)) {
        log_plain(LOG_ERROR, "%s %s: --retention-days: a number of days from 1 to 3650\n", CMD_PROG,
                  cmd);
        return -1;
    }
    return days;
}

int cmd_feedback(int argc, char **argv)
{
    const char *url = NULL, *config = NULL, *unit = NULL, *state = NULL, *kind = NULL,
               *limit = NULL, *by = NULL, *handler = NULL, *due = NULL, *note = NULL,
               *retention_days = NULL;
    cmd_opt opts[] = {{"--db", &url},
                      {"--config", &config},
                      {"--unit", &unit},
                      {"--state", &state},
                      {"--kind", &kind},
                      {"--limit", &limit},
                      {"--by", &by},
                      {"--handler", &handler},
                      {"--due", &due},
                      {"--note", &note},
                      {"--retention-days", &retention_days},
                      {NULL, NULL}};
    const char *pos[2];
    int n_pos, rc = cmd_parse_args("feedback", argc, argv, opts, pos, 2, &n_pos, usage_feedback);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *action = n_pos ? pos[0] : "";
    int list = strcmp(action, "list") == 0, show = strcmp(action, "show") == 0,
        set = strcmp(action, "set") == 0, purge = strcmp(action, "purge") == 0,
        contact = strcmp(action, "contact") == 0;
    if (contact)
        show = 1;
    if (!list && !show && !set && !purge) {
        log_plain(LOG_ERROR,
                  "%s feedback: say what to do: list, show, contact, set or purge; see %s feedback "
                  "--help\n",
                  CMD_PROG, CMD_PROG);
        return HL_EXIT_USAGE;
    }
    long lim = 0, days = parse_retention("feedback purge", retention_days);
    int64_t due_ms = -1;
    const char *why =
        (show || set) && n_pos != 2            ? "name the item (its id, or its first 8 characters)"
        : (list || purge) && n_pos != 1        ? "takes no item id"
        : state && db_fb_state_rank(state) < 0 ? "--state: moi, dang-xu-ly, da-tra-loi or dong"
        : kind && !wire_feedback_kind_valid(kind)         ? "--kind: gop-y, phan-anh or bieu-duong"
        : limit && util_parse_int(limit, 1, 100000, &lim) ? "--limit: a number from 1 to 100000"
        : due && parse_due(due, &due_ms)                  ? "--due: a date as YYYY-MM-DD"
        : set && (!by || !*by) ? "--by: say who makes the change (it goes in the item's log)"
        : set && !state && !handler && !due && !note ? "say what changes: --state, --handler, "
                                                       "--due or --note"
        : unit && !cmd_valid_unit(unit)              ? "--unit: UTF-8 text in NFC, up to 200 bytes"
        : note && !cmd_valid_unit(note) && *note     ? "--note: UTF-8 text in NFC, up to 200 bytes"
        : days < 0 ? "--retention-days: a number of days from 1 to 3650"
                   : NULL;
    if (why) {
        log_plain(LOG_ERROR, "%s feedback %s: %s\n", CMD_PROG, action, why);
        return HL_EXIT_USAGE;
    }
    if ((rc = cmd_resolve_db("feedback", url, config, &url)) != 0)
        return rc;
    db *d = NULL;
    if ((rc = cmd_open_db("feedback", url, &d)) != 0)
        return rc;
    char err[HL_ERR_MAX] = "";
    hl_clock clk = clk_real();
    int64_t now = clk_wall_ms(&clk);
    if (list) {
        db_fb_filter f = {unit, state, kind, lim};
        printf("%-8s  %-19s  %-10s %-10s %-10s  %-12s %s\n", "ID", "RECEIVED", "KIND", "STATE",
               "DUE", "OFFICER", "TEXT");
        rc = db_feedback_list(d, &f, print_row, NULL, err, sizeof err);
    } else if (show) {
        show_ctx s = {contact, ""};
        rc = db_feedback_get(d, pos[1], print_item, &s, err, sizeof err);
        if (rc == 0) {
            printf("Nhật ký:\n");
            rc = db_feedback_log(d, s.uuid, print_log, NULL, err, sizeof err);
        }
        if (rc == 0 && contact)
            log_info("feedback: the contact data of %s was shown on the command line", s.uuid);
    } else if (set) {
        rc = db_feedback_update(d, pos[1], state, handler, due_ms, by, note ? note : "", now, err,
                                sizeof err);
        if (rc == 0)
            fprintf(stderr, "feedback %s updated\n", pos[1]);
    } else {
        int64_t n = 0;
        rc = retention_purge(d, days, now, &n, err, sizeof err);
        if (rc == 0)
            fprintf(stderr, "erased the contact data of %lld items\n", (long long)n);
    }
    if (rc)
        log_plain(LOG_ERROR, "%s feedback %s: %s\n", CMD_PROG, action, err);
    db_close(d);
    return rc == 2 ? HL_EXIT_USAGE : rc;
}

int cmd_unit(int argc, char **argv)
{
    const char *url = NULL, *config = NULL, *body = NULL, *place = NULL, *chairman = NULL,
               *symbol = NULL;
    cmd_opt opts[] = {{"--db", &url},      {"--config", &config},     {"--body", &body},
                      {"--place", &place}, {"--chairman", &chairman}, {"--symbol", &symbol},
                      {NULL, NULL}};
    const char *pos[2];
    int n_pos, rc = cmd_parse_args("unit", argc, argv, opts, pos, 2, &n_pos, usage_unit);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *action = n_pos ? pos[0] : "";
    int set = strcmp(action, "set") == 0, show = strcmp(action, "show") == 0;
    const char *why = !set && !show             ? "say what to do: set or show"
                      : n_pos != 2              ? "name the unit (as at `kiosk add --unit`)"
                      : !cmd_valid_unit(pos[1]) ? "UNIT: UTF-8 text in NFC, up to 200 bytes"
                      : set && (!body || !cmd_valid_unit(body))   ? "--body: the commune's name "
                                                                    "as the letterhead writes it"
                      : set && (!place || !cmd_valid_unit(place)) ? "--place: the date line's "
                                                                    "place name"
                      : set && (!chairman || !cmd_valid_unit(chairman)) ? "--chairman: the "
                                                                          "Chairman's name"
                      : symbol && (!*symbol || strlen(symbol) > 20 || strpbrk(symbol, " /\n"))
                          ? "--symbol: up to 20 characters without spaces or '/'"
                          : NULL;
    if (why) {
        log_plain(LOG_ERROR, "%s unit %s: %s\n", CMD_PROG, action, why);
        return HL_EXIT_USAGE;
    }
    if ((rc = cmd_resolve_db("unit", url, config, &url)) != 0)
        return rc;
    db *d = NULL;
    if ((rc = cmd_open_db("unit", url, &d)) != 0)
        return rc;
    char err[HL_ERR_MAX] = "";
    hl_clock clk = clk_real();
    db_unit_profile p = {0};
    if (set) {
        util_strlcpy(p.unit, pos[1], sizeof p.unit);
        util_strlcpy(p.body, body, sizeof p.body);
        util_strlcpy(p.place, place, sizeof p.place);
        util_strlcpy(p.chairman, chairman, sizeof p.chairman);
        util_strlcpy(p.symbol, symbol ? symbol : "UBND", sizeof p.symbol);
        rc = db_unit_profile_put(d, &p, clk_wall_ms(&clk), err, sizeof err);
        if (rc == 0)
            fprintf(stderr, "letterhead of %s saved\n", pos[1]);
    } else if ((rc = db_unit_profile_get(d, pos[1], &p, err, sizeof err)) == 0) {
        if (!p.found) {
            util_fmt(err, sizeof err, "%s has no letterhead yet; see %s unit --help", pos[1],
                     CMD_PROG);
            rc = 2;
        } else {
            printf("unit:     %s\nbody:     ỦY BAN NHÂN DÂN / %s\nplace:    %s\nchairman: %s\n"
                   "symbol:   %s\n",
                   p.unit, p.body, p.place, p.chairman, p.symbol);
        }
    }
    if (rc)
        log_plain(LOG_ERROR, "%s unit %s: %s\n", CMD_PROG, action, err);
    db_close(d);
    return rc == 2 ? HL_EXIT_USAGE : rc;
}
