/* cli_backup: `hailong-kiosk backup --out FILE`: a consistent copy of votes.db taken while the
 * kiosk runs (store_backup does the SQLite work), and what it holds. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "util.h"

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: hailong-kiosk backup --out FILE [--force] [--config FILE | --data-dir DIR]\n"
            "Copies the kiosk's vote database, <data_dir>/votes.db, to FILE. It can run while\n"
            "the kiosk runs and records votes: the copy is the database as it was when the\n"
            "backup began (SQLite's online backup), with every vote recorded before then.\n"
            "FILE appears only when it is complete and has passed PRAGMA integrity_check; it\n"
            "is one SQLite file (no -wal/-shm) that sqlite3 reads. Only its owner may read it.\n"
            "How to restore it: docs/SCHEMA.md, \"Backup and restore\".\n"
            "\n"
            "Options:\n"
            "  --out FILE       the copy to write, e.g. /media/usb/votes-2026-11-26.db\n"
            "  --force          replace FILE if it exists (without it, FILE is left alone)\n"
            "  --config FILE    the kiosk's configuration (its data_dir)\n"
            "  --data-dir DIR   copy DIR/votes.db instead\n"
            "  --help           show this help\n"
            "\n"
            "Exit status: 0 saved, 1 could not read votes.db or write FILE (disk full, I/O\n"
            "error), 2 bad usage (FILE exists without --force, its folder is missing or not\n"
            "writable), configuration, or a votes.db upgraded by a newer hailong-kiosk.\n");
}

int cli_backup(int argc, char **argv)
{
    const char *out = NULL;
    int force = 0;
    cli_ctx x = {.cmd = "backup", .usage = usage, .flags = CLI_DATA_DIR | CLI_EQUALS | CLI_STRICT};
    const cli_opt opts[] = {
        {"--out", &out, NULL, NULL, NULL},
        {"--force", NULL, &force, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    int rc = cli_common_opts(argc, argv, opts, &x);
    if (rc >= 0)
        return rc;
    if (!out || !out[0])
        return cli_bad_usage(&x, "where to? Add --out FILE, e.g. --out /media/usb/votes.db");
    cfg c;
    if ((rc = cli_load_config(&x, &c)) != 0)
        return rc;
    char err[HL_ERR_MAX];
    store_backup_info info;
    store_rc done = store_backup(c.data_dir, out, force, &info, err, sizeof err);
    if (done != STORE_OK) {
        if (info.usage)
            return cli_bad_usage(&x, "--out %s: %s%s", out, err,
                                 strstr(err, "already exists") ? "; add --force to replace it"
                                                               : "");
        log_plain(LOG_ERROR, "hailong-kiosk: backup: %s\n", err);
        return done == STORE_NEWER_SCHEMA ? HL_EXIT_USAGE : HL_EXIT_RUNTIME;
    }
    printf("Saved %s/votes.db to %s: %lld votes (seq up to %lld), schema %d, %lld bytes; "
           "integrity_check ok\n",
           c.data_dir, out, (long long)info.votes, (long long)info.max_seq, info.schema,
           (long long)info.bytes);
    return HL_EXIT_OK;
}
