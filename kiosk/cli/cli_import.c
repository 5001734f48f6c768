/* cli_import: `hailong-kiosk import-procedures`: checks a procedures CSV or JSON file and installs
 * it as <content_dir>/procedures.json (the work is proc_import, kiosk/content/proc_import.c). */
#include <limits.h>
#include <stdio.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "proc.h"
#include "util.h"

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

int cli_import_procedures(int argc, char **argv)
{
    const char *content_dir = NULL;
    const cli_opt opts[] = {{"--content-dir", &content_dir, NULL, NULL, NULL},
                            {NULL, NULL, NULL, NULL, NULL}};
    cli_ctx x = {.cmd = "import-procedures",
                 .usage = import_usage,
                 .flags = CLI_ONE_ARG | CLI_MAIN_HINT,
                 .arg_name = "FILE"};
    int rc = cli_common_opts(argc, argv, opts, &x);
    if (rc >= 0)
        return rc;
    if (!x.arg)
        return cli_bad_usage(&x, "which FILE? e.g. hailong-kiosk import-procedures "
                                 "thu-tuc.csv --config /etc/hailong/kiosk.ini");
    if (x.config && content_dir)
        return cli_bad_usage(&x, "give --config or --content-dir, not both");
    cfg c;
    if ((rc = cli_load_config(&x, &c)) != 0)
        return rc;
    char err[HL_ERR_MAX], dest[PATH_MAX + 32];
    if (util_fmt(dest, sizeof dest, "%s/procedures.json",
                 content_dir ? content_dir : c.content_dir))
        return cli_bad_usage(&x, "content folder path too long");
    size_t n = 0;
    rc = proc_import(x.arg, dest, &n, err, sizeof err);
    if (rc != 0) {
        log_plain(LOG_ERROR, "hailong-kiosk: %s\n", err);
        return rc;
    }
    printf("Imported %zu procedures into %s\n", n, dest);
    return HL_EXIT_OK;
}
