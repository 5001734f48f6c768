/* hailong-kiosk: the table of subcommands and the kiosk's own run (windowed, scripted or
 * fullscreen); the subcommands live in cli_*.c, everything else in the libraries. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "cli.h"
#include "log.h"
#include "screens.h"
#include "script.h"
#include "util.h"

/* The subcommands: dispatched on the program's first argument, listed by --help. */
typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *synopsis; /* its arguments on the usage lines */
    const char *summary;  /* its line in the list; a '\n' continues it under the same column */
} subcommand;

static const subcommand subcommands[] = {
    {"import-procedures", cli_import_procedures, "FILE [--config FILE | --content-dir DIR]",
     "check a procedures CSV or JSON file and install it as\n<content_dir>/procedures.json"},
    {"status", cli_status, "[--config FILE] [--data-dir DIR]",
     "votes waiting to be sent and the sync thread's state"},
    {"export", cli_export, "--from YYYY-MM-DD --to YYYY-MM-DD --out FILE ...",
     "votes of a period as CSV (UTF-8 with BOM) or XLSX"},
    {"report", cli_report, "--month YYYY-MM [--format text|csv|xlsx] ...",
     "the month's per-officer report (text, CSV or XLSX)"},
    {"set-pin", cli_set_pin, "[--config FILE | --data-dir DIR]",
     "set the admin screen's PIN and clear its lock-out"},
    {"backup", cli_backup, "--out FILE [--force] [--config FILE | --data-dir DIR]",
     "a consistent copy of votes.db, also while the kiosk runs"},
    {"check", cli_check, "[--config FILE] [--data-dir DIR]",
     "read the configuration and content as the kiosk would, and\nsay what is wrong"},
};

static void usage(FILE *out)
{
    fprintf(out, "Usage: hailong-kiosk [OPTIONS]\n");
    int w = 0;
    for (size_t i = 0; i < HL_ARRAY_LEN(subcommands); i++) {
        fprintf(out, "       hailong-kiosk %s %s\n", subcommands[i].name, subcommands[i].synopsis);
        int n = (int)strlen(subcommands[i].name);
        w = n > w ? n : w;
    }
    fprintf(out, "Runs the Hài lòng satisfaction kiosk (fullscreen unless --windowed).\n"
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
                 "Subcommands (each has --help):\n");
    for (size_t i = 0; i < HL_ARRAY_LEN(subcommands); i++) {
        fprintf(out, "  %-*s  ", w, subcommands[i].name);
        const char *s = subcommands[i].summary, *nl;
        while ((nl = strchr(s, '\n')) != NULL) {
            fprintf(out, "%.*s\n%*s", (int)(nl - s), s, w + 4, "");
            s = nl + 1;
        }
        fprintf(out, "%s\n", s);
    }
    fprintf(out, "\n"
                 "Exit status: 0 ok, 1 runtime failure, 2 bad usage, configuration or content.\n");
}

static void print_version(FILE *out)
{
    fprintf(out, "hailong-kiosk %s\n", HL_VERSION);
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

/* --windowed=WxH is checked where it stands, as a later --help must not hide the mistake. */
static int check_size(const char *v, char *msg, size_t cap)
{
    int w, h;
    if (parse_size(v, &w, &h) == 0)
        return 0;
    snprintf(msg, cap, "--windowed=%s: give the size as WIDTHxHEIGHT, e.g. 1280x800", v);
    return -1;
}

/* The kiosk itself: hailong-kiosk [OPTIONS]. */
/* HAILONG_ALLOW_HEADLESS=1 (benchmarks and tests only): run on SDL's offscreen or dummy video
 * driver instead of exiting 1 because no display was found. */
static int allow_headless(void)
{
    const char *v = getenv("HAILONG_ALLOW_HEADLESS");
    return v && strcmp(v, "1") == 0;
}

/* HAILONG_REDRAW_EVERY_FRAME=1 (tests/test_cage.sh only): draw every frame, so that a headless
 * compositor's screenshot catches one (app_opts.redraw_every_frame). */
static int redraw_every_frame(void)
{
    const char *v = getenv("HAILONG_REDRAW_EVERY_FRAME");
    return v && strcmp(v, "1") == 0;
}

static int run_kiosk(int argc, char **argv)
{
    const char *script = NULL, *clock_at = NULL, *size = NULL;
    int windowed = 0, sync_flag = 0;
    const cli_opt opts[] = {
        {"--version", NULL, NULL, NULL, print_version},
        {"--script", &script, NULL, NULL, NULL},
        {"--clock", &clock_at, NULL, NULL, NULL},
        {"--sync", NULL, &sync_flag, NULL, NULL},
        {"--windowed", &size, &windowed, check_size, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    cli_ctx x = {.usage = usage, .flags = CLI_DATA_DIR};
    int rc = cli_common_opts(argc - 1, argv + 1, opts, &x);
    if (rc >= 0)
        return rc;
    if (sync_flag && !script)
        return cli_bad_usage(&x, "--sync only matters with --script (the kiosk itself always "
                                 "syncs when [sync] url is set)");
    if (clock_at && !script)
        return cli_bad_usage(&x, "--clock only works with --script");

    cfg c;
    if ((rc = cli_load_config(&x, &c)) != 0)
        return rc;
    if (windowed) {
        c.fullscreen = 0;
        int ww, wh;
        if (size && parse_size(size, &ww, &wh) == 0) {
            c.width = ww;
            c.height = wh;
        }
    }

    hl_clock clock = clk_real();
    if (script) {
        int64_t start = clk_wall_ms(&clock);
        if (clock_at && clk_parse_local(clock_at, &start) != 0)
            return cli_bad_usage(&x, "--clock %s: use Vietnam local time YYYY-MM-DDTHH:MM[:SS]",
                                 clock_at);
        clock = clk_fake(start);
        c.fullscreen = 0;
    }
    char err[HL_ERR_MAX];
    app_opts o = {.clock = &clock,
                  .headless = script != NULL,
                  .require_display = !script && !allow_headless(),
                  .redraw_every_frame = redraw_every_frame(),
                  .sync = !script || sync_flag,
                  .screens = scr_table};
    app *a;
    rc = app_create(&a, &c, &o, err, sizeof err);
    if (rc != 0) {
        /* The kiosk's own run is the service: its failures go to the journal as errors
         * (journalctl -p err), like everything it logs. */
        log_error("%s", err);
        return rc;
    }
    if (script) {
        rc = script_run(a, script, err, sizeof err);
        if (rc != 0)
            log_error("%s", err);
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

int main(int argc, char **argv)
{
    for (size_t i = 0; i < HL_ARRAY_LEN(subcommands); i++)
        if (argc > 1 && strcmp(argv[1], subcommands[i].name) == 0)
            return subcommands[i].fn(argc - 2, argv + 2);
    return run_kiosk(argc, argv);
}
