/* fuzz_proc_csv: libFuzzer target for the procedures spreadsheet import-procedures reads
 * (proc_parse_csv: RFC 4180 with ',' or ';', BOM, quoted line breaks). A CSV it accepts is
 * written as procedures.json by the import, so that JSON must load as the same procedures
 * (proc_roundtrip). Reads and writes no file. */
#include "proc.h"
#include "proc_roundtrip.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    proc_set *s = NULL;
    char err[HL_ERR_MAX] = "";
    if (proc_parse_csv(&s, (const char *)data, size, "fuzz.csv", err, sizeof err) == 0) {
        if (!s)
            abort();
        proc_roundtrip(s);
        proc_free(s);
    } else if (s || strncmp(err, "fuzz.csv", 8) != 0) {
        abort(); /* a failure leaves nothing and names the file (and line) */
    }
    return 0;
}
