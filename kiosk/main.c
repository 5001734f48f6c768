/* hailong-kiosk: argument parsing and subcommands; everything else lives in the libraries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "log.h"
#include "proc.h"
#include "script.h"
#include "util.h"

static void usage(FILE *out)
{
    fprintf(out, "Usage: hailong-kiosk [OPTIONS]\n"
                 "       hailong-kiosk import-procedures FILE [--config FILE | --content-dir DIR]\n"
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
                 "  --help             show this help\n"
                 "  --version          print the version\n"
                 "\n"
                 "Subcommands (each has --help):\n"
                 "  import-procedures  check a procedures CSV or JSON file and install it as\n"
                 "                     <content_dir>/procedures.json\n"
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

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "import-procedures") == 0)
        return cmd_import_procedures(argc - 2, argv + 2);
    const char *config_path = NULL, *data_dir = NULL, *script = NULL, *clock_at = NULL;
    int windowed = 0, ww = 0, wh = 0;
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
    app_opts o = {.clock = &clock, .headless = script != NULL};
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
    app_destroy(a);
    return rc;
}
