/* cli_export: `hailong-kiosk export` and `hailong-kiosk report`: parse and check the arguments,
 * load the configuration and content, call export.c, print what was written. */
#include "cli_export.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "content.h"
#include "export.h"
#include "log.h"
#include "util.h"

typedef struct {
    const char *config, *data_dir, *out, *format, *from, *to, *month;
    int include_misuse;
} cli_args;

static void export_usage(FILE *out)
{
    fprintf(out,
            "Usage: hailong-kiosk export --from YYYY-MM-DD --to YYYY-MM-DD --out FILE\n"
            "                            [--format csv|xlsx] [--include-misuse]\n"
            "                            [--config FILE] [--data-dir DIR]\n"
            "Writes the votes recorded from the first to the last day (Vietnam time, both days\n"
            "included) to FILE, one row per vote:\n"
            "  csv   UTF-8 with BOM (Excel shows the Vietnamese text correctly), RFC 4180\n"
            "  xlsx  a votes sheet, a per-officer summary sheet and a chart\n"
            "The file appears only when it is complete; on any error nothing is left at FILE.\n"
            "It only reads <data_dir>/votes.db and can run while the kiosk runs.\n"
            "See docs/EXPORT.md for the columns.\n"
            "\n"
            "Options:\n"
            "  --from YYYY-MM-DD   first day, e.g. 2026-11-01\n"
            "  --to YYYY-MM-DD     last day, e.g. 2026-11-30\n"
            "  --out FILE          the file to write (replaced if it exists)\n"
            "  --format csv|xlsx   default: from FILE's extension (.csv or .xlsx)\n"
            "  --include-misuse    also list presses flagged as misuse (repeated presses within\n"
            "                      the response interval); they are marked and never counted\n"
            "  --config FILE       the kiosk's configuration (data_dir, content_dir)\n"
            "  --data-dir DIR      read DIR/votes.db instead\n"
            "  --help              show this help\n"
            "\n"
            "Exit status: 0 written, 1 could not read the votes or write FILE,\n"
            "2 bad usage (dates, a missing or unwritable folder), configuration or content.\n");
}

static void report_usage(FILE *out)
{
    fprintf(out,
            "Usage: hailong-kiosk report --month YYYY-MM [--format text|csv|xlsx] [--out FILE]\n"
            "                            [--config FILE] [--data-dir DIR]\n"
            "The month's report per officer, in the layout one-stop offices use: votes, and the\n"
            "number and share of \"Rất hài lòng\", \"Hài lòng\", \"Chưa hài lòng\", the tỷ lệ\n"
            "hài lòng ((rất hài lòng + hài lòng) / votes counted), a total row, and how many\n"
            "presses were flagged as misuse and left out. An internal figure of the kiosk,\n"
            "not an official index.\n"
            "\n"
            "Options:\n"
            "  --month YYYY-MM          the month, e.g. 2026-11\n"
            "  --format text|csv|xlsx   default: from FILE's extension, else text\n"
            "  --out FILE               write FILE (only when complete); without it text and\n"
            "                           csv go to standard output\n"
            "  --config FILE            the kiosk's configuration (data_dir, content_dir)\n"
            "  --data-dir DIR           read DIR/votes.db instead\n"
            "  --help                   show this help\n"
            "\n"
            "Exit status: 0 written, 1 could not read the votes or write FILE,\n"
            "2 bad usage (month, a missing or unwritable folder), configuration or content.\n");
}

static int bad(const char *cmd, const char *msg)
{
    fprintf(stderr, "hailong-kiosk: %s: %s\nTry 'hailong-kiosk %s --help'.\n", cmd, msg, cmd);
    return HL_EXIT_USAGE;
}

/* Parses the options of cmd; which of them are allowed is given by the flags. Returns -1 when
 * parsing went through, else the exit code (0 after --help). */
