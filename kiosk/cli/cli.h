/* cli: what the commands of hailong-kiosk share: the common options (--config FILE, --data-dir
 * DIR, --help) read in one loop with each command's own options, the configuration loaded, one
 * format for usage errors (exit 2); and the subcommands' entry points, one file each. */
#ifndef HL_CLI_H
#define HL_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"

/* How a command reads its arguments and reports mistakes (cli_ctx.flags). The commands grew
 * apart over time; these keep each one's messages as they always were. */
enum {
    CLI_DATA_DIR = 1 << 0,  /* --data-dir DIR is one of its options */
    CLI_EQUALS = 1 << 1,    /* an option's value may also be given as --name=VALUE */
    CLI_ONE_ARG = 1 << 2,   /* takes one argument that is not an option (cli_ctx.arg) */
    CLI_MAIN_HINT = 1 << 3, /* usage errors point to 'hailong-kiosk --help', not the command's */
    CLI_STRICT = 1 << 4,    /* configuration errors name the command, and a --data-dir too long
                               is a usage error (the older commands cut it) */
};

/* One option of a command besides the common ones; a table of them ends with {NULL}. */
typedef struct cli_opt {
    const char *name;   /* "--out" */
    const char **value; /* an option with a value: it is stored here */
    /* An option without a value: set to 1. With value as well, the value is optional and given
     * only as --name=VALUE (--windowed[=WxH]). */
    int *flag;
    /* Optional: checks a value where it stands (so a later --help does not hide the mistake);
     * nonzero with msg filled makes it a usage error. */
    int (*check)(const char *value, char *msg, size_t cap);
    /* Prints this (to stdout) and the command ends with 0, as after --help (--version). */
    void (*show)(FILE *out);
} cli_opt;

typedef struct cli_ctx {
    /* Set by the command before cli_common_opts: */
    const char *cmd;          /* "export"; NULL for the kiosk itself */
    void (*usage)(FILE *out); /* the --help text */
    unsigned flags;           /* CLI_* */
    const char *arg_name;     /* with CLI_ONE_ARG: its name in messages ("FILE") */
    /* Filled in by cli_common_opts (NULL when not given; the last one given wins): */
    const char *config;   /* --config FILE */
    const char *data_dir; /* --data-dir DIR */
    const char *arg;      /* with CLI_ONE_ARG: the argument */
} cli_ctx;

/* Reads argv (the arguments after the subcommand's name, or after the program's for the kiosk)
 * from left to right: -h/--help, --config, --data-dir (with CLI_DATA_DIR) and the options in
 * extra (may be NULL). Returns -1 when the command goes on, else its exit code: 0 after --help
 * or a show option, 2 after a usage error (already printed). */
int cli_common_opts(int argc, char **argv, const cli_opt *extra, cli_ctx *x);

/* Prints "hailong-kiosk: CMD: MESSAGE" and "Try 'hailong-kiosk CMD --help'." on stderr and
 * returns 2 (HL_EXIT_USAGE). */
int cli_bad_usage(const cli_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fills c with the defaults, then x->config if it was given; x->data_dir overrides data_dir.
 * 0, or 2 with the error printed. */
int cli_load_config(const cli_ctx *x, cfg *c);

/* 2 (HL_EXIT_USAGE) after saying so when data_dir's votes.db was upgraded by a newer
 * hailong-kiosk (the message names the version to install); -1 otherwise, also when the file is
 * missing or unreadable, which the command itself reports. For the commands that read votes.db
 * through the export (export, report). */
int cli_refuse_newer(const cli_ctx *x, const char *data_dir);

/* The subcommands; argv holds the arguments after the subcommand's name. Each returns the
 * program's exit code: 0 ok, 1 runtime failure, 2 bad usage, configuration or content. */
int cli_import_procedures(int argc, char **argv); /* cli_import.c */
int cli_status(int argc, char **argv);            /* cli_status.c */
int cli_export(int argc, char **argv);            /* cli_export.c */
int cli_report(int argc, char **argv);            /* cli_export.c */
int cli_set_pin(int argc, char **argv);           /* cli_pin.c */
int cli_backup(int argc, char **argv);            /* cli_backup.c */
int cli_check(int argc, char **argv);             /* cli_check.c */

#endif
