/* test_fb_store: votes.db's feedback table on real files: an item stored with its own seq, contact
 * only with consent (the API refuses it and so does the table's CHECK, for a hand edit), bad text
 * refused with nothing stored, and the sync: items frozen into the votes' batches (alone too),
 * marked from the same results, their contact erased once sent, quarantine counted in status. */
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "seed.h"
#include "srv.h"
#include "store.h"
#include "test.h"
#include "util.h"
#include "wire.h"

#define T0    1780000000000LL
#define KIOSK "kiosk-01"
#define BOOT  "cccccccc-0000-4000-8000-000000000001"

static store *open_new(char *dir, char *db)
{
    test_new_dir(dir, PATH_MAX);
    test_path(db, PATH_MAX, dir, "votes.db");
    return seed_open(dir, 0);
}

static store_rc add(store *s, const char *kind, const char *text, int consent, const char *name,
                    char *uuid, char *err)
{
    store_feedback_in in = {kind, "tp-hung", NULL, text, consent, name, name ? "0912345678" : NULL,
                            NULL};
    return store_add_feedback(s, KIOSK, BOOT, T0, &in, uuid, err, 300);
}

static void t_add_and_consent(void)
{
    char dir[PATH_MAX], db[PATH_MAX], uuid[37], err[300], val[512];
    store *s = open_new(dir, db);
    REQUIRE(s);
    CHECK_INT(add(s, STORE_FB_PHAN_ANH, "Chờ quá lâu, cán bộ hẹn ba lần", 0, NULL, uuid, err),
              STORE_OK);
    CHECK_INT(db_int(db, "SELECT count(*) FROM feedback WHERE seq = 1 AND consent = 0 AND"
                         " contact_name IS NULL AND contact_phone IS NULL AND"
                         " contact_address IS NULL AND kind = 'phan-anh'"),
              1);
    db_text(db, "SELECT body FROM feedback WHERE seq = 1", val, sizeof val);
    CHECK_STR(val, "Chờ quá lâu, cán bộ hẹn ba lần");
    /* With consent: kept, with the next seq. */
    CHECK_INT(add(s, STORE_FB_BIEU_DUONG, "Chị Mai tận tình", 1, "Nguyễn Thị Hường", uuid, err),
              STORE_OK);
    store_feedback f;
    REQUIRE(store_get_feedback(s, uuid, &f) == STORE_OK);
    CHECK_INT(f.seq, 2);
    CHECK_STR(f.contact_name, "Nguyễn Thị Hường");
    CHECK_STR(f.contact_phone, "0912345678");
    CHECK_STR(f.text, "Chị Mai tận tình");
    store_feedback_free(&f);
    /* A contact without consent: refused, nothing stored, and the reason said. */
    CHECK_INT(add(s, STORE_FB_GOP_Y, "x", 0, "Nguyễn Văn A", uuid, err), STORE_ERROR);
    CHECK_CONTAINS(err, "without the citizen's consent");
    CHECK_INT(db_int(db, "SELECT count(*) FROM feedback"), 2);
    /* Bad text: empty, blank, a control character, too long; an unknown kind. */
    CHECK_INT(add(s, STORE_FB_GOP_Y, "", 0, NULL, uuid, err), STORE_ERROR);
    CHECK_CONTAINS(err, "text: is empty");
    CHECK_INT(add(s, STORE_FB_GOP_Y, "   \n  ", 0, NULL, uuid, err), STORE_ERROR);
    CHECK_INT(add(s, STORE_FB_GOP_Y, "a\x1b[31mb", 0, NULL, uuid, err), STORE_ERROR);
    CHECK_CONTAINS(err, "control character");
    CHECK_INT(add(s, STORE_FB_GOP_Y, "a\xff", 0, NULL, uuid, err), STORE_ERROR);
    CHECK_CONTAINS(err, "UTF-8");
    char *longer = malloc(1002 * 3 + 1);
    for (int i = 0; i < 1001; i++)
        memcpy(longer + i * 3, "ữ", 3);
    longer[1001 * 3] = '\0';
    CHECK_INT(add(s, STORE_FB_GOP_Y, longer, 0, NULL, uuid, err), STORE_ERROR);
    CHECK_CONTAINS(err, "1001 characters");
    longer[1000 * strlen("ữ")] = '\0';
    CHECK_INT(add(s, STORE_FB_GOP_Y, longer, 0, NULL, uuid, err), STORE_OK);
    free(longer);
    CHECK_INT(add(s, "khen", "x", 0, NULL, uuid, err), STORE_ERROR);
    CHECK_CONTAINS(err, "kind");
    CHECK_INT(db_int(db, "SELECT count(*) FROM feedback"), 3);
    store_close(s);
    /* A hand edit cannot store a contact without consent either: the table's CHECK. */
    CHECK(db_exec(db, "INSERT INTO feedback (uuid, kiosk_id, seq, boot_id, kind, body, consent,"
                      " contact_phone, created_at) VALUES ('dddddddd-0000-4000-8000-000000000001',"
                      " 'k', 9, 'b', 'gop-y', 'x', 0, '0912345678', 1)") != SQLITE_OK);
    CHECK_INT(db_int(db, "SELECT count(*) FROM feedback"), 3);
}

