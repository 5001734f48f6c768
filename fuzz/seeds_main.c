/* seeds_main: runs fuzz_wire_decode over files and directories of inputs without libFuzzer, so
 * the ordinary build compiles the target and ctest replays its corpus (and any crash files kept
 * there as regressions) under the sanitizers. */
#include "util.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    size_t len = 0;
    char *buf = util_read_file(path, &len);
    if (!buf) {
        fprintf(stderr, "%s: cannot read\n", path);
        return -1;
    }
    /* An exact-size copy, so ASan sees any read past the input's end. */
    uint8_t *exact = xmalloc(len);
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

int main(int argc, char **argv)
{
    int files = 0, errors = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "%s: not found\n", argv[i]);
            errors++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            errors += run_file(argv[i]) != 0;
            files++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char path[4096];
            if (util_fmt(path, sizeof path, "%s/%s", argv[i], e->d_name) != 0)
                continue;
            errors += run_file(path) != 0;
            files++;
        }
        if (d)
            closedir(d);
    }
    printf("fuzz seeds: %d inputs, %d unreadable\n", files, errors);
    return errors || files == 0 ? 1 : 0;
}
