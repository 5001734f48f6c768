/* cmd_users: the commands for the dashboard's accounts (user add|list|disable) and the totals it
 * reads (totals rebuild). A password is never an argument (it would show in `ps` and the shell's
 * history): it is typed twice at a terminal, or read as one line from standard input. */
#include "auth.h"
#include "cmds.h"
#include "clock.h"
#include "log.h"
#include "report.h"
#include "util.h"
#include "wire.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* Long enough that the lock-out (web_auth.c) leaves a guesser no chance. */
#define PW_MIN 10
#define PW_MAX 128

static const char usage_user[] =
    "Usage: " CMD_PROG " user add NAME --role province|commune|officer [--unit UNIT]\n"
    "                        [--officer CODE] [--db URL]\n"
    "       " CMD_PROG " user list [--db URL]\n"
    "       " CMD_PROG " user disable NAME [--db URL]\n"
    "\n"
    "Accounts of the web dashboard (docs/COLLECTOR.md, \"Dashboard\").\n"
    "add      creates NAME (1-63 letters, digits, '-' or '_'), or replaces its role and password\n"
    "         (and unlocks it). The password is asked twice at a terminal, or read as one line\n"
    "         from standard input; at least 10 characters. Only an argon2id hash is stored.\n"
    "list     shows every account: role, unit, officer, status (active, locked, disabled).\n"
    "disable  closes NAME's account and ends its sessions at once.\n"
    "\n"
    "  --role province  sees every commune (the province's operators)\n"
    "  --role commune   sees one commune: --unit, as given at `kiosk add --unit`\n"
    "  --role officer   sees only their own results: --unit and --officer (the officer's code in\n"
    "                   the kiosk's content)\n" DB_HELP_TEXT;

static const char usage_totals[] =
    "Usage: " CMD_PROG " totals rebuild [--db URL]\n"
    "Recomputes the totals the dashboard and /v1/summary read (per day, kiosk and officer; per\n"
    "hour; reasons) from the votes, in one transaction. The collector keeps them up to date by\n"
    "itself; run this only after changing votes by hand in SQL.\n" DB_HELP_TEXT;

/* One line of standard input, without its newline, echo off when it is a terminal. 0, or -1. */
static int read_secret(const char *prompt, char *out, size_t cap)
{
    int tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fputs(prompt, stderr);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        } else {
            tty = 0;
        }
    }
    int rc = fgets(out, (int)cap, stdin) ? 0 : -1;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (rc == 0)
        out[strcspn(out, "\r\n")] = '\0';
    return rc;
}

static int ask_password(const char *name, char pw[PW_MAX + 2])
{
    char again[PW_MAX + 2];
    if (read_secret("Mật khẩu: ", pw, PW_MAX + 2) != 0) {
        log_plain(LOG_ERROR,
                  "%s user add %s: no password on standard input; type it, or pipe "
                  "one line\n",
                  CMD_PROG, name);
        return HL_EXIT_USAGE;
    }
    size_t n = strlen(pw), bad;
    if (n < PW_MIN || n > PW_MAX || !util_utf8_is_nfc(pw, &bad)) {
        log_plain(LOG_ERROR,
                  "%s user add %s: the password must be %d to %d characters of UTF-8 "
                  "text\n",
                  CMD_PROG, name, PW_MIN, PW_MAX);
        return HL_EXIT_USAGE;
    }
    if (isatty(STDIN_FILENO)) {
        int same = read_secret("Nhập lại: ", again, sizeof again) == 0 && strcmp(pw, again) == 0;
        sodium_memzero(again, sizeof again);
        if (!same) {
            log_plain(LOG_ERROR, "%s user add %s: the two passwords differ; nothing changed\n",
                      CMD_PROG, name);
            return HL_EXIT_USAGE;
        }
    }
    return 0;
}

static int print_user(const db_user *u, void *ctx)
{
    int64_t now = *(const int64_t *)ctx;
    char made[20], until[20];
    report_local_time(u->created_at, made);
    report_local_time(u->locked_until, until);
    char status[40];
    if (u->disabled_at)
        util_strlcpy(status, "disabled", sizeof status);
    else if (u->locked_until > now)
        util_fmt(status, sizeof status, "locked to %.5s", until + 11);
    else
        util_strlcpy(status, "active", sizeof status);
    printf("%-24s %-9s %-16s %-19s  %-12s %s\n", u->name, db_role_name(u->role), status, made,
           u->officer_code[0] ? u->officer_code : "-", u->unit[0] ? u->unit : "(every unit)");
    return 0;
}

