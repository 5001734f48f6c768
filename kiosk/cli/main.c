/* hailong-kiosk: argument parsing and subcommands; everything else lives in the libraries. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "screens.h"
#include "cli_export.h"
#include "cli_pin.h"
#include "log.h"
#include "proc.h"
#include "script.h"
#include "util.h"

static void usage(FILE *out)
{
    fprintf(out, "Usage: hailong-kiosk [OPTIONS]\n"
                 "       hailong-kiosk import-procedures FILE [--config FILE | --content-dir DIR]\n"
                 "       hailong-kiosk status [--config FILE] [--data-dir DIR]\n"
                 "       hailong-kiosk export --from YYYY-MM-DD --to YYYY-MM-DD --out FILE ...\n"
                 "       hailong-kiosk report --month YYYY-MM [--format text|csv|xlsx] ...\n"
                 "       hailong-kiosk set-pin [--config FILE | --data-dir DIR]\n"
                 "Runs the Hài lòng satisfaction kiosk (fullscreen unless --windowed).\n"
                 "Without --config it runs on the bundled demo content.\n"
                 "\n"
                 "Options:\n"
                 "  --config FILE      kiosk configuration (INI; see docs/CONFIG.md)\n"
                 "  --data-dir DIR     where votes.db is kept (overrides [kiosk] data_dir)\n"
                 "  --windowed[=WxH]   run in a window (default 1280x800) instead of fullscreen;\n"
                 "                     Esc or closing the window quits\n"
                 "  --script FILE      replay scripted input on a simulated clock, headless\n"
                 "                     (tests, screenshots; see docs/TESTING.md)\n"
                 "  --clock TIME       with --script: start the simulated clock at TIME,\n"
                 "                     Vietnam local time YYYY-MM-DDTHH:MM[:SS]\n"
                 "  --sync             with --script: run the sync thread too ([sync] url must be\n"
                 "                     set; the script's sync-wait command waits for it)\n"
                 "  --help             show this help\n"
                 "  --version          print the version\n"
                 "\n"
                 "Subcommands (each has --help):\n"
                 "  import-procedures  check a procedures CSV or JSON file and install it as\n"
                 "                     <content_dir>/procedures.json\n"
                 "  status             votes waiting to be sent and the sync thread's state\n"
                 "  export             votes of a period as CSV (UTF-8 with BOM) or XLSX\n"
                 "  report             the month's per-officer report (text, CSV or XLSX)\n"
                 "  set-pin            set the admin screen's PIN and clear its lock-out\n"
                 "\n"
                 "Exit status: 0 ok, 1 runtime failure, 2 bad usage, configuration or content.\n");
}

/* Benchmark hook (bench/bench_kiosk.c, docs/PERFORMANCE.md): with HAILONG_BENCH_FIRST_FRAME=1 the
 * kiosk starts as usual, presents its first frame exactly as app_run's first round does, prints
 * "first-frame <CLOCK_MONOTONIC ns>" on stdout and exits 0, so a parent can time start -> first
 * frame. Not for production use. */
