/* cli: the option loop every command of hailong-kiosk shares, the configuration it names, and
 * the one format of usage errors. */
#include "cli.h"

#include <stdarg.h>
#include <string.h>

#include "log.h"
#include "store_read.h"
#include "util.h"

int cli_bad_usage(const cli_ctx *x, const char *fmt, ...)
{
    /* With CLI_MAIN_HINT the command's name is part of the message (and of its HL_ERR_MAX), as
     * it was when those commands called the program's own bad_usage. */
    char msg[HL_ERR_MAX];
    int main_hint = !x->cmd || (x->flags & CLI_MAIN_HINT);
    int off = 0;
    if (x->cmd && main_hint)
        off = snprintf(msg, sizeof msg, "%s: ", x->cmd);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + off, sizeof msg - (size_t)off, fmt, ap);
    va_end(ap);
    /* Meant for a person at a terminal, so printed as it is; but an error all the same, with the
     * journal's error priority when a service ran the command (log_plain). */
    if (main_hint)
        log_plain(LOG_ERROR, "hailong-kiosk: %s\nTry 'hailong-kiosk --help'.\n", msg);
    else
        log_plain(LOG_ERROR, "hailong-kiosk: %s: %s\nTry 'hailong-kiosk %s --help'.\n", x->cmd, msg,
                  x->cmd);
    return HL_EXIT_USAGE;
}

/* arg names o: "--name", or "--name=VALUE" where o allows it (then *eq is VALUE). */
static int opt_matches(const cli_ctx *x, const cli_opt *o, const char *arg, const char **eq)
{
    size_t n = strlen(o->name);
    if (strncmp(arg, o->name, n) != 0)
        return 0;
    *eq = NULL;
    if (arg[n] == '\0')
        return 1;
    int eq_ok = o->value && (o->flag || (x->flags & CLI_EQUALS));
    if (arg[n] != '=' || !eq_ok)
        return 0;
    *eq = arg + n + 1;
    return 1;
}

static const cli_opt *find_opt(const cli_ctx *x, const cli_opt *common, const cli_opt *extra,
                               const char *arg, const char **eq)
{
    for (const cli_opt *o = common; o->name; o++)
        if (opt_matches(x, o, arg, eq))
            return o;
    for (const cli_opt *o = extra; o && o->name; o++)
        if (opt_matches(x, o, arg, eq))
            return o;
    return NULL;
}

/* An argument that is no option: the command's one argument, or a mistake. -1 or exit code. */
static int not_an_option(cli_ctx *x, const char *arg)
{
    if (!(x->flags & CLI_ONE_ARG))
        return cli_bad_usage(x, "unknown argument \"%s\"", arg);
    if (arg[0] == '-' && arg[1]) /* a lone "-" is a file name */
        return cli_bad_usage(x, "unknown option \"%s\"", arg);
    if (x->arg)
        return cli_bad_usage(x, "one %s only (got \"%s\")", x->arg_name, arg);
    x->arg = arg;
    return -1;
}

int cli_common_opts(int argc, char **argv, const cli_opt *extra, cli_ctx *x)
{
    x->config = x->data_dir = x->arg = NULL;
    /* Without CLI_DATA_DIR the NULL name ends the table after --config. */
    const cli_opt common[] = {
        {"--config", &x->config, NULL, NULL, NULL},
        {(x->flags & CLI_DATA_DIR) ? "--data-dir" : NULL, &x->data_dir, NULL, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i], *eq;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            x->usage(stdout);
            return HL_EXIT_OK;
        }
        const cli_opt *o = find_opt(x, common, extra, arg, &eq);
        if (!o) {
            int rc = not_an_option(x, arg);
            if (rc >= 0)
                return rc;
            continue;
        }
        if (o->show) {
            o->show(stdout);
            return HL_EXIT_OK;
        }
        if (o->flag)
            *o->flag = 1;
        const char *v = eq;
        if (!v && o->flag)
            continue;
        if (!v) {
            if (i + 1 >= argc)
                return cli_bad_usage(x, "%s needs a value", o->name);
            v = argv[++i];
        }
        char msg[HL_ERR_MAX];
        if (o->check && o->check(v, msg, sizeof msg) != 0)
            return cli_bad_usage(x, "%s", msg);
        *o->value = v;
    }
    return -1;
}

int cli_load_config(const cli_ctx *x, cfg *c)
{
    char err[HL_ERR_MAX];
    cfg_defaults(c);
    if (x->config && cfg_load(c, x->config, err, sizeof err) != 0) {
        if (x->cmd && (x->flags & CLI_STRICT))
            log_plain(LOG_ERROR, "hailong-kiosk: %s: %s\n", x->cmd, err);
        else
            log_plain(LOG_ERROR, "hailong-kiosk: %s\n", err);
        return HL_EXIT_USAGE;
    }
    if (x->data_dir && util_strlcpy(c->data_dir, x->data_dir, sizeof c->data_dir) != 0 &&
        (x->flags & CLI_STRICT))
        return cli_bad_usage(x, "--data-dir: path too long");
    return 0;
}

int cli_refuse_newer(const cli_ctx *x, const char *data_dir)
{
    char err[HL_ERR_MAX];
    store_reader *r = NULL;
    store_rc rc = store_reader_open(&r, data_dir, err, sizeof err);
    store_reader_close(r);
    if (rc != STORE_NEWER_SCHEMA)
        return -1;
    log_plain(LOG_ERROR, "hailong-kiosk: %s: %s\n", x->cmd, err);
    return HL_EXIT_USAGE;
}
