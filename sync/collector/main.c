/* hailong-collector: arguments → init | serve | kiosk add|revoke|list|health | operator
 * add|revoke|list | backup; user and totals are in cmd_users.c.
 * Exit codes: 0 ok, 1 runtime failure, 2 bad usage (the message names the flag or value and the
 * fix). The database comes from --db or from the config file's `db =`; there is no default, and
 * only init creates a database. */
#include "auth.h"
#include "cmds.h"
#include "clock.h"
#include "db.h"
#include "faults.h"
#include "log.h"
#include "report.h"
#include "server.h"
#include "retention.h"
#include "util.h"
#include "wire.h"

#include <errno.h>
#include <ini.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#define PROG    CMD_PROG
#define DB_HELP DB_HELP_TEXT

/* A test build (cmake -DHL_TEST_FAULTS=ON) says so in --version: the fault tests look for it, to
 * fail clearly rather than test nothing against a release binary. */
#ifdef HL_FAULTS
#define FAULTS_VERSION  ", test faults"
#define FAULTS_ENV_HELP "; HAILONG_COLLECTOR_FAULTS (tests only,\ndocs/COLLECTOR.md)"
#else
#define FAULTS_VERSION  ""
#define FAULTS_ENV_HELP ""
#endif

static const char usage_main[] =
    "Usage: " PROG " COMMAND [OPTIONS]\n"
    "Receives vote batches from Hài lòng kiosks and serves summaries and CSV exports.\n"
    "\n"
    "Commands:\n"
    "  init                  create the database (the only command that does)\n"
    "  serve                 run the HTTP server (POST /v1/kiosks/ID/vote-batches, ...)\n"
    "  kiosk add ID          enrol a kiosk and print its token (shown only once)\n"
    "  kiosk revoke ID       revoke the kiosk's token (it gets 403 from then on)\n"
    "  kiosk list            list enrolled kiosks, their votes and last delivery\n"
    "  kiosk health          each kiosk's last report: contact, version, clock, backlog\n"
    "  operator add NAME     make a token for the read side (summary, votes.csv)\n"
    "  operator revoke NAME  revoke an operator's token\n"
    "  operator list         list operators, what each may read, and their status\n"
    "  backup --out FILE     a consistent copy of the SQLite database, also while serving\n"
    "  user add NAME --role R  a dashboard account (province, commune or officer)\n"
    "  user list             list dashboard accounts, their roles and status\n"
    "  user disable NAME     close an account and end its sessions\n"
    "  totals rebuild        recompute the dashboard's totals from the votes\n"
    "  alert add NAME --kind K  an alert rule (e-mail, webhook); alert list|remove|log\n"
    "  feedback list         the citizens' feedback from the kiosks; feedback show|set|purge\n"
    "  unit set UNIT         a commune's letterhead for the Chairman's letters\n"
    "  letter ID --kind K    the Chairman's letter (xin-loi, cam-on) answering an item, as PDF\n"
    "  letters export        the register of letters sent, as XLSX\n"
    "\n"
    "Every command takes --db URL (or reads `db = URL` from " DEFAULT_CONF ",\n"
    "or --config FILE) and --help. A database that does not exist is an error (exit 2)\n"
    "except for init.\n"
    "Guide: docs/COLLECTOR.md. Protocol: docs/PROTOCOL.md.\n";

static const char usage_init[] =
    "Usage: " PROG " init [--db URL] [--config FILE]\n"
    "Creates the collector's database: the SQLite file and its tables, or the tables in an\n"
    "existing PostgreSQL database. On a database that already exists it only brings the schema\n"
    "up to date, says so, and exits 0, so install scripts may run it every time.\n"
    "\n" DB_HELP;