int cmd_user(int argc, char **argv)
{
    const char *url = NULL, *config = NULL, *role = NULL, *unit = NULL, *officer = NULL;
    cmd_opt opts[] = {{"--db", &url},    {"--config", &config},   {"--role", &role},
                      {"--unit", &unit}, {"--officer", &officer}, {NULL, NULL}};
    const char *pos[2];
    int n_pos, rc = cmd_parse_args("user", argc, argv, opts, pos, 2, &n_pos, usage_user);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *action = n_pos ? pos[0] : "";
    int add = strcmp(action, "add") == 0, list = strcmp(action, "list") == 0,
        disable = strcmp(action, "disable") == 0;
    if (!add && !list && !disable) {
        log_plain(LOG_ERROR, "%s user: say what to do: add, list or disable; see %s user --help\n",
                  CMD_PROG, CMD_PROG);
        return HL_EXIT_USAGE;
    }
    if (list ? n_pos != 1 : n_pos != 2) {
        log_plain(LOG_ERROR, "%s user %s: %s; see %s user --help\n", CMD_PROG, action,
                  list ? "takes no name" : "name the account", CMD_PROG);
        return HL_EXIT_USAGE;
    }
    const char *name = list ? NULL : pos[1];
    if (name && !wire_valid_kiosk_id(name)) {
        log_plain(LOG_ERROR,
                  "%s user %s: \"%s\" is not a valid name; use 1 to 63 letters A-Z a-z, "
                  "digits, '-' or '_'\n",
                  CMD_PROG, action, name);
        return HL_EXIT_USAGE;
    }
    db_user u = {0};
    if (add) {
        u.role = role ? db_role_parse(role) : -1;
        const char *why =
            u.role < 0 ? "--role: say province, commune or officer"
            : u.role != DB_ROLE_PROVINCE && (!unit || !*unit)
                ? "--unit: a commune's or officer's account needs its unit"
            : u.role == DB_ROLE_PROVINCE && unit ? "--unit: a province account sees "
                                                   "every unit; leave it out"
            : unit && !cmd_valid_unit(unit)
                ? "--unit: must be UTF-8 text in NFC, without control characters, "
                  "up to 200 bytes"
            : u.role == DB_ROLE_OFFICER && (!officer || !*officer)
                ? "--officer: an officer's account needs the officer's code"
            : u.role != DB_ROLE_OFFICER && officer ? "--officer: belongs to --role officer"
            : officer && (strlen(officer) >= sizeof u.officer_code || !wire_valid_kiosk_id(officer))
                ? "--officer: 1 to 31 letters, digits, '-' or '_'"
                : NULL;
        if (why) {
            log_plain(LOG_ERROR, "%s user add %s: %s\n", CMD_PROG, name, why);
            return HL_EXIT_USAGE;
        }
        util_strlcpy(u.name, name, sizeof u.name);
        util_strlcpy(u.unit, unit ? unit : "", sizeof u.unit);
        util_strlcpy(u.officer_code, officer ? officer : "", sizeof u.officer_code);
    } else if (role || unit || officer) {
        log_plain(LOG_ERROR, "%s user %s: --role, --unit and --officer belong to `user add`\n",
                  CMD_PROG, action);
        return HL_EXIT_USAGE;
    }
    if ((rc = cmd_resolve_db("user", url, config, &url)) != 0)
        return rc;
    if (auth_init() != 0) {
        log_plain(LOG_ERROR, "%s: libsodium: cannot initialise\n", CMD_PROG);
        return HL_EXIT_RUNTIME;
    }
    if (add) {
        char pw[PW_MAX + 2];
        rc = ask_password(name, pw);
        if (rc == 0 && auth_password_hash(pw, u.pw_hash) != 0) {
            log_plain(LOG_ERROR, "%s user add: not enough memory to hash the password\n", CMD_PROG);
            rc = HL_EXIT_RUNTIME;
        }
        sodium_memzero(pw, sizeof pw);
        if (rc)
            return rc;
    }
    db *d = NULL;
    if ((rc = cmd_open_db("user", url, &d)) != 0)
        return rc;
    char err[HL_ERR_MAX];
    hl_clock clk = clk_real();
    int64_t now = clk_wall_ms(&clk);
    if (list) {
        printf("%-24s %-9s %-16s %-19s  %-12s %s\n", "USER", "ROLE", "STATUS", "MADE", "OFFICER",
               "UNIT");
        rc = db_user_list(d, print_user, &now, err, sizeof err);
    } else if (disable) {
        rc = db_user_disable(d, name, now, err, sizeof err);
        if (rc == 0)
            fprintf(stderr, "user %s: disabled; its sessions are ended\n", name);
    } else {
        rc = db_user_put(d, &u, now, err, sizeof err);
        if (rc == 0)
            fprintf(stderr, "user %s: saved (%s%s%s)\n", name, db_role_name(u.role),
                    u.unit[0] ? ", " : "", u.unit);
    }
    if (rc)
        log_plain(LOG_ERROR, "%s user %s: %s\n", CMD_PROG, action, err);
    db_close(d);
    return rc;
}

int cmd_totals(int argc, char **argv)
{
    const char *url = NULL, *config = NULL;
    cmd_opt opts[] = {{"--db", &url}, {"--config", &config}, {NULL, NULL}};
    const char *pos[1];
    int n_pos, rc = cmd_parse_args("totals", argc, argv, opts, pos, 1, &n_pos, usage_totals);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (n_pos != 1 || strcmp(pos[0], "rebuild") != 0) {
        log_plain(LOG_ERROR,
                  "%s totals: the one command is `totals rebuild`; see %s totals "
                  "--help\n",
                  CMD_PROG, CMD_PROG);
        return HL_EXIT_USAGE;
    }
    if ((rc = cmd_resolve_db("totals", url, config, &url)) != 0)
        return rc;
    db *d = NULL;
    if ((rc = cmd_open_db("totals", url, &d)) != 0)
        return rc;
    char err[HL_ERR_MAX];
    rc = db_totals_rebuild(d, err, sizeof err);
    if (rc)
        log_plain(LOG_ERROR, "%s totals rebuild: %s\n", CMD_PROG, err);
    else
        fprintf(stderr, "totals rebuilt from the votes\n");
    db_close(d);
    return rc;
}