/* Gunzips and decodes a frozen batch's body. */
static void decode_body(const store_batch *b, wire_batch *out)
{
    void *plain = NULL;
    size_t len = 0;
    char err[200];
    REQUIRE(wire_gunzip(b->body, b->body_len, WIRE_MAX_BODY, &plain, &len) == 0);
    REQUIRE(wire_decode_batch(plain, len, out, err, sizeof err) == 0);
    free(plain);
}

static void t_sync_in_batches(void)
{
    char dir[PATH_MAX], db[PATH_MAX], u1[37], u2[37], err[300];
    store *s = open_new(dir, db);
    REQUIRE(s);
    store_vote v[2];
    for (int i = 0; i < 2; i++)
        REQUIRE(seed_add(s, KIOSK, 1, 0, &v[i]) == STORE_OK);
    REQUIRE(add(s, STORE_FB_PHAN_ANH, "Sai tên trong giấy", 1, "Trần Văn Bình", u1, err) ==
            STORE_OK);
    REQUIRE(add(s, STORE_FB_GOP_Y, "Thêm ghế", 0, NULL, u2, err) == STORE_OK);
    store_batch b;
    REQUIRE(store_sync_freeze(s, KIOSK, 500, T0, &b) == STORE_OK);
    CHECK_INT(b.n_votes, 2);
    CHECK_INT(b.n_feedback, 2);
    wire_batch wb;
    decode_body(&b, &wb);
    CHECK_INT(wb.n, 2);
    REQUIRE(wb.n_feedback == 2);
    CHECK_STR(wb.feedback[0].contact_name, "Trần Văn Bình");
    CHECK_STR(wb.feedback[1].contact_name, "");
    wire_batch_free(&wb);
    /* A resend is the same batch. */
    store_batch again;
    REQUIRE(store_sync_freeze(s, KIOSK, 500, T0 + 5, &again) == STORE_OK);
    CHECK_STR(again.batch_id, b.batch_id);
    store_batch_free(&again);

    wire_result r[4];
    srv_result(&r[0], v[0].uuid, WIRE_ACCEPTED, NULL);
    srv_result(&r[1], v[1].uuid, WIRE_ACCEPTED, NULL);
    srv_result(&r[2], u1, WIRE_ACCEPTED, NULL);
    srv_result(&r[3], u2, WIRE_REJECTED, "text: is empty");
    store_sync_applied ap;
    CHECK_INT(store_sync_apply(s, b.batch_id, r, 4, T0 + 9, &ap), STORE_OK);
    CHECK_INT(ap.sent, 3);
    CHECK_INT(ap.quarantined, 1);
    CHECK_INT(ap.feedback, 2);
    store_feedback f;
    REQUIRE(store_get_feedback(s, u1, &f) == STORE_OK);
    CHECK_STR(f.sync_state, "sent");
    /* Sent: the kiosk keeps no contact data any more. */
    CHECK_STR(f.contact_name, "");
    CHECK_INT(f.consent, 1);
    store_feedback_free(&f);
    REQUIRE(store_get_feedback(s, u2, &f) == STORE_OK);
    CHECK_STR(f.sync_state, "quarantined");
    CHECK_STR(f.sync_error, "text: is empty");
    store_feedback_free(&f);
    CHECK_INT(db_int(db, "SELECT count(*) FROM feedback WHERE contact_name IS NOT NULL OR"
                         " contact_phone IS NOT NULL"),
              0);
    store_sync_status st;
    REQUIRE(store_sync_status_get(s, KIOSK, &st) == STORE_OK);
    CHECK_INT(st.feedback_waiting, 0);
    CHECK_INT(st.feedback_quarantined, 1);
    store_batch_free(&b);

    /* Feedback alone makes a batch of its own; an unlisted item waits for the next one. */
    REQUIRE(add(s, STORE_FB_BIEU_DUONG, "Cảm ơn anh Hùng", 0, NULL, u1, err) == STORE_OK);
    REQUIRE(store_sync_status_get(s, KIOSK, &st) == STORE_OK);
    CHECK_INT(st.feedback_waiting, 1);
    REQUIRE(store_sync_freeze(s, KIOSK, 500, T0 + 20, &b) == STORE_OK);
    CHECK_INT(b.n_votes, 0);
    CHECK_INT(b.n_feedback, 1);
    srv_result(&r[0], "99999999-9999-4999-8999-999999999999", WIRE_ACCEPTED, NULL);
    CHECK_INT(store_sync_apply(s, b.batch_id, r, 1, T0 + 21, &ap), STORE_NONE);
    srv_result(&r[0], u1, WIRE_DUPLICATE, NULL);
    CHECK_INT(store_sync_apply(s, b.batch_id, r, 1, T0 + 22, &ap), STORE_OK);
    CHECK_INT(ap.sent, 1);
    store_batch_free(&b);
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0 + 30, &b), STORE_NONE);
    store_close(s);
}

