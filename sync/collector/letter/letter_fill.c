/* letter_fill: a template of the commune's with its {placeholders} replaced. Strict on purpose:
 * the commune edits these files by hand, and a misspelt {nguoi_nhan} must stop the letter with the
 * line to fix, never reach a citizen as "{ngươi_nhan}". */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "letter.h"
#include "util.h"

#define NAME_MAX_LEN 64

static const letter_var *find(const letter_var *vars, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (vars[i].name && strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0)
            return &vars[i];
    return NULL;
}

int letter_fill(const char *tmpl, const letter_var *vars, size_t n, char **out, char *err,
                size_t errlen)
{
    *out = NULL;
    if (!tmpl)
        return util_fail(err, errlen, -1, "no template");
    const char *bad;
    if (!g_utf8_validate(tmpl, -1, &bad)) {
        int line = 1;
        for (const char *s = tmpl; s < bad; s++)
            line += *s == '\n';
        return util_fail(err, errlen, -1, "line %d: the template is not valid UTF-8", line);
    }
    for (size_t i = 0; i < n; i++)
        if (vars[i].value && !g_utf8_validate(vars[i].value, -1, NULL))
            return util_fail(err, errlen, -1, "the value of {%s} is not valid UTF-8",
                             vars[i].name ? vars[i].name : "?");
    buf b = {0};
    int line = 1;
    const char *s = tmpl;
    while (*s) {
        const char *brace = strchr(s, '{');
        size_t plain = brace ? (size_t)(brace - s) : strlen(s);
        for (size_t i = 0; i < plain; i++)
            line += s[i] == '\n';
        buf_add(&b, s, plain);
        if (!brace)
            break;
        if (brace[1] == '{') { /* {{ is a literal brace */
            buf_add(&b, "{", 1);
            s = brace + 2;
            continue;
        }
        const char *name = brace + 1, *e = name;
        while ((*e >= 'a' && *e <= 'z') || *e == '_')
            e++;
        size_t len = (size_t)(e - name);
        if (*e != '}' || len == 0 || len > NAME_MAX_LEN) {
            buf_free(&b);
            return util_fail(err, errlen, -1,
                             "line %d: \"{\" starts no placeholder (a placeholder is {name} of "
                             "a-z and _; write {{ for a brace)",
                             line);
        }
        const letter_var *v = find(vars, n, name, len);
        if (!v) {
            buf_free(&b);
            return util_fail(err, errlen, -1, "line %d: unknown placeholder {%.*s}", line, (int)len,
                             name);
        }
        if (!v->value) {
            buf_free(&b);
            return util_fail(err, errlen, -1, "line %d: placeholder {%.*s} has no value", line,
                             (int)len, name);
        }
        buf_str(&b, v->value);
        s = e + 1;
    }
    *out = b.p ? buf_take(&b) : xstrdup("");
    return 0;
}
