/* cli_export: `hailong-kiosk export` and `hailong-kiosk report`: parse and check the arguments,
 * load the configuration and content, call export.c, print what was written. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "content.h"
#include "export.h"
#include "log.h"
#include "util.h"

/* The options of export and report besides the common ones (cli_ctx). */
typedef struct {
    const char *out, *format, *from, *to, *month, *period, *quarter, *year;
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
            "2 bad usage (dates, a missing or unwritable folder), configuration or content,\n"
            "or a votes.db upgraded by a newer hailong-kiosk.\n");
}

static void report_usage(FILE *out)
{
    fprintf(
        out,
        "Usage: hailong-kiosk report (--month YYYY-MM | --period nd09:YYYY-MM |\n"
        "                             --quarter YYYY-QN | --year YYYY)\n"
        "                            [--format text|csv|xlsx] [--out FILE]\n"
        "                            [--config FILE] [--data-dir DIR]\n"
        "The report of one period per officer, laid out as an administrative document (the\n"
        "commune and desk, Quốc hiệu and tiêu ngữ, the title; signatures in text and xlsx):\n"
        "votes, the number and share of \"Rất hài lòng\", \"Hài lòng\", \"Chưa hài lòng\", the\n"
        "\"Tỷ lệ hài lòng (máy đánh giá)\" ((rất hài lòng + hài lòng) / votes counted), a\n"
        "total row, the votes for the desk as a whole (\"Không nhớ tên cán bộ\") on a row of\n"
        "their own, how many presses were flagged as misuse and left out, and the reasons\n"
        "given after \"Chưa hài lòng\" with their counts. An internal figure of the kiosk, not\n"
        "the official indicator of Quyết định 766/QĐ-TTg.\n"
        "\n"
        "The period (exactly one; days in Vietnam time, both ends included):\n"
        "  --month YYYY-MM          a calendar month, e.g. --month 2026-11\n"
        "  --period nd09:YYYY-MM    a reporting period of Nghị định 09/2019/NĐ-CP: the 15th\n"
        "                           of the previous month to the 14th of the month, e.g.\n"
        "                           nd09:2026-11 = 15/10/2026 to 14/11/2026\n"
        "  --period nd09:YYYY-QN    its quarter: the 15th of the month before the quarter to\n"
        "                           the 14th of its last month, e.g. nd09:2026-Q4 =\n"
        "                           15/09/2026 to 14/12/2026\n"
        "  --period nd09:YYYY       its year: 15/12 of the year before to 14/12, e.g.\n"
        "                           nd09:2026 = 15/12/2025 to 14/12/2026\n"
        "  --quarter YYYY-QN        a calendar quarter, e.g. --quarter 2026-Q4\n"
        "  --year YYYY              a calendar year, e.g. --year 2026\n"
        "\n"
        "Options:\n"
        "  --format text|csv|xlsx   default: from FILE's extension, else text\n"
        "  --out FILE               write FILE (only when complete); without it text and\n"
        "                           csv go to standard output\n"
        "  --config FILE            the kiosk's configuration (data_dir, content_dir)\n"
        "  --data-dir DIR           read DIR/votes.db instead\n"
        "  --help                   show this help\n"
        "\n"
        "Exit status: 0 written, 1 could not read the votes or write FILE,\n"
        "2 bad usage (the period, a missing or unwritable folder), configuration or content,\n"
        "or a votes.db upgraded by a newer hailong-kiosk.\n");
}

/* Reads the arguments of export or report. Returns -1 when they went through, else the exit
 * code (0 after --help). */
