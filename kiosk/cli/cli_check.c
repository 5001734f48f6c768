/* cli_check: `hailong-kiosk check`: everything the kiosk reads at start, read the same way and
 * reported, without a display: the configuration, the commune's content and procedures, the
 * collector's token and CA file, the data folder. For the IT officer after an edit, before
 * `systemctl restart hailong-kiosk` (a mistake otherwise shows only in the journal). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "content.h"
#include "log.h"
#include "proc.h"
#include "util.h"

static void check_usage(FILE *out)
{
    fprintf(out,
            "Usage: hailong-kiosk check [--config FILE] [--data-dir DIR]\n"
            "Reads everything the kiosk reads at start, as it reads it, and says what is wrong\n"
            "(file, line, key and what to do) or that all is well: the configuration, the\n"
            "content folder (commune, slogans, officers, reasons, procedures), the collector's\n"
            "token_file and ca_file, and whether the data folder can be written. Nothing is\n"
            "changed; it needs no display and can run while the kiosk runs.\n"
            "\n"
            "Options:\n"
            "  --config FILE      the kiosk's configuration (e.g. /etc/hailong/kiosk.ini)\n"
            "  --data-dir DIR     check DIR instead of the configuration's data_dir\n"
            "  --help             show this help\n"
            "\n"
            "Exit status: 0 all well, 1 the data folder cannot be written, 2 a mistake in the\n"
            "configuration or the content.\n");
}

static int fail(int rc, const char *msg)
{
    log_plain(LOG_ERROR, "hailong-kiosk: check: %s\n", msg);
    return rc;
}

int cli_check(int argc, char **argv)
{
    cli_ctx x = {.cmd = "check", .usage = check_usage, .flags = CLI_DATA_DIR | CLI_STRICT};
    int rc = cli_common_opts(argc, argv, NULL, &x);
    if (rc >= 0)
        return rc;
    cfg c;
    if ((rc = cli_load_config(&x, &c)) != 0)
        return rc;
    char err[HL_ERR_MAX];
    content *ct = NULL;
    if (content_load(&ct, c.content_dir, err, sizeof err) != 0)
        return fail(HL_EXIT_USAGE, err);
    rc = content_check_config(ct, &c, err, sizeof err);
    size_t n_officers = ct->n_officers;
    content_free(ct);
    if (rc != 0)
        return fail(HL_EXIT_USAGE, err);
    char path[PATH_MAX];
    size_t n_procs = 0;
    if (util_fmt(path, sizeof path, "%s/procedures.json", c.content_dir) != 0)
        return fail(HL_EXIT_USAGE, "content_dir: path too long");
    if (util_file_exists(path)) {
        proc_set *ps = NULL;
        if (proc_load(&ps, path, err, sizeof err) != 0)
            return fail(HL_EXIT_USAGE, err);
        n_procs = ps->n_items;
        proc_free(ps);
    }
    if (c.sync_url[0]) {
        char token[sizeof c.sync_token];
        if (cfg_sync_token(&c, token, sizeof token, err, sizeof err) != 0)
            return fail(HL_EXIT_USAGE, err);
        memset(token, 0, sizeof token);
    }
    /* A data_dir that does not exist yet is made by the kiosk: then its parent must be writable. */
    char probe[PATH_MAX];
    util_strlcpy(probe, c.data_dir, sizeof probe);
    if (access(probe, F_OK) != 0 && errno == ENOENT) {
        char *slash = strrchr(probe, '/');
        if (slash && slash != probe)
            *slash = '\0';
        else
            util_strlcpy(probe, slash ? "/" : ".", sizeof probe);
    }
    if (access(probe, W_OK | X_OK) != 0) {
        util_fmt(err, sizeof err,
                 "data_dir: %s cannot be written by this user (%s); it must belong to the kiosk's "
                 "user (hailong), e.g. chown hailong: %s",
                 probe, strerror(errno), probe);
        return fail(HL_EXIT_RUNTIME, err);
    }
    printf("%s: all well: kiosk %s, mode %s, %zu officers, %zu procedures, votes in %s, %s%s\n",
           x.config ? x.config : "(no --config: the built-in defaults)", c.kiosk_id,
           cfg_mode_name(c.mode), n_officers, n_procs, c.data_dir,
           c.sync_url[0] ? "sent to " : "not sent to a collector (no [sync] url)", c.sync_url);
    return HL_EXIT_OK;
}