static const char usage_serve[] =
    "Usage: " PROG " serve [--listen HOST:PORT] [--db URL | --config FILE] [OPTIONS]\n"
    "Runs the collector until SIGINT or SIGTERM.\n"
    "\n"
    "  --listen HOST:PORT   address to listen on (default 127.0.0.1:8080); IPv6 as [::1]:8080;\n"
    "                       port 0 picks a free port (see --port-file)\n" DB_HELP
    "  --tls-cert FILE      serve HTTPS with this PEM certificate (chain) ...\n"
    "  --tls-key FILE       ... and this PEM private key\n"
    "  --rate N             batch requests per second allowed per kiosk (default 100; 0.5\n"
    "                       is one every 2 s)\n"
    "  --burst N            requests a kiosk may send at once (default 200)\n"
    "  --max-connections N  concurrent HTTP connections (default 256)\n"
    "  --max-per-ip N       of them from one client address (default 16; 0: no limit,\n"
    "                       behind a reverse proxy that connects from one address)\n"
    "  --db-connections N   database connections shared by them (default 8)\n"
    "  --timeout SECONDS    close a connection idle this long (default 30)\n"
    "  --header-timeout SECONDS  a request's headers must be in this long after it began\n"
    "                       (default 10), or the connection is closed: a client sending\n"
    "                       one header line now and then (slowloris) is never idle\n"
    "  --request-timeout SECONDS its body too (default 120); a request that has arrived\n"
    "                       whole has only --timeout. Unfinished connections may hold at\n"
    "                       most 3/4 of --max-connections: beyond, the oldest is closed\n"
    "  --port-file FILE     write the port once listening (for scripts and tests)\n"
    "  --alert-interval SECONDS  look for alerts and deliver them this often (default 30;\n"
    "                       0: no alerts); rules: `hailong-collector alert add`\n"
    "  --smtp-url URL       alerts by e-mail through this server: smtp://HOST:PORT (STARTTLS\n"
    "                       when offered) or smtps://HOST:PORT\n"
    "  --smtp-from ADDRESS  the alerts' sender address\n"
    "  --smtp-user NAME     --smtp-password-file FILE: SMTP login, the password in a file\n"
    "  --contact-retention-days N  erase the contact data citizens left with their feedback\n"
    "                       N days after it arrived (default 365; checked every hour)\n"
    "Each option but --port-file may be set in the config file instead, as key = value with\n"
    "the flag's name (listen, tls_cert, tls_key, rate, burst, max_connections,\n"
    "max_per_ip, db_connections, timeout, header_timeout, request_timeout, alert_interval,\n"
    "smtp_url, smtp_from, smtp_user, smtp_password_file, contact_retention_days); a flag on the\n"
    "command line wins.\n"
    "\n"
    "Environment: HAILONG_LOG=debug|info|warn|error" FAULTS_ENV_HELP ".\n";

static const char usage_kiosk[] =
    "Usage: " PROG " kiosk add ID [--unit NAME] [--db URL]\n"
    "       " PROG " kiosk revoke ID [--db URL]\n"
    "       " PROG " kiosk list [--db URL]\n"
    "       " PROG " kiosk health [--db URL]\n"
    "\n"
    "add     enrols kiosk ID (1-63 letters, digits, '-' or '_': the kiosk's [kiosk] id) and\n"
    "        prints its token on standard output. Only a hash is stored: copy the token into\n"
    "        the kiosk's config now; it cannot be shown again. A kiosk has one active token;\n"
    "        to replace it, revoke it and add the kiosk again.\n"
    "revoke  revokes the kiosk's token; its requests get 403 from then on.\n"
    "list    shows every kiosk: status, votes stored, last delivery (Vietnam time).\n"
    "health  shows every kiosk's last report (sent after each delivery and every few minutes):\n"
    "        when (Vietnam time), its version and content version, whether its clock is in\n"
    "        doubt, the votes it has not sent yet, and the officers its unit has sent.\n"
    "\n"
    "  --unit NAME  the commune or office the kiosk belongs to (summaries group by it)\n" DB_HELP;

static const char usage_operator[] =
    "Usage: " PROG " operator add NAME [--unit NAME] [--db URL]\n"
    "       " PROG " operator revoke NAME [--db URL]\n"
    "       " PROG " operator list [--db URL]\n"
    "\n"
    "add     makes a token for NAME (1-63 letters, digits, '-' or '_') for GET /v1/summary and\n"
    "        /v1/votes.csv and prints it on standard output, once; only a hash is stored.\n"
    "revoke  revokes NAME's token.\n"
    "list    shows every operator token ever made: name, status, what it reads, when made.\n"
    "\n"
    "  --unit NAME  the token reads only this unit's votes (as given at `kiosk add --unit`):\n"
    "               a commune's leader. Without it the token reads every unit (the "
    "province).\n" DB_HELP;

static const char usage_backup[] =
    "Usage: " PROG " backup --out FILE [--force] [--db URL | --config FILE]\n"
    "Copies the collector's SQLite database to FILE. It can run while the collector runs and\n"
    "stores batches: the copy is the database as it was when the backup began (SQLite's online\n"
    "backup), with every batch stored before then. FILE appears only when it is complete and\n"
    "has passed PRAGMA integrity_check; it is one SQLite file (no -wal/-shm), readable only by\n"
    "its owner. Nothing in the database is changed. Restore: docs/COLLECTOR.md, \"Back up\".\n"
    "A PostgreSQL database is backed up with pg_dump instead (the command says how).\n"
    "\n"
    "  --out FILE         the copy to write, e.g. /backup/collector-2026-11-26.db\n"
    "  --force            replace FILE if it exists (without it, FILE is left alone)\n" DB_HELP "\n"
    "Exit status: 0 saved, 1 could not read the database or write FILE (disk full, I/O error),\n"
    "2 bad usage (FILE exists without --force, its folder is missing or not writable), a\n"
    "PostgreSQL --db, a database that does not exist or that a newer " PROG " upgraded.\n";

