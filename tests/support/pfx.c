/* pfx: the proc tests' sample file. */
#include "pfx.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

const char *pfx_sample_csv(void)
{
    static char path[PATH_MAX];
    if (!path[0]) {
        const char *src = getenv("HL_TEST_SRC");
        util_fmt(path, sizeof path, "%s/data/procedures-sample.csv", src ? src : ".");
    }
    return path;
}

proc_set *pfx_load_sample(void)
{
    size_t len;
    char *text = util_read_file(pfx_sample_csv(), &len);
    if (!text) {
        perror(pfx_sample_csv());
        return NULL;
    }
    char err[HL_ERR_MAX] = "";
    proc_set *s = NULL;
    if (proc_parse_csv(&s, text, len, pfx_sample_csv(), err, sizeof err) != 0)
        fprintf(stderr, "  %s\n", err);
    free(text);
    return s;
}