static int bench_first_frame(app *a)
{
    app_update(a);
    if (!app_render(a))
        return HL_EXIT_RUNTIME;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    printf("first-frame %lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
    fflush(stdout);
    return HL_EXIT_OK;
}

static int bad_usage(const char *msg)
{
    fprintf(stderr, "hailong-kiosk: %s\nTry 'hailong-kiosk --help'.\n", msg);
    return HL_EXIT_USAGE;
}

/* Parses "WxH" after --windowed=. */
static int parse_size(const char *s, int *w, int *h)
{
    char buf[32];
    if (util_strlcpy(buf, s, sizeof buf) != 0)
        return -1;
    char *x = strchr(buf, 'x');
    if (!x)
        return -1;
    *x = '\0';
    long lw, lh;
    if (util_parse_int(buf, 320, 16384, &lw) != 0 || util_parse_int(x + 1, 240, 16384, &lh) != 0)
        return -1;
    *w = (int)lw;
    *h = (int)lh;
    return 0;
}

static void import_usage(FILE *out)
{
    fprintf(out,
            "Usage: hailong-kiosk import-procedures FILE [--config FILE | --content-dir DIR]\n"
            "Checks FILE, the administrative procedures as CSV (Excel: \"CSV UTF-8\") or JSON,\n"
            "and only if all of it is valid writes it as <content_dir>/procedures.json,\n"
            "replacing the old file in one step. On any error nothing is written.\n"
            "See docs/PROCEDURES.md for the columns and fields.\n"
            "\n"
            "Options:\n"
            "  --config FILE      take content_dir from this kiosk configuration\n"
            "  --content-dir DIR  write into DIR instead\n"
            "                     (default: the configuration's, else the bundled demo content)\n"
            "  --help             show this help\n"
            "\n"
            "Exit status: 0 imported, 1 could not write, 2 bad usage or a mistake in FILE\n"
            "(the message names the file, the line or record, the column and the fix).\n");
}

/* hailong-kiosk import-procedures FILE [--config FILE | --content-dir DIR]; args after the
 * subcommand's name. */
static int cmd_import_procedures(int argc, char **argv)
{
    const char *src = NULL, *config_path = NULL, *content_dir = NULL;
    char msg[HL_ERR_MAX];
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            import_usage(stdout);
            return HL_EXIT_OK;
        } else if (strcmp(arg, "--config") == 0 || strcmp(arg, "--content-dir") == 0) {
            if (i + 1 >= argc)
                return (snprintf(msg, sizeof msg, "import-procedures: %s needs a value", arg),
                        bad_usage(msg));
            if (strcmp(arg, "--config") == 0)
                config_path = argv[++i];
            else
                content_dir = argv[++i];
        } else if (arg[0] == '-' && arg[1]) {
            return (snprintf(msg, sizeof msg, "import-procedures: unknown option \"%s\"", arg),
                    bad_usage(msg));
        } else if (src) {
            return (snprintf(msg, sizeof msg, "import-procedures: one FILE only (got \"%s\")", arg),
                    bad_usage(msg));
        } else {
            src = arg;
        }
    }
    if (!src)
        return bad_usage("import-procedures: which FILE? e.g. hailong-kiosk import-procedures "
                         "thu-tuc.csv --config /etc/hailong/kiosk.ini");
    if (config_path && content_dir)
        return bad_usage("import-procedures: give --config or --content-dir, not both");
    cfg c;
    char err[HL_ERR_MAX], dest[PATH_MAX + 32];
    cfg_defaults(&c);
    if (config_path && cfg_load(&c, config_path, err, sizeof err) != 0) {
        fprintf(stderr, "hailong-kiosk: %s\n", err);
        return HL_EXIT_USAGE;
    }
    if (util_fmt(dest, sizeof dest, "%s/procedures.json",
                 content_dir ? content_dir : c.content_dir))
        return bad_usage("import-procedures: content folder path too long");
    size_t n = 0;
    int rc = proc_import(src, dest, &n, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "hailong-kiosk: %s\n", err);
        return rc;
    }
    printf("Imported %zu procedures into %s\n", n, dest);
    return HL_EXIT_OK;
}

static void status_usage(FILE *out)
{
    fprintf(out,
            "Usage: hailong-kiosk status [--config FILE] [--data-dir DIR]\n"
            "Shows how far this kiosk's votes are on their way to the collector: votes waiting\n"
            "and the age of the oldest, quarantined votes (refused by the collector), the last\n"
            "success and error, and the sync thread's state as the kiosk last recorded it.\n"
            "It only reads <data_dir>/votes.db and can run while the kiosk runs.\n"
            "\n"
            "Options:\n"
            "  --config FILE      the kiosk's configuration (data_dir, kiosk id, [sync] url)\n"
            "  --data-dir DIR     read DIR/votes.db instead\n"
            "  --help             show this help\n"
            "\n"
            "Exit status: 0 ok, 1 no readable votes.db, 2 bad usage or configuration.\n");
}

/* "3 h 12 min", "5 min 3 s", "42 s" */
static void fmt_span(char *out, size_t cap, int64_t ms)
{
    int64_t s = ms < 0 ? 0 : ms / 1000;
    if (s >= 86400)
        snprintf(out, cap, "%lld d %lld h", (long long)(s / 86400), (long long)(s % 86400 / 3600));
    else if (s >= 3600)
        snprintf(out, cap, "%lld h %lld min", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else if (s >= 60)
        snprintf(out, cap, "%lld min %lld s", (long long)(s / 60), (long long)(s % 60));
    else
        snprintf(out, cap, "%lld s", (long long)s);
}

/* "2026-11-26 09:30:05" in Vietnam time. */
static void fmt_local(char *out, size_t cap, int64_t utc_ms)
{
    clk_local l = clk_to_local(utc_ms);
    snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d", l.year, l.month, l.day, l.hour, l.minute,
             l.second);
}