static int parse_args(int argc, char **argv, int is_report, cli_ctx *x, cli_args *a)
{
    memset(a, 0, sizeof *a);
    *x = (cli_ctx){.cmd = is_report ? "report" : "export",
                   .usage = is_report ? report_usage : export_usage,
                   .flags = CLI_DATA_DIR | CLI_EQUALS | CLI_STRICT};
    const cli_opt export_opts[] = {
        {"--out", &a->out, NULL, NULL, NULL},
        {"--format", &a->format, NULL, NULL, NULL},
        {"--from", &a->from, NULL, NULL, NULL},
        {"--to", &a->to, NULL, NULL, NULL},
        {"--include-misuse", NULL, &a->include_misuse, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    const cli_opt report_opts[] = {
        {"--out", &a->out, NULL, NULL, NULL},
        {"--format", &a->format, NULL, NULL, NULL},
        {"--month", &a->month, NULL, NULL, NULL},
        {"--period", &a->period, NULL, NULL, NULL},
        {"--quarter", &a->quarter, NULL, NULL, NULL},
        {"--year", &a->year, NULL, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    return cli_common_opts(argc, argv, is_report ? report_opts : export_opts, x);
}

/* Loads the configuration (if any) and the content it names; --data-dir overrides data_dir. */
static int load(const cli_ctx *x, cfg *c, content **ct)
{
    char err[HL_ERR_MAX];
    int rc = cli_load_config(x, c);
    if (rc != 0)
        return rc;
    log_set_level(LOG_ERROR); /* a missing photo does not matter here */
    rc = content_load(ct, c->content_dir, err, sizeof err);
    if (rc != 0) {
        log_plain(LOG_ERROR, "hailong-kiosk: %s: %s\n", x->cmd, err);
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

static int pick_format(const cli_ctx *x, const cli_args *a, int is_report, export_format *f)
{
    if (a->format) {
        if (export_parse_format(a->format, f) != 0 || (!is_report && *f == EXPORT_FMT_TEXT))
            return cli_bad_usage(x, "--format %s: use %s", a->format,
                                 is_report ? "text, csv or xlsx" : "csv or xlsx");
        return -1;
    }
    if (a->out && export_format_from_name(a->out, f) == 0 && (is_report || *f != EXPORT_FMT_TEXT))
        return -1;
    if (is_report) {
        *f = EXPORT_FMT_TEXT;
        return -1;
    }
    return cli_bad_usage(x, "which format? Add --format csv or --format xlsx (or end --out in "
                            ".csv or .xlsx)");
}

int cli_export(int argc, char **argv)
{
    cli_ctx x;
    cli_args a;
    int rc = parse_args(argc, argv, 0, &x, &a);
    if (rc >= 0)
        return rc;
    char err[HL_ERR_MAX];
    export_date from, to;
    if (!a.from || !a.to)
        return cli_bad_usage(&x, "give the days with --from YYYY-MM-DD --to YYYY-MM-DD, e.g. "
                                 "--from 2026-11-01 --to 2026-11-30");
    if (export_parse_date(a.from, &from) != 0)
        return cli_bad_usage(&x, "--from %s: not a real date; use YYYY-MM-DD, e.g. 2026-11-01",
                             a.from);
    if (export_parse_date(a.to, &to) != 0)
        return cli_bad_usage(&x, "--to %s: not a real date; use YYYY-MM-DD, e.g. 2026-11-30", a.to);
    if (export_date_cmp(from, to) > 0)
        return cli_bad_usage(&x, "--from %s is after --to %s; swap them", a.from, a.to);
    if (!a.out)
        return cli_bad_usage(&x,
                             "where to? Add --out FILE, e.g. --out /media/usb/phieu-2026-11.xlsx");
    export_format f;
    if ((rc = pick_format(&x, &a, 0, &f)) >= 0)
        return rc;
    cfg c;
    content *ct = NULL;
    if ((rc = load(&x, &c, &ct)) != 0)
        return rc;
    if ((rc = cli_refuse_newer(&x, c.data_dir)) >= 0) {
        content_free(ct);
        return rc;
    }
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
            log_plain(LOG_ERROR, "hailong-kiosk: export: --out %s: %s\n", a.out, err);
        else
            log_plain(LOG_ERROR, "hailong-kiosk: export: %s\n", err);
        return rc;
    }
    printf(
        "Wrote %lld votes from %s to %s to %s (%lld counted, %lld presses flagged as misuse%s)\n",
        (long long)res.rows, a.from, a.to, a.out, (long long)res.counted, (long long)res.misuse,
        a.include_misuse ? ", listed" : ", left out");
    return HL_EXIT_OK;
}

/* The report's period from exactly one of --month, --period, --quarter, --year. -1 when it went
 * through, else the exit code. */
static int pick_period(const cli_ctx *x, const cli_args *a, export_period *p)
{
    int given = !!a->month + !!a->period + !!a->quarter + !!a->year;
    if (given == 0)
        return cli_bad_usage(x, "which period? Add one of --month YYYY-MM, --period nd09:YYYY-MM, "
                                "--quarter YYYY-QN or --year YYYY, e.g. --month 2026-11");
    if (given > 1)
        return cli_bad_usage(x, "give only one period: --month, --period, --quarter or --year "
                                "(e.g. --period nd09:2026-11 alone)");
    memset(p, 0, sizeof *p);
    if (a->month) {
        p->kind = EXPORT_PERIOD_MONTH;
        if (export_parse_month(a->month, &p->year, &p->n) != 0)
            return cli_bad_usage(x, "--month %s: not a month; use YYYY-MM, e.g. 2026-11", a->month);
    } else if (a->period) {
        if (export_parse_nd09(a->period, p) != 0)
            return cli_bad_usage(x,
                                 "--period %s: not a reporting period; use nd09:YYYY-MM (the "
                                 "15th of the previous month to the 14th), nd09:YYYY-QN or "
                                 "nd09:YYYY, e.g. --period nd09:2026-11",
                                 a->period);
    } else if (a->quarter) {
        p->kind = EXPORT_PERIOD_QUARTER;
        if (export_parse_quarter(a->quarter, &p->year, &p->n) != 0)
            return cli_bad_usage(x,
                                 "--quarter %s: not a quarter; use YYYY-QN with N 1 to 4, "
                                 "e.g. --quarter 2026-Q4",
                                 a->quarter);
    } else {
        p->kind = EXPORT_PERIOD_YEAR;
        if (export_parse_year(a->year, &p->year) != 0)
            return cli_bad_usage(x, "--year %s: not a year; use YYYY, e.g. --year 2026", a->year);
    }
    return -1;
}

int cli_report(int argc, char **argv)
{
    cli_ctx x;
    cli_args a;
    int rc = parse_args(argc, argv, 1, &x, &a);
    if (rc >= 0)
        return rc;
    char err[HL_ERR_MAX];
    export_period p;
    if ((rc = pick_period(&x, &a, &p)) >= 0)
        return rc;
    export_format f;
    if ((rc = pick_format(&x, &a, 1, &f)) >= 0)
        return rc;
    if (f == EXPORT_FMT_XLSX && !a.out)
        return cli_bad_usage(&x,
                             "an XLSX report needs --out FILE, e.g. --out bao-cao-2026-11.xlsx");
    cfg c;
    content *ct = NULL;
    if ((rc = load(&x, &c, &ct)) != 0)
        return rc;
    if ((rc = cli_refuse_newer(&x, c.data_dir)) >= 0) {
        content_free(ct);
        return rc;
    }
    hl_clock clock = clk_real();
    export_report_opts o = {.db = c.data_dir,
                            .content = ct,
                            .period = p,
                            .format = f,
                            .out = a.out,
                            .stream = stdout,
                            .made_at_ms = clk_wall_ms(&clock)};
    export_result res;
    rc = export_report(&o, &res, err, sizeof err);
    content_free(ct);
    if (rc != 0) {
        if (rc == HL_EXIT_USAGE && a.out)
            log_plain(LOG_ERROR, "hailong-kiosk: report: --out %s: %s\n", a.out, err);
        else
            log_plain(LOG_ERROR, "hailong-kiosk: report: %s\n", err);
        return rc;
    }
    if (a.out) {
        export_date from, to;
        export_period_days(p, &from, &to);
        printf("Wrote the report for %02d/%02d/%04d to %02d/%02d/%04d to %s (%lld votes counted, "
               "%lld presses flagged as misuse left out)\n",
               from.day, from.month, from.year, to.day, to.month, to.year, a.out,
               (long long)res.counted, (long long)res.misuse);
    }
    return HL_EXIT_OK;
}