int cmd_parse_args(const char *cmd, int argc, char **argv, const cmd_opt *opts, const char **pos,
                   int max_pos, int *n_pos, const char *usage)
{
    *n_pos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return -1;
        }
        if (strncmp(a, "--", 2) != 0) {
            if (*n_pos >= max_pos) {
                log_plain(LOG_ERROR, "%s %s: unexpected argument \"%s\"; see %s %s --help\n", PROG,
                          cmd, a, PROG, cmd);
                return HL_EXIT_USAGE;
            }
            pos[(*n_pos)++] = a;
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        const cmd_opt *o = NULL;
        for (const cmd_opt *p = opts; p->name; p++)
            if (strlen(p->name) == nlen && strncmp(p->name, a, nlen) == 0)
                o = p;
        if (!o) {
            log_plain(LOG_ERROR, "%s %s: unknown option %.*s; see %s %s --help\n", PROG, cmd,
                      (int)nlen, a, PROG, cmd);
            return HL_EXIT_USAGE;
        }
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v || !*v) {
            log_plain(LOG_ERROR, "%s %s: %s needs a value; see %s %s --help\n", PROG, cmd, o->name,
                      PROG, cmd);
            return HL_EXIT_USAGE;
        }
        *o->value = v;
    }
    return 0;
}

static int parse_count(const char *cmd, const char *flag, const char *v, long min, long max,
                       int *out)
{
    long n;
    if (util_parse_int(v, min, max, &n) != 0) {
        log_plain(LOG_ERROR, "%s %s: %s \"%s\" is not a whole number from %ld to %ld\n", PROG, cmd,
                  flag, v, min, max);
        return HL_EXIT_USAGE;
    }
    *out = (int)n;
    return 0;
}

/* A positive decimal such as 10 or 0.5 (strictly: the whole string, finite, in range). */
static int parse_rate(const char *cmd, const char *v, double *out)
{
    char *end = NULL;
    double d = strtod(v, &end);
    if (!*v || *end || !(d >= 0.001 && d <= 100000)) {
        log_plain(LOG_ERROR, "%s %s: --rate \"%s\" is not a number from 0.001 to 100000\n", PROG,
                  cmd, v);
        return HL_EXIT_USAGE;
    }
    *out = d;
    return 0;
}

/* ---- where the database is: --db, else `db =` in the config file ---- */

/* The file's keys: db for every command; the others are serve's flags without the leading dashes
 * (listen, tls_cert, ...), so that the packaged unit's ExecStart never changes and the whole
 * collector is set up in this one file. A flag on the command line wins over its key. */
static const char *const conf_names[] = {"db",
                                         "listen",
                                         "tls_cert",
                                         "tls_key",
                                         "rate",
                                         "burst",
                                         "timeout",
                                         "max_connections",
                                         "db_connections",
                                         "max_per_ip",
                                         "header_timeout",
                                         "request_timeout",
                                         "alert_interval",
                                         "smtp_url",
                                         "smtp_from",
                                         "smtp_user",
                                         "smtp_password_file",
                                         "contact_retention_days"};
enum { CONF_DB, CONF_LISTEN, CONF_N = (int)(sizeof conf_names / sizeof conf_names[0]) };

typedef struct {
    char val[CONF_N][2048];
    int have[CONF_N];
    char bad[400]; /* the first problem, without its line number */
} conf;

/* inih calls this for each key; returning 0 makes ini_parse_file report that line. */
static int conf_key(void *user, const char *section, const char *name, const char *value)
{
    conf *c = user;
    if (c->bad[0])
        return 1;
    if (section[0]) {
        snprintf(c->bad, sizeof c->bad, "section [%s] is not known; the keys go at the top",
                 section);
        return 0;
    }
    for (int i = 0; i < CONF_N; i++) {
        if (strcmp(name, conf_names[i]) != 0)
            continue;
        if (c->have[i]) {
            snprintf(c->bad, sizeof c->bad, "%s is set twice", name);
            return 0;
        }
        if (!value[0] || strlen(value) >= sizeof c->val[i]) {
            snprintf(c->bad, sizeof c->bad, "%s is empty or too long", name);
            return 0;
        }
        util_strlcpy(c->val[i], value, sizeof c->val[i]);
        c->have[i] = 1;
        return 1;
    }
    snprintf(c->bad, sizeof c->bad,
             "key \"%s\" is not known; the file takes db, listen, tls_cert, tls_key, rate, "
             "burst, timeout, max_connections, max_per_ip, db_connections, header_timeout, "
             "request_timeout, alert_interval, smtp_url, smtp_from, smtp_user, "
             "smtp_password_file",
             name);
    return 0;
}

