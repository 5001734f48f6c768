/* cmd_alerts: `hailong-collector alert add|list|remove|log`: the operator's alert rules and the
 * alerts they raised with their deliveries. The alerts themselves are raised and sent by the
 * running server (alerts/). */
#include "alerts.h"
#include "cmds.h"
#include "clock.h"
#include "log.h"
#include "report.h"
#include "util.h"
#include "wire.h"

#include <stdio.h>
#include <string.h>

static const char usage_alert[] =
    "Usage: " CMD_PROG " alert add NAME --kind KIND [--unit UNIT] [--count N] [--window MIN]\n"
    "                         [--email ADDRESS[,ADDRESS...]] [--webhook URL] [--db URL]\n"
    "       " CMD_PROG " alert list [--db URL]\n"
    "       " CMD_PROG " alert remove NAME [--db URL]\n"
    "       " CMD_PROG " alert log [--unit UNIT] [--db URL]\n"
    "\n"
    "Rules the running collector (serve) checks every --alert-interval seconds:\n"
    "  --kind chua-hai-long        each \"chưa hài lòng\" vote\n"
    "  --kind nhieu-chua-hai-long  --count N \"chưa hài lòng\" for one officer within --window\n"
    "                              minutes (one alert per officer and window)\n"
    "  --kind phan-anh             each phản ánh – kiến nghị a citizen sends from a kiosk (the\n"
    "                              start of its text, never the citizen's contact)\n"
    "  --kind may-im-lang          a kiosk without contact for --window minutes, Monday to\n"
    "                              Friday 07:00-17:00 (one alert per silence)\n"
    "--unit limits a rule to one commune (as at `kiosk add --unit`). Each alert goes by e-mail\n"
    "(serve --smtp-url, --smtp-from) and/or to a webhook (a JSON POST); failed deliveries are\n"
    "retried, up to 10 times. `alert add` on an existing NAME replaces it.\n"
    "list    the rules. remove  deletes a rule (its alerts stay in the log).\n"
    "log     the latest 50 alerts: when, rule, unit, channel, delivered or not and "
    "why.\n" DB_HELP_TEXT;

static int print_rule(const db_rule *r, void *ctx)
{
    (void)ctx;
    char cond[64];
    if (strcmp(r->kind, ALERT_MANY) == 0)
        util_fmt(cond, sizeof cond, "%lld in %lld min", (long long)r->threshold,
                 (long long)r->window_min);
    else if (strcmp(r->kind, ALERT_SILENT) == 0)
        util_fmt(cond, sizeof cond, "silent %lld min", (long long)r->threshold);
    else
        util_strlcpy(cond, "each", sizeof cond);
    printf("%-20s %-20s %-16s %-24s %s%s%s\n", r->name, r->kind, cond,
           r->unit[0] ? r->unit : "(every unit)", r->email, r->email[0] && r->webhook[0] ? " " : "",
           r->webhook);
    return 0;
}

static int print_alert(const db_alert *a, void *ctx)
{
    (void)ctx;
    char t[20];
    report_local_time(a->created_at, t);
    const char *state = a->sent_at ? "sent" : a->gave_up ? "gave up" : "pending";
    printf("%s  %-16s %-20s %-8s %-8s %2lld  %s%s%s\n", t, a->rule, a->unit, a->channel, state,
           (long long)a->attempts, a->subject, a->last_error[0] ? " | " : "", a->last_error);
    return 0;
}

