/* fuzz_wire_results: libFuzzer target for the body of a collector's 200 as the kiosk's sender
 * reads it (wire_decode_results). What it accepts is what the sender then marks sent or
 * quarantines, and stores the reason of: checks the fields, and that the results written again
 * (wire_encode_results) read back the same. */
#include "util.h"
#include "wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wire_result *r = NULL;
    size_t n = 0;
    char bid[37] = "", err[HL_ERR_MAX] = "";
    if (wire_decode_results((const char *)data, size, bid, &r, &n, err, sizeof err) != 0) {
        if (r || n || !err[0])
            abort();
        return 0;
    }
    if (!wire_valid_uuid(bid) || n > WIRE_MAX_VOTES + WIRE_MAX_FEEDBACK || !r)
        abort();
    for (size_t i = 0; i < n; i++) {
        if ((r[i].uuid[0] && !wire_valid_uuid(r[i].uuid)) ||
            !memchr(r[i].reason, '\0', sizeof r[i].reason) ||
            (r[i].status != WIRE_ACCEPTED && r[i].status != WIRE_DUPLICATE &&
             r[i].status != WIRE_REJECTED))
            abort();
        /* The reason goes into votes.db and the log as text: it must stay valid UTF-8. */
        if (!wire_utf8_valid(r[i].reason, strlen(r[i].reason), NULL))
            abort();
    }
    char *json = NULL;
    size_t len = 0;
    if (wire_encode_results(bid, r, n, &json, &len) != 0)
        abort();
    wire_result *back = NULL;
    size_t back_n = 0;
    char back_bid[37];
    if (wire_decode_results(json, len, back_bid, &back, &back_n, err, sizeof err) != 0 ||
        back_n != n || strcmp(back_bid, bid) != 0)
        abort();
    for (size_t i = 0; i < n; i++)
        if (strcmp(back[i].uuid, r[i].uuid) != 0 || back[i].status != r[i].status ||
            (r[i].status == WIRE_REJECTED && strcmp(back[i].reason, r[i].reason) != 0))
            abort(); /* only a rejection's reason is written (and used) */
    free(back);
    free(json);
    free(r);
    return 0;
}