static conf the_conf;         /* one command per process; *url points into it */
static const char *conf_path; /* the file the_conf was read from, NULL when none was */

/* Sets *url from db_flag, or else from the config file (--config, $HAILONG_COLLECTOR_CONF or
 * /etc/hailong/collector.conf). The file is read unless --db is given without --config (so a
 * command with --db alone, as in the tests, never picks up an installed file's settings). 0, or
 * 2 after saying what is wrong. A missing default file is no error by itself: only no database
 * at all is. */
int cmd_resolve_db(const char *cmd, const char *db_flag, const char *conf_flag, const char **url)
{
    conf *cp = &the_conf;
    conf_path = NULL;
    memset(cp, 0, sizeof *cp);
    const char *env = getenv(CONF_ENV);
    const char *path = conf_flag ? conf_flag : env && *env ? env : DEFAULT_CONF;
    const char *from = NULL;
    if (db_flag && !conf_flag) {
        *url = db_flag;
    } else {
        /* Read whole and bounded (a few KiB are plenty): inih reading /dev/zero line by line
         * would never end. */
        const size_t max = 256 * 1024;
        size_t len = 0;
        char *f = util_read_file_max(path, max, &len);
        if (!f && (conf_flag || errno != ENOENT)) {
            char why[96];
            util_read_why(errno, max, why, sizeof why);
            log_plain(LOG_ERROR, "%s %s: %s%s: cannot read: %s\n", PROG, cmd,
                      conf_flag ? "--config " : "", path, why);
            return HL_EXIT_USAGE;
        }
        if (f && memchr(f, '\0', len)) {
            free(f);
            log_plain(LOG_ERROR, "%s %s: %s: contains a NUL byte; it must be a text file\n", PROG,
                      cmd, path);
            return HL_EXIT_USAGE;
        }
        int have_file = f != NULL;
        if (f) {
            int line = ini_parse_string(f, conf_key, cp);
            free(f);
            if (line != 0) {
                log_plain(LOG_ERROR, "%s %s: %s line %d: %s\n", PROG, cmd, path, line,
                          cp->bad[0] ? cp->bad : "not key = value (INI syntax)");
                return HL_EXIT_USAGE;
            }
            conf_path = path;
        }
        if (db_flag) {
            *url = db_flag;
        } else if (!have_file || !cp->have[CONF_DB]) {
            log_plain(LOG_ERROR,
                      "%s %s: which database? Pass --db URL or set db = URL in %s (%s); e.g. "
                      "db = sqlite:/var/lib/hailong-collector/collector.db\n",
                      PROG, cmd, path, have_file ? "it has no db line" : "no such file");
            return HL_EXIT_USAGE;
        } else {
            *url = cp->val[CONF_DB];
            from = path;
        }
    }
    char err[HL_ERR_MAX];
    if (db_check_url(*url, err, sizeof err)) {
        log_plain(LOG_ERROR, "%s %s: %s%s%s%s\n", PROG, cmd, err, from ? " (db in " : "",
                  from ? from : "", from ? ")" : "");
        return HL_EXIT_USAGE;
    }
    return 0;
}

int cmd_open_db(const char *cmd, const char *url, db **d)
{
    char err[HL_ERR_MAX];
    int rc = db_open(url, d, err, sizeof err);
    if (rc)
        log_plain(LOG_ERROR, "%s %s: %s\n", PROG, cmd, err);
    return rc;
}

/* The database as a message may show it: a PostgreSQL URL can hold a password. */
static const char *db_label(const char *url)
{
    return strncmp(url, "sqlite:", 7) == 0 ? url : "the PostgreSQL database";
}