int cmd_alert(int argc, char **argv)
{
    const char *url = NULL, *config = NULL, *kind = NULL, *unit = NULL, *count = NULL,
               *window = NULL, *email = NULL, *webhook = NULL;
    cmd_opt opts[] = {{"--db", &url},      {"--config", &config},   {"--kind", &kind},
                      {"--unit", &unit},   {"--count", &count},     {"--window", &window},
                      {"--email", &email}, {"--webhook", &webhook}, {NULL, NULL}};
    const char *pos[2];
    int n_pos, rc = cmd_parse_args("alert", argc, argv, opts, pos, 2, &n_pos, usage_alert);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *action = n_pos ? pos[0] : "";
    int add = strcmp(action, "add") == 0, list = strcmp(action, "list") == 0,
        rm = strcmp(action, "remove") == 0, lg = strcmp(action, "log") == 0;
    if (!add && !list && !rm && !lg) {
        log_plain(LOG_ERROR,
                  "%s alert: say what to do: add, list, remove or log; see %s alert "
                  "--help\n",
                  CMD_PROG, CMD_PROG);
        return HL_EXIT_USAGE;
    }
    if ((add || rm) ? n_pos != 2 : n_pos != 1) {
        log_plain(LOG_ERROR, "%s alert %s: %s\n", CMD_PROG, action,
                  (add || rm) ? "name the rule" : "takes no name");
        return HL_EXIT_USAGE;
    }
    db_rule r = {0};
    long n = 1, win = 0;
    if (add) {
        const char *why =
            !wire_valid_kiosk_id(pos[1]) ? "NAME: 1 to 63 letters, digits, '-' or '_'"
            : !kind || (strcmp(kind, ALERT_UNHAPPY) && strcmp(kind, ALERT_MANY) &&
                        strcmp(kind, ALERT_SILENT) && strcmp(kind, ALERT_FEEDBACK))
                ? "--kind: chua-hai-long, nhieu-chua-hai-long, may-im-lang or phan-anh"
            : (count && util_parse_int(count, 1, 10000, &n)) ? "--count: a number from 1 to 10000"
            : (window && util_parse_int(window, 1, 60 * 24 * 31, &win))
                ? "--window: minutes, from 1 to 44640"
            : (!strcmp(kind, ALERT_MANY) || !strcmp(kind, ALERT_SILENT)) && !window
                ? "--window: say how many minutes"
            : !email && !webhook ? "say where the alerts go: --email and/or --webhook"
            : email && (strchr(email, '@') == NULL || strpbrk(email, "\r\n<>\"\\"))
                ? "--email: addresses like a@b.vn, separated by commas"
            : webhook && strncmp(webhook, "http://", 7) && strncmp(webhook, "https://", 8)
                ? "--webhook: an http:// or https:// URL"
            : unit && !cmd_valid_unit(unit) ? "--unit: UTF-8 text in NFC, up to 200 bytes"
                                            : NULL;
        if (why) {
            log_plain(LOG_ERROR, "%s alert add %s: %s\n", CMD_PROG, pos[1], why);
            return HL_EXIT_USAGE;
        }
    } else if (kind || count || window || email || webhook || (unit && !lg)) {
        log_plain(LOG_ERROR, "%s alert %s: the rule's options belong to `alert add`\n", CMD_PROG,
                  action);
        return HL_EXIT_USAGE;
    }
    if ((rc = cmd_resolve_db("alert", url, config, &url)) != 0)
        return rc;
    db *d = NULL;
    if ((rc = cmd_open_db("alert", url, &d)) != 0)
        return rc;
    char err[HL_ERR_MAX];
    hl_clock clk = clk_real();
    if (add) {
        r.name = pos[1];
        r.kind = kind;
        r.unit = unit ? unit : "";
        /* may-im-lang: the silence in minutes is its threshold. */
        r.threshold = strcmp(kind, ALERT_SILENT) == 0 ? win : n;
        r.window_min = strcmp(kind, ALERT_SILENT) == 0 ? 0 : win;
        r.email = email ? email : "";
        r.webhook = webhook ? webhook : "";
        r.created_at = clk_wall_ms(&clk);
        rc = db_rule_put(d, &r, err, sizeof err);
        if (rc == 0)
            fprintf(stderr, "alert rule %s saved\n", r.name);
    } else if (rm) {
        rc = db_rule_drop(d, pos[1], err, sizeof err);
        if (rc == 0)
            fprintf(stderr, "alert rule %s removed\n", pos[1]);
    } else if (list) {
        printf("%-20s %-20s %-16s %-24s %s\n", "RULE", "KIND", "WHEN", "UNIT", "TO");
        rc = db_rule_list(d, print_rule, NULL, err, sizeof err);
    } else {
        rc = db_alert_list(d, unit, 50, print_alert, NULL, err, sizeof err);
    }
    if (rc)
        log_plain(LOG_ERROR, "%s alert %s: %s\n", CMD_PROG, action, err);
    db_close(d);
    return rc;
}
