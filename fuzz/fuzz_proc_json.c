/* fuzz_proc_json: libFuzzer target for procedures in JSON: procedures.json as the kiosk loads it
 * and a JSON file given to import-procedures (both proc_parse_json). What it accepts must survive
 * being written and read again (proc_roundtrip). Reads and writes no file. */
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
    if (proc_parse_json(&s, (const char *)data, size, "fuzz.json", err, sizeof err) == 0) {
        if (!s)
            abort();
        proc_roundtrip(s);
        proc_free(s);
    } else if (s || strncmp(err, "fuzz.json", 9) != 0) {
        abort(); /* a failure leaves nothing and names the file */
    }
    return 0;
}