static int cmd_init(int argc, char **argv)
{
    const char *url = NULL, *config = NULL;
    cmd_opt opts[] = {{"--db", &url}, {"--config", &config}, {NULL, NULL}};
    const char *pos[1];
    int n_pos, rc = cmd_parse_args("init", argc, argv, opts, pos, 0, &n_pos, usage_init);
    if (rc)
        return rc < 0 ? 0 : rc;
    if ((rc = cmd_resolve_db("init", url, config, &url)) != 0)
        return rc;
    char err[HL_ERR_MAX];
    db *d = NULL;
    int created = 0;
    rc = db_create(url, &created, &d, err, sizeof err);
    if (rc) {
        log_plain(LOG_ERROR, "%s init: %s\n", PROG, err);
        return rc;
    }
    db_close(d);
    fprintf(stderr, "%s init: %s: %s (schema version %d)\n", PROG, db_label(url),
            created ? "collector database created"
                    : "collector database already exists, schema "
                      "up to date; nothing else changed",
            db_schema_version());
    return 0;
}

/* 0 when value is an address serve can listen on; else 2 after saying so (and the file the value
 * came from, when it came from one). */
static int check_listen(const char *value, const char *file)
{
    char err[HL_ERR_MAX];
    struct sockaddr_storage ss;
    socklen_t len;
    if (server_parse_listen(value, &ss, &len, err, sizeof err) == 0)
        return 0;
    log_plain(LOG_ERROR, "%s serve: %s%s%s\n", PROG, err, file ? "; listen in " : "",
              file ? file : "");
    return HL_EXIT_USAGE;
}

static int cmd_serve(int argc, char **argv)
{
    /* A request's buffers reach a few MiB (a body inflated up to its 4 MiB cap). glibc serves
     * those from mmap, but after the first is freed it raises its threshold to that size and
     * serves the next from its arenas, one per thread, which keep what was freed: under a flood
     * of such bodies test_load saw the collector stay at 9x its starting memory after the attack
     * ended. A fixed threshold keeps every large buffer in mmap, given back when freed. */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    /* Transparent huge pages, where the kernel is set to "always", turn each connection thread's
     * few KiB of stack and each arena's scattered live chunks into whole 2 MiB pages: a CI machine
     * saw the collector reach 400 MiB under test_load's attack and keep 330 MiB after it (+60 and
     * +4 here with "madvise"). A server of many short threads gains nothing from them. */
    if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0)
        log_warn("serve: transparent huge pages left on (prctl: %s)", strerror(errno));
    server_opts o;
    server_default_opts(&o);
    const char *rate = NULL, *burst = NULL, *maxc = NULL, *dbc = NULL, *timeout = NULL;
    const char *perip = NULL, *htimeout = NULL, *rtimeout = NULL, *alerti = NULL;
    const char *smtp_pw_file = NULL, *retention_days = NULL;
    const char *config = NULL, *listen = NULL; /* listen: o.listen's default unless set */
    cmd_opt opts[] = {{"--listen", &listen},
                      {"--db", &o.db_url},
                      {"--config", &config},
                      {"--tls-cert", &o.tls_cert},
                      {"--tls-key", &o.tls_key},
                      {"--port-file", &o.port_file},
                      {"--rate", &rate},
                      {"--burst", &burst},
                      {"--max-connections", &maxc},
                      {"--db-connections", &dbc},
                      {"--timeout", &timeout},
                      {"--max-per-ip", &perip},
                      {"--header-timeout", &htimeout},
                      {"--request-timeout", &rtimeout},
                      {"--alert-interval", &alerti},
                      {"--smtp-url", &o.smtp_url},
                      {"--smtp-from", &o.smtp_from},
                      {"--smtp-user", &o.smtp_user},
                      {"--smtp-password-file", &smtp_pw_file},
                      {"--contact-retention-days", &retention_days},
                      {NULL, NULL}};
    const char *pos[1];
    int n_pos, rc = cmd_parse_args("serve", argc, argv, opts, pos, 0, &n_pos, usage_serve);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (listen && check_listen(listen, NULL)) /* a bad flag is said before a missing database */
        return HL_EXIT_USAGE;
    if ((rc = cmd_resolve_db("serve", o.db_url, config, &o.db_url)) != 0)
        return rc;
    /* Settings the command line leaves out come from the file's keys of the same names. */
    const char **from_file[CONF_N] = {
        NULL,     &listen,     &o.tls_cert,  &o.tls_key,   &rate,         &burst,
        &timeout, &maxc,       &dbc,         &perip,       &htimeout,     &rtimeout,
        &alerti,  &o.smtp_url, &o.smtp_from, &o.smtp_user, &smtp_pw_file, &retention_days};
    int listen_from_file = !listen && the_conf.have[CONF_LISTEN];
    for (int i = 1; i < CONF_N; i++)
        if (!*from_file[i] && the_conf.have[i])
            *from_file[i] = the_conf.val[i];
    if (listen)
        o.listen = listen;
    int b = (int)o.burst;
    if ((rate && parse_rate("serve", rate, &o.rate)) ||
        (burst && parse_count("serve", "--burst", burst, 1, 100000, &b)) ||
        (maxc && parse_count("serve", "--max-connections", maxc, 1, 10000, &o.max_connections)) ||
        (dbc && parse_count("serve", "--db-connections", dbc, 1, 1000, &o.db_connections)) ||
        (timeout && parse_count("serve", "--timeout", timeout, 1, 3600, &o.timeout_s)) ||
        (perip && parse_count("serve", "--max-per-ip", perip, 0, 10000, &o.max_per_ip)) ||
        (htimeout &&
         parse_count("serve", "--header-timeout", htimeout, 1, 3600, &o.header_timeout_s)) ||
        (rtimeout &&
         parse_count("serve", "--request-timeout", rtimeout, 1, 86400, &o.request_timeout_s)) ||
        (alerti &&
         parse_count("serve", "--alert-interval", alerti, 0, 3600, &o.alert_interval_s)) ||
        (retention_days && parse_count("serve", "--contact-retention-days", retention_days, 1,
                                       RETENTION_MAX_DAYS, &o.contact_retention_days))) {
        if (conf_path)
            log_plain(LOG_ERROR, "%s serve: (flags not on the command line are read from %s)\n",
                      PROG, conf_path);
        return HL_EXIT_USAGE;
    }
    o.burst = b;
    /* The SMTP password is never an argument (ps and the shell's history show those). */
    char smtp_pw[256] = "";
    if (smtp_pw_file) {
        FILE *f = fopen(smtp_pw_file, "r");
        if (!f || !fgets(smtp_pw, sizeof smtp_pw, f)) {
            log_plain(LOG_ERROR, "%s serve: --smtp-password-file %s: cannot read it%s%s\n", PROG,
                      smtp_pw_file, f ? "" : ": ", f ? "" : strerror(errno));
            if (f)
                fclose(f);
            return HL_EXIT_USAGE;
        }
        fclose(f);
        smtp_pw[strcspn(smtp_pw, "\r\n")] = '\0';
        o.smtp_password = smtp_pw;
    }
    if (listen_from_file && check_listen(o.listen, conf_path))
        return HL_EXIT_USAGE;
    char err[HL_ERR_MAX];
    if (fault_parse_env(err, sizeof err)) {
        log_plain(LOG_ERROR, "%s serve: %s\n", PROG, err);
        return HL_EXIT_USAGE;
    }
    /* Open it once here, so that a missing database (exit 2) or a newer schema is said before
     * the server starts; the server's own connections use the same db_open, never creating. */
    db *d = NULL;
    if ((rc = cmd_open_db("serve", o.db_url, &d)) != 0)
        return rc;
    db_close(d);
    rc = server_run(&o, err, sizeof err);
    if (rc)
        log_plain(LOG_ERROR, "%s serve: %s\n", PROG, err);
    return rc;
}

