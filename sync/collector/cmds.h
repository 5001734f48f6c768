/* cmds: what the collector's command files share (defined in main.c): argument parsing, the
 * database URL from --db or the config file, and opening it with one message on failure. The
 * commands themselves: main.c (init, serve, kiosk, operator, backup) and cmd_users.c (user,
 * totals). Prefix: cmd_. */
#ifndef HL_CMDS_H
#define HL_CMDS_H

#include "db.h"

#define CMD_PROG     "hailong-collector"
#define DEFAULT_CONF "/etc/hailong/collector.conf"
#define CONF_ENV     "HAILONG_COLLECTOR_CONF"
#define DB_HELP_TEXT                                                                               \
    "  --db URL           sqlite:PATH or postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE;\n"     \
    "                     without it, `db = URL` from the config file\n"                           \
    "  --config FILE      the config file (default " DEFAULT_CONF ",\n"                            \
    "                     or $" CONF_ENV ")\n"

typedef struct {
    const char *name; /* "--db" */
    const char **value;
} cmd_opt;

/* Parses argv[0..argc) into positionals and --flag VALUE / --flag=VALUE options. Returns 0, 2
 * after printing what is wrong, or -1 when --help was asked (usage printed). */
int cmd_parse_args(const char *cmd, int argc, char **argv, const cmd_opt *opts, const char **pos,
                   int max_pos, int *n_pos, const char *usage);
/* The database URL: --db, else `db =` of the config file (--config, $HAILONG_COLLECTOR_CONF or
 * /etc/hailong/collector.conf). 0, or 2 after saying what is wrong. */
int cmd_resolve_db(const char *cmd, const char *db_flag, const char *conf_flag, const char **url);
/* Opens (and migrates) url: 0, or the exit code after saying what is wrong. */
int cmd_open_db(const char *cmd, const char *url, db **d);
/* 1 if s is text a unit may be named with: UTF-8 in NFC, no control characters, 1-200 bytes. */
int cmd_valid_unit(const char *s);

/* `user add|list|disable` and `totals rebuild` (cmd_users.c). */
int cmd_user(int argc, char **argv);
int cmd_totals(int argc, char **argv);
/* `alert add|list|remove|log` (cmd_alerts.c). */
int cmd_alert(int argc, char **argv);

/* `feedback list|show|set|purge` and `unit set|show` (cmd_feedback.c); `letter` and
 * `letters export` (cmd_letter.c). */
int cmd_feedback(int argc, char **argv);
int cmd_unit(int argc, char **argv);
int cmd_letter(int argc, char **argv);
int cmd_letters(int argc, char **argv);
/* "Góp ý", "Phản ánh – kiến nghị", "Đề nghị biểu dương". */
const char *cmd_fb_kind_vi(const char *kind);

#endif