static int parse_args(const char *cmd, int argc, char **argv, int is_report, cli_args *a)
{
    memset(a, 0, sizeof *a);
    char msg[HL_ERR_MAX];
    struct {
        const char *name;
        const char **dst;
        int report; /* 0 export only, 1 report only, 2 both */
    } opts[] = {
        {"--config", &a->config, 2}, {"--data-dir", &a->data_dir, 2}, {"--out", &a->out, 2},
        {"--format", &a->format, 2}, {"--from", &a->from, 0},         {"--to", &a->to, 0},
        {"--month", &a->month, 1},
    };
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            if (is_report)
                report_usage(stdout);
            else
                export_usage(stdout);
            return HL_EXIT_OK;
        }
        if (!is_report && strcmp(arg, "--include-misuse") == 0) {
            a->include_misuse = 1;
            continue;
        }
        size_t k;
        const char *value = NULL;
        for (k = 0; k < HL_ARRAY_LEN(opts); k++) {
            size_t n = strlen(opts[k].name);
            if (strncmp(arg, opts[k].name, n) != 0 || (arg[n] != '\0' && arg[n] != '='))
                continue;
            if (opts[k].report != 2 && opts[k].report != is_report)
                k = HL_ARRAY_LEN(opts);
            else if (arg[n] == '=')
                value = arg + n + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else
                return (snprintf(msg, sizeof msg, "%s needs a value", opts[k].name), bad(cmd, msg));
            break;
        }
        if (k == HL_ARRAY_LEN(opts))
            return (snprintf(msg, sizeof msg, "unknown argument \"%s\"", arg), bad(cmd, msg));
        *opts[k].dst = value;
    }
    return -1;
}

/* Loads the configuration (if any) and the content it names; --data-dir overrides data_dir. */
static int load(const char *cmd, const cli_args *a, cfg *c, content **ct)
{
    char err[HL_ERR_MAX];
    cfg_defaults(c);
    if (a->config && cfg_load(c, a->config, err, sizeof err) != 0) {
        fprintf(stderr, "hailong-kiosk: %s: %s\n", cmd, err);
        return HL_EXIT_USAGE;
    }
    if (a->data_dir && util_strlcpy(c->data_dir, a->data_dir, sizeof c->data_dir) != 0)
        return bad(cmd, "--data-dir: path too long");
    log_set_level(LOG_ERROR); /* a missing photo does not matter here */
    int rc = content_load(ct, c->content_dir, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "hailong-kiosk: %s: %s\n", cmd, err);
        return rc;
    }
    return 0;
}

/* A percentage on the terminal while a long export runs; silent when stderr is not one. */
static int show_progress(void *ctx, int64_t done, int64_t total)
{
    int *last = ctx;
    int pct = total > 0 ? (int)(done * 100 / total) : 100;
    if (pct != *last) {
        *last = pct;
        fprintf(stderr, "\r%3d %% (%lld / %lld)", pct, (long long)done, (long long)total);
    }
    return 0;
}

static int pick_format(const char *cmd, const cli_args *a, int is_report, export_format *f)
{
    char msg[HL_ERR_MAX];
    if (a->format) {
        if (export_parse_format(a->format, f) != 0 || (!is_report && *f == EXPORT_FMT_TEXT))
            return (snprintf(msg, sizeof msg, "--format %s: use %s", a->format,
                             is_report ? "text, csv or xlsx" : "csv or xlsx"),
                    bad(cmd, msg));
        return -1;
    }
    if (a->out && export_format_from_name(a->out, f) == 0 && (is_report || *f != EXPORT_FMT_TEXT))
        return -1;
    if (is_report) {
        *f = EXPORT_FMT_TEXT;
        return -1;
    }
    return (snprintf(msg, sizeof msg,
                     "which format? Add --format csv or --format xlsx (or end --out in .csv or "
                     ".xlsx)"),
            bad(cmd, msg));
}