static int cmd_backup(int argc, char **argv)
{
    const char *url = NULL, *config = NULL, *out = NULL, *force = NULL;
    cmd_opt opts[] = {{"--db", &url}, {"--config", &config}, {"--out", &out}, {NULL, NULL}};
    /* --force takes no value: taken out before parse_args, which reads --flag VALUE. */
    char *rest[64];
    int n_rest = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--force") == 0) {
            force = argv[i];
            continue;
        }
        if (n_rest == (int)HL_ARRAY_LEN(rest)) {
            log_plain(LOG_ERROR, "%s backup: too many arguments; see %s backup --help\n", PROG,
                      PROG);
            return HL_EXIT_USAGE;
        }
        rest[n_rest++] = argv[i];
    }
    const char *pos[1];
    int n_pos, rc = cmd_parse_args("backup", n_rest, rest, opts, pos, 0, &n_pos, usage_backup);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!out) {
        log_plain(LOG_ERROR,
                  "%s backup: where to? Add --out FILE, e.g. --out /backup/collector.db; see %s "
                  "backup --help\n",
                  PROG, PROG);
        return HL_EXIT_USAGE;
    }
    if ((rc = cmd_resolve_db("backup", url, config, &url)) != 0)
        return rc;
    char err[HL_ERR_MAX];
    db_backup_info info;
    rc = db_backup(url, out, force != NULL, &info, err, sizeof err);
    if (rc) {
        log_plain(LOG_ERROR, "%s backup: %s%s\n", PROG, err,
                  !force && strstr(err, "already exists") ? "; add --force to replace it" : "");
        return rc;
    }
    printf("Saved %s to %s: %lld votes from %lld kiosks, schema %d, %lld bytes; integrity_check "
           "ok\n",
           url + 7, out, (long long)info.votes, (long long)info.kiosks, info.schema,
           (long long)info.bytes);
    return 0;
}

