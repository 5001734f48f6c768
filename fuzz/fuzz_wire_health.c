/* fuzz_wire_health: libFuzzer target for the kiosk's health report as the collector reads it
 * (wire_decode_health). A report it accepts must encode again to one that decodes the same: what
 * is stored is what was sent. */
#include "util.h"
#include "wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wire_health h;
    char err[HL_ERR_MAX] = "";
    if (wire_decode_health((const char *)data, size, &h, err, sizeof err) != 0) {
        if (!err[0] || h.officers || h.reasons)
            abort(); /* a refusal says why and leaves nothing to free */
        return 0;
    }
    if (!wire_valid_kiosk_id(h.kiosk_id) || h.n_officers > WIRE_MAX_OFFICERS || h.unsent < 0)
        abort();
    for (size_t i = 0; i < h.n_officers; i++)
        if (!wire_valid_code(h.officers[i].code) || !h.officers[i].name[0])
            abort();
    if (h.n_reasons > WIRE_MAX_REASONS)
        abort();
    for (size_t i = 0; i < h.n_reasons; i++)
        if (!wire_valid_code(h.reasons[i].code) || !h.reasons[i].label[0] ||
            !util_utf8_is_nfc(h.reasons[i].label, NULL))
            abort();
    char *json = NULL;
    size_t len = 0;
    wire_health back;
    if (wire_encode_health(&h, &json, &len) != 0 ||
        wire_decode_health(json, len, &back, err, sizeof err) != 0)
        abort();
    if (strcmp(back.kiosk_id, h.kiosk_id) != 0 || back.sent_at != h.sent_at ||
        back.unsent != h.unsent || back.clock_suspect != h.clock_suspect ||
        strcmp(back.version, h.version) != 0 ||
        strcmp(back.content_version, h.content_version) != 0 || back.n_officers != h.n_officers ||
        back.n_reasons != h.n_reasons)
        abort();
    for (size_t i = 0; i < h.n_officers; i++)
        if (memcmp(&back.officers[i], &h.officers[i], sizeof h.officers[i]) != 0)
            abort();
    for (size_t i = 0; i < h.n_reasons; i++)
        if (memcmp(&back.reasons[i], &h.reasons[i], sizeof h.reasons[i]) != 0)
            abort();
    wire_health_free(&back);
    wire_health_free(&h);
    free(json);
    return 0;
}