int cli_export(int argc, char **argv)
{
    const char *cmd = "export";
    cli_args a;
    int rc = parse_args(cmd, argc, argv, 0, &a);
    if (rc >= 0)
        return rc;
    char msg[HL_ERR_MAX], err[HL_ERR_MAX];
    export_date from, to;
    if (!a.from || !a.to)
        return bad(cmd, "give the days with --from YYYY-MM-DD --to YYYY-MM-DD, e.g. --from "
                        "2026-11-01 --to 2026-11-30");
    if (export_parse_date(a.from, &from) != 0)
        return (snprintf(msg, sizeof msg,
                         "--from %s: not a real date; use YYYY-MM-DD, e.g. 2026-11-01", a.from),
                bad(cmd, msg));
    if (export_parse_date(a.to, &to) != 0)
        return (snprintf(msg, sizeof msg,
                         "--to %s: not a real date; use YYYY-MM-DD, e.g. 2026-11-30", a.to),
                bad(cmd, msg));
    if (export_date_cmp(from, to) > 0)
        return (snprintf(msg, sizeof msg, "--from %s is after --to %s; swap them", a.from, a.to),
                bad(cmd, msg));
    if (!a.out)
        return bad(cmd, "where to? Add --out FILE, e.g. --out /media/usb/phieu-2026-11.xlsx");
    export_format f;
    if ((rc = pick_format(cmd, &a, 0, &f)) >= 0)
        return rc;
    cfg c;
    content *ct = NULL;
    if ((rc = load(cmd, &a, &c, &ct)) != 0)
        return rc;
    int last = -1, tty = isatty(STDERR_FILENO);
    export_votes_opts o = {.db = c.data_dir,
                           .content = ct,
                           .from = from,
                           .to = to,
                           .format = f,
                           .out = a.out,
                           .include_misuse = a.include_misuse,
                           .progress = tty ? show_progress : NULL,
                           .progress_ctx = &last};
    export_result res;
    rc = export_votes(&o, &res, err, sizeof err);
    if (tty && last >= 0)
        fprintf(stderr, "\n");
    content_free(ct);
    if (rc != 0) {
        /* Dates were checked above: a usage error here is about the output path. */
        if (rc == HL_EXIT_USAGE)
            fprintf(stderr, "hailong-kiosk: export: --out %s: %s\n", a.out, err);
        else
            fprintf(stderr, "hailong-kiosk: export: %s\n", err);
        return rc;
    }
    printf(
        "Wrote %lld votes from %s to %s to %s (%lld counted, %lld presses flagged as misuse%s)\n",
        (long long)res.rows, a.from, a.to, a.out, (long long)res.counted, (long long)res.misuse,
        a.include_misuse ? ", listed" : ", left out");
    return HL_EXIT_OK;
}

int cli_report(int argc, char **argv)
{
    const char *cmd = "report";
    cli_args a;
    int rc = parse_args(cmd, argc, argv, 1, &a);
    if (rc >= 0)
        return rc;
    char msg[HL_ERR_MAX], err[HL_ERR_MAX];
    int year, month;
    if (!a.month)
        return bad(cmd, "which month? Add --month YYYY-MM, e.g. --month 2026-11");
    if (export_parse_month(a.month, &year, &month) != 0)
        return (snprintf(msg, sizeof msg, "--month %s: not a month; use YYYY-MM, e.g. 2026-11",
                         a.month),
                bad(cmd, msg));
    export_format f;
    if ((rc = pick_format(cmd, &a, 1, &f)) >= 0)
        return rc;
    if (f == EXPORT_FMT_XLSX && !a.out)
        return bad(cmd, "an XLSX report needs --out FILE, e.g. --out bao-cao-2026-11.xlsx");
    cfg c;
    content *ct = NULL;
    if ((rc = load(cmd, &a, &c, &ct)) != 0)
        return rc;
    hl_clock clock = clk_real();
    export_report_opts o = {.db = c.data_dir,
                            .content = ct,
                            .year = year,
                            .month = month,
                            .format = f,
                            .out = a.out,
                            .stream = stdout,
                            .made_at_ms = clk_wall_ms(&clock)};
    export_result res;
    rc = export_report(&o, &res, err, sizeof err);
    content_free(ct);
    if (rc != 0) {
        if (rc == HL_EXIT_USAGE && a.out)
            fprintf(stderr, "hailong-kiosk: report: --out %s: %s\n", a.out, err);
        else
            fprintf(stderr, "hailong-kiosk: report: %s\n", err);
        return rc;
    }
    if (a.out)
        printf("Wrote the report for %02d/%04d to %s (%lld votes counted, %lld presses flagged "
               "as misuse left out)\n",
               month, year, a.out, (long long)res.counted, (long long)res.misuse);
    return HL_EXIT_OK;
}