int cmd_valid_unit(const char *s)
{
    size_t bad;
    if (strlen(s) > 200 || !util_utf8_is_nfc(s, &bad))
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

static int print_kiosk(const db_kiosk_row *k, void *ctx)
{
    (void)ctx;
    char last[20] = "-";
    if (k->last_received_at > 0)
        report_local_time(k->last_received_at, last);
    printf("%-24s %-8s %9lld  %-19s  %s\n", k->id, k->active ? "active" : "revoked",
           (long long)k->votes, last, k->unit);
    return 0;
}

static int print_health(const db_health_row *h, void *ctx)
{
    (void)ctx;
    char last[20] = "never";
    if (h->last_contact > 0)
        report_local_time(h->last_contact, last);
    printf("%-24s %-19s  %-10s %-16s %-6s %7lld %8lld  %s\n", h->id, last,
           h->version[0] ? h->version : "-", h->content_version[0] ? h->content_version : "-",
           h->last_contact == 0 ? "-"
           : h->clock_suspect   ? "wrong"
                                : "ok",
           (long long)h->unsent, (long long)h->officers, h->unit);
    return 0;
}

static int print_operator(const db_operator_row *o, void *ctx)
{
    (void)ctx;
    char made[20];
    report_local_time(o->created_at, made);
    printf("%-24s %-8s %-19s  %s\n", o->name, o->revoked_at ? "revoked" : "active", made,
           o->unit[0] ? o->unit : "(every unit)");
    return 0;
}

/* kiosk and operator share their shape: add / revoke NAME, list. */
static int cmd_tokens(int kind, int argc, char **argv)
{
    const char *cmd = kind == DB_TOKEN_KIOSK ? "kiosk" : "operator";
    const char *usage = kind == DB_TOKEN_KIOSK ? usage_kiosk : usage_operator;
    const char *url = NULL, *config = NULL, *unit = NULL;
    cmd_opt opts[] = {{"--db", &url}, {"--config", &config}, {"--unit", &unit}, {NULL, NULL}};
    const char *pos[2];
    int n_pos;
    int rc = cmd_parse_args(cmd, argc, argv, opts, pos, 2, &n_pos, usage);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (n_pos == 0) {
        log_plain(LOG_ERROR, "%s %s: say what to do: %s; see %s %s --help\n", PROG, cmd,
                  kind == DB_TOKEN_KIOSK ? "add, revoke, list or health" : "add, revoke or list",
                  PROG, cmd);
        return HL_EXIT_USAGE;
    }
    const char *action = pos[0];
    int is_health = kind == DB_TOKEN_KIOSK && strcmp(action, "health") == 0;
    int is_list = strcmp(action, "list") == 0 || is_health;
    if (!is_list && strcmp(action, "add") != 0 && strcmp(action, "revoke") != 0) {
        log_plain(LOG_ERROR, "%s %s: \"%s\" is not a command; use %s\n", PROG, cmd, action,
                  kind == DB_TOKEN_KIOSK ? "add, revoke, list or health" : "add, revoke or list");
        return HL_EXIT_USAGE;
    }
    if (is_list ? n_pos != 1 : n_pos != 2) {
        log_plain(LOG_ERROR, "%s %s %s: %s; see %s %s --help\n", PROG, cmd, action,
                  is_list ? "takes no name" : "name the one to act on", PROG, cmd);
        return HL_EXIT_USAGE;
    }
    const char *name = is_list ? NULL : pos[1];
    if (name && !wire_valid_kiosk_id(name)) {
        log_plain(LOG_ERROR,
                  "%s %s %s: \"%s\" is not a valid %s; use 1 to 63 letters A-Z a-z, digits, '-' "
                  "or '_'\n",
                  PROG, cmd, action, name, kind == DB_TOKEN_KIOSK ? "kiosk id" : "name");
        return HL_EXIT_USAGE;
    }
    if (unit && (strcmp(action, "add") != 0 || !cmd_valid_unit(unit))) {
        log_plain(
            LOG_ERROR, "%s %s %s: --unit %s\n", PROG, cmd, action,
            strcmp(action, "add") != 0
                ? (kind == DB_TOKEN_KIOSK ? "belongs to `kiosk add`" : "belongs to `operator add`")
                : "must be UTF-8 text in NFC, without control characters, up to 200 bytes");
        return HL_EXIT_USAGE;
    }
    if ((rc = cmd_resolve_db(cmd, url, config, &url)) != 0)
        return rc;
    if (auth_init() != 0) {
        log_plain(LOG_ERROR, "%s: libsodium: cannot initialise\n", PROG);
        return HL_EXIT_RUNTIME;
    }
    db *d = NULL;
    if ((rc = cmd_open_db(cmd, url, &d)) != 0)
        return rc;
    char err[HL_ERR_MAX];
    hl_clock clk = clk_real();
    int64_t now = clk_wall_ms(&clk);
    if (is_health) {
        printf("%-24s %-19s  %-10s %-16s %-6s %7s %8s  %s\n", "KIOSK", "LAST CONTACT", "VERSION",
               "CONTENT", "CLOCK", "UNSENT", "OFFICERS", "UNIT");
        rc = db_health_list(d, print_health, NULL, err, sizeof err);
    } else if (is_list && kind == DB_TOKEN_KIOSK) {
        printf("%-24s %-8s %9s  %-19s  %s\n", "KIOSK", "STATUS", "VOTES", "LAST DELIVERY", "UNIT");
        rc = db_kiosk_list(d, print_kiosk, NULL, err, sizeof err);
    } else if (is_list) {
        printf("%-24s %-8s %-19s  %s\n", "OPERATOR", "STATUS", "MADE", "READS");
        rc = db_operator_list(d, print_operator, NULL, err, sizeof err);
    } else if (strcmp(action, "revoke") == 0) {
        rc = db_token_revoke(d, kind, name, now, err, sizeof err);
        if (rc == 0)
            fprintf(stderr, "%s %s: token revoked\n", cmd, name);
    } else {
        char token[AUTH_TOKEN_MAX], hash[AUTH_HASH_HEX];
        auth_new_token(kind == DB_TOKEN_KIOSK ? AUTH_KIOSK_PREFIX : AUTH_OPERATOR_PREFIX, token);
        auth_hash(token, hash);
        rc = kind == DB_TOKEN_KIOSK ? db_kiosk_add(d, name, unit, hash, now, err, sizeof err)
                                    : db_operator_add(d, name, unit, hash, now, err, sizeof err);
        if (rc == 0) {
            puts(token);
            fprintf(stderr,
                    "%s %s enrolled. The line above is its token, shown only this once: the "
                    "collector keeps only a hash.\n",
                    cmd, name);
        }
        memset(token, 0, sizeof token);
    }
    if (rc)
        log_plain(LOG_ERROR, "%s %s %s: %s\n", PROG, cmd, action, err);
    db_close(d);
    return rc;
}

int main(int argc, char **argv)
{
    /* Reads HAILONG_LOG now, before any server thread logs. */
    log_msg(LOG_DEBUG, "%s %s", PROG, HL_VERSION);
    if (argc < 2) {
        fputs(usage_main, stderr);
        return HL_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("%s %s (protocol v%d%s)\n", PROG, HL_VERSION, WIRE_VERSION, FAULTS_VERSION);
        return 0;
    }
    if (strcmp(cmd, "init") == 0)
        return cmd_init(argc - 2, argv + 2);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 2, argv + 2);
    if (strcmp(cmd, "kiosk") == 0)
        return cmd_tokens(DB_TOKEN_KIOSK, argc - 2, argv + 2);
    if (strcmp(cmd, "operator") == 0)
        return cmd_tokens(DB_TOKEN_OPERATOR, argc - 2, argv + 2);
    if (strcmp(cmd, "backup") == 0)
        return cmd_backup(argc - 2, argv + 2);
    if (strcmp(cmd, "user") == 0)
        return cmd_user(argc - 2, argv + 2);
    if (strcmp(cmd, "totals") == 0)
        return cmd_totals(argc - 2, argv + 2);
    if (strcmp(cmd, "alert") == 0)
        return cmd_alert(argc - 2, argv + 2);
    if (strcmp(cmd, "feedback") == 0)
        return cmd_feedback(argc - 2, argv + 2);
    if (strcmp(cmd, "unit") == 0)
        return cmd_unit(argc - 2, argv + 2);
    if (strcmp(cmd, "letter") == 0)
        return cmd_letter(argc - 2, argv + 2);
    if (strcmp(cmd, "letters") == 0)
        return cmd_letters(argc - 2, argv + 2);
    log_plain(LOG_ERROR, "%s: \"%s\" is not a command; see %s --help\n", PROG, cmd, PROG);
    return HL_EXIT_USAGE;
}