static int cmd_status(int argc, char **argv)
{
    const char *config_path = NULL, *data_dir = NULL;
    char msg[HL_ERR_MAX], err[HL_ERR_MAX];
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            status_usage(stdout);
            return HL_EXIT_OK;
        } else if (strcmp(arg, "--config") == 0 || strcmp(arg, "--data-dir") == 0) {
            if (i + 1 >= argc)
                return (snprintf(msg, sizeof msg, "status: %s needs a value", arg), bad_usage(msg));
            if (strcmp(arg, "--config") == 0)
                config_path = argv[++i];
            else
                data_dir = argv[++i];
        } else {
            return (snprintf(msg, sizeof msg, "status: unknown argument \"%s\"", arg),
                    bad_usage(msg));
        }
    }
    cfg c;
    cfg_defaults(&c);
    if (config_path && cfg_load(&c, config_path, err, sizeof err) != 0) {
        fprintf(stderr, "hailong-kiosk: %s\n", err);
        return HL_EXIT_USAGE;
    }
    if (data_dir)
        util_strlcpy(c.data_dir, data_dir, sizeof c.data_dir);
    store *s = NULL;
    store_opts so = {.readonly = 1};
    if (store_open(&s, c.data_dir, &so, err, sizeof err) != 0) {
        fprintf(stderr, "hailong-kiosk: status: %s\n", err);
        return HL_EXIT_RUNTIME;
    }
    store_sync_status st;
    int rc = store_sync_status_get(s, c.kiosk_id, &st);
    if (rc != 0) {
        fprintf(stderr, "hailong-kiosk: status: %s\n", store_last_error(s));
        store_close(s);
        return HL_EXIT_RUNTIME;
    }
    hl_clock clock = clk_real();
    int64_t now = clk_wall_ms(&clock);
    char a[64], b[64];
    printf("database: %s (kiosk %s)\n", store_path(s), c.kiosk_id);
    printf("votes waiting: %lld", (long long)st.waiting);
    if (st.in_batch)
        printf(" (%lld of them in a frozen batch, resent as it is)", (long long)st.in_batch);
    printf("\n");
    if (st.waiting) {
        fmt_span(a, sizeof a, now - st.oldest_waiting);
        fmt_local(b, sizeof b, st.oldest_waiting);
        printf("oldest waiting: %s (%s Vietnam time)\n", a, b);
    } else {
        printf("oldest waiting: -\n");
    }
    if (st.other_kiosk)
        printf("not sent, recorded under another kiosk id: %lld (this kiosk is now %s)\n",
               (long long)st.other_kiosk, c.kiosk_id);
    printf("quarantined: %lld%s\n", (long long)st.quarantined,
           st.quarantined ? " (refused by the collector; reasons in votes.sync_error)" : "");
    if (st.last_success_at) {
        fmt_local(a, sizeof a, st.last_success_at);
        fmt_span(b, sizeof b, now - st.last_success_at);
        printf("last success: %s (%s ago)\n", a, b);
    } else {
        printf("last success: never\n");
    }
    if (st.last_error_at) {
        fmt_local(a, sizeof a, st.last_error_at);
        printf("last error: %s: %s\n", a, st.last_error);
    } else {
        printf("last error: none\n");
    }
    printf("state: ");
    if (!c.sync_url[0]) {
        printf("off (no [sync] url in the configuration)\n");
    } else if (strcmp(st.state, STORE_SYNC_STATE_AUTH) == 0 || st.auth_failed) {
        printf("stopped: auth (%s)\n", st.last_error);
    } else if (strcmp(st.state, STORE_SYNC_STATE_BACKOFF) == 0 && st.backoff_until > now) {
        fmt_local(a, sizeof a, st.backoff_until);
        fmt_span(b, sizeof b, st.backoff_until - now);
        printf("backing off until %s (in %s)\n", a + 11, b);
    } else if (strcmp(st.state, STORE_SYNC_STATE_STARTING) == 0 && st.backoff_until > now) {
        fmt_local(a, sizeof a, st.backoff_until);
        printf("starting (first send at %s)\n", a + 11);
    } else if (strcmp(st.state, STORE_SYNC_STATE_STOPPED) == 0) {
        fmt_local(a, sizeof a, st.updated_at);
        printf("not running (the kiosk stopped at %s)\n", a);
    } else if (strcmp(st.state, STORE_SYNC_STATE_OFF) == 0) {
        printf("not started yet (the kiosk has not run with [sync] url set)\n");
    } else if (strcmp(st.state, STORE_SYNC_STATE_IDLE) == 0) {
        printf("idle (nothing to send)\n");
    } else {
        printf("%s\n", st.state);
    }
    store_close(s);
    return HL_EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "import-procedures") == 0)
        return cmd_import_procedures(argc - 2, argv + 2);
    if (argc > 1 && strcmp(argv[1], "status") == 0)
        return cmd_status(argc - 2, argv + 2);
    if (argc > 1 && strcmp(argv[1], "export") == 0)
        return cli_export(argc - 2, argv + 2);
    if (argc > 1 && strcmp(argv[1], "report") == 0)
        return cli_report(argc - 2, argv + 2);
    if (argc > 1 && strcmp(argv[1], "set-pin") == 0)
        return cli_set_pin(argc - 2, argv + 2);
    const char *config_path = NULL, *data_dir = NULL, *script = NULL, *clock_at = NULL;
    int windowed = 0, ww = 0, wh = 0, sync_flag = 0;
    char msg[HL_ERR_MAX];
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return HL_EXIT_OK;
        } else if (strcmp(arg, "--version") == 0) {
            printf("hailong-kiosk %s\n", HL_VERSION);
            return HL_EXIT_OK;
        } else if (strcmp(arg, "--config") == 0 || strcmp(arg, "--data-dir") == 0 ||
                   strcmp(arg, "--script") == 0 || strcmp(arg, "--clock") == 0) {
            if (i + 1 >= argc)
                return (snprintf(msg, sizeof msg, "%s needs a value", arg), bad_usage(msg));
            const char *v = argv[++i];
            if (arg[2] == 'c' && arg[3] == 'o')
                config_path = v;
            else if (arg[2] == 'd')
                data_dir = v;
            else if (arg[2] == 's')
                script = v;
            else
                clock_at = v;
        } else if (strcmp(arg, "--sync") == 0) {
            sync_flag = 1;
        } else if (strcmp(arg, "--windowed") == 0) {
            windowed = 1;
        } else if (strncmp(arg, "--windowed=", 11) == 0) {
            windowed = 1;
            if (parse_size(arg + 11, &ww, &wh) != 0)
                return (snprintf(msg, sizeof msg,
                                 "--windowed=%s: give the size as WIDTHxHEIGHT, e.g. 1280x800",
                                 arg + 11),
                        bad_usage(msg));
        } else {
            return (snprintf(msg, sizeof msg, "unknown argument \"%s\"", arg), bad_usage(msg));
        }
    }
    if (sync_flag && !script)
        return bad_usage("--sync only matters with --script (the kiosk itself always syncs when "
                         "[sync] url is set)");
    if (clock_at && !script)
        return (snprintf(msg, sizeof msg, "%s only works with --script", "--clock"),
                bad_usage(msg));

    cfg c;
    char err[HL_ERR_MAX];
    cfg_defaults(&c);
    if (config_path && cfg_load(&c, config_path, err, sizeof err) != 0) {
        fprintf(stderr, "hailong-kiosk: %s\n", err);
        return HL_EXIT_USAGE;
    }
    if (data_dir)
        util_strlcpy(c.data_dir, data_dir, sizeof c.data_dir);
    if (windowed) {
        c.fullscreen = 0;
        if (ww) {
            c.width = ww;
            c.height = wh;
        }
    }

    hl_clock clock = clk_real();
    if (script) {
        int64_t start = clk_wall_ms(&clock);
        if (clock_at && clk_parse_local(clock_at, &start) != 0)
            return (snprintf(msg, sizeof msg,
                             "--clock %s: use Vietnam local time YYYY-MM-DDTHH:MM[:SS]", clock_at),
                    bad_usage(msg));
        clock = clk_fake(start);
        c.fullscreen = 0;
    }
    app_opts o = {.clock = &clock, .headless = script != NULL, .sync = !script || sync_flag, .screens = scr_table};
    app *a;
    int rc = app_create(&a, &c, &o, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "hailong-kiosk: %s\n", err);
        return rc;
    }
    if (script) {
        rc = script_run(a, script, err, sizeof err);
        if (rc != 0)
            fprintf(stderr, "hailong-kiosk: %s\n", err);
    } else {
        const char *ff = getenv("HAILONG_BENCH_FIRST_FRAME");
        rc = ff && strcmp(ff, "1") == 0 ? bench_first_frame(a) : app_run(a);
    }
    int restart = a->restart && !script;
    app_destroy(a);
    if (restart) {
        /* "Khởi động lại" on the admin screen: everything is closed (votes committed, sync thread
         * stopped, window gone); run the same program with the same arguments again. */
        log_info("restarting as asked on the admin screen");
        fflush(NULL);
        execv("/proc/self/exe", argv);
        log_error("cannot restart /proc/self/exe: %s; start hailong-kiosk again by hand",
                  strerror(errno));
        return HL_EXIT_RUNTIME;
    }
    return rc;
}