static void t_split_keeps_items(void)
{
    char dir[PATH_MAX], db[PATH_MAX], u[37], err[300];
    store *s = open_new(dir, db);
    REQUIRE(s);
    REQUIRE(add(s, STORE_FB_GOP_Y, "Một", 0, NULL, u, err) == STORE_OK);
    REQUIRE(add(s, STORE_FB_GOP_Y, "Hai", 0, NULL, u, err) == STORE_OK);
    store_batch b;
    REQUIRE(store_sync_freeze(s, KIOSK, 500, T0, &b) == STORE_OK);
    CHECK_INT(b.n_feedback, 2);
    int limit = 0;
    CHECK_INT(store_sync_split(s, b.batch_id, &limit), STORE_OK);
    store_batch_free(&b);
    /* The items are free again, none lost. */
    CHECK_INT(db_int(db, "SELECT count(*) FROM feedback WHERE batch_id IS NULL AND"
                         " sync_state = 'unsent'"),
              2);
    REQUIRE(store_sync_freeze(s, KIOSK, 500, T0 + 1, &b) == STORE_OK);
    CHECK(b.n_feedback >= 1);
    store_batch_free(&b);
    store_close(s);
}

static const test_case cases[] = {TEST(t_add_and_consent), TEST(t_sync_in_batches),
                                  TEST(t_split_keeps_items)};

int main(void)
{
    return test_main("fb_store", TEST_REMOVE, cases, HL_ARRAY_LEN(cases));
}
