/* fuzz_wire_decode: libFuzzer target for everything the collector and the kiosk parse from the
 * network: a batch body, a gzip body, a results body. Checks that a batch that decodes whole
 * re-encodes to bytes that decode to the same batch (the resend contract). */
#include "util.h"
#include "wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_batch(const char *s, size_t n)
{
    wire_batch b;
    char err[HL_ERR_MAX];
    if (wire_decode_batch(s, n, &b, err, sizeof err) != 0)
        return;
    if (b.n + b.n_feedback < 1 || b.n > WIRE_MAX_VOTES || b.n_feedback > WIRE_MAX_FEEDBACK)
        abort();
    int all_ok = 1;
    for (size_t i = 0; i < b.n; i++) {
        if (b.results[i].uuid[0] && !wire_valid_uuid(b.results[i].uuid))
            abort();
        if (b.results[i].status == WIRE_REJECTED && !b.results[i].reason[0])
            abort();
        all_ok &= b.results[i].status == WIRE_ACCEPTED;
    }
    /* A feedback item accepted passed the very check the kiosk applies before storing one. */
    for (size_t i = 0; i < b.n_feedback; i++) {
        char why[200];
        int accepted = b.fb_results[i].status == WIRE_ACCEPTED;
        if (accepted && wire_feedback_check(&b.feedback[i], why, sizeof why) != 0)
            abort();
        if (accepted && !b.feedback[i].consent &&
            (b.feedback[i].contact_name[0] || b.feedback[i].contact_phone[0] ||
             b.feedback[i].contact_address[0]))
            abort();
        all_ok &= accepted;
    }
    char *once = NULL, *twice = NULL, *res = NULL;
    size_t once_len = 0, twice_len = 0, res_len = 0;
    if (wire_encode_results(b.batch_id, b.results, b.n, &res, &res_len) != 0)
        abort();
    wire_result *back = NULL;
    size_t back_n = 0;
    char bid[37];
    /* The kiosk must be able to read every results body the collector can write. */
    if (wire_decode_results(res, res_len, bid, &back, &back_n, err, sizeof err) != 0 ||
        back_n != b.n)
        abort();
    free(back);
    free(res);
    if (all_ok) {
        if (wire_encode_batch(b.kiosk_id, b.batch_id, b.frozen_at, b.votes, b.n, b.feedback,
                              b.n_feedback, &once, &once_len) != 0)
            abort();
        wire_batch c;
        if (wire_decode_batch(once, once_len, &c, err, sizeof err) != 0 || c.n != b.n ||
            c.n_feedback != b.n_feedback)
            abort();
        for (size_t i = 0; i < c.n_feedback; i++)
            if (c.fb_results[i].status != WIRE_ACCEPTED)
                abort();
        for (size_t i = 0; i < c.n; i++)
            if (c.results[i].status != WIRE_ACCEPTED)
                abort();
        if (wire_encode_batch(c.kiosk_id, c.batch_id, c.frozen_at, c.votes, c.n, c.feedback,
                              c.n_feedback, &twice, &twice_len) != 0 ||
            twice_len != once_len || memcmp(once, twice, once_len) != 0)
            abort();
        wire_batch_free(&c);
        free(once);
        free(twice);
    }
    wire_batch_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    decode_batch((const char *)data, size);

    /* Through gzip, with a small cap so the fuzzer finds bombs quickly. */
    void *plain = NULL;
    size_t plain_len = 0;
    char err[HL_ERR_MAX];
    int rc = wire_gunzip_ex(data, size, 1u << 16, &plain, &plain_len, err, sizeof err);
    if (rc == 0) {
        if (plain_len > (1u << 16))
            abort();
        decode_batch(plain, plain_len);
        free(plain);
    } else if (plain) {
        abort();
    }

    wire_result *r = NULL;
    size_t n = 0;
    char bid[37];
    if (wire_decode_results((const char *)data, size, bid, &r, &n, err, sizeof err) == 0)
        free(r);
    else if (r)
        abort();
    return 0;
}
