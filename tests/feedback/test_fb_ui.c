/* test_fb_ui: the feedback form (Góp ý – Phản ánh, issue 12) driven headless through the real
 * screens with a fake clock: an anonymous complaint linked to the unhappy vote, one with consent
 * and contact, consent declined after typing a contact (no byte of it stored), what "Gửi" refuses,
 * the 1000-character limit, a hardware keyboard's bad text, the idle timeout that discards the
 * draft, a failing disk, and the apology screen (hotline, reception days, >= 12 s). Every row is
 * read back from votes.db with a separate connection. */
#include <SDL.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "faultvfs.h"
#include "kfx.h"
#include "script.h"
#include "seed.h"
#include "test.h"
#include "util.h"

/* A column of the newest feedback item, as text ("(null)" for NULL). */
static const char *fb_col(const kfx *f, const char *column)
{
    static char text[8192];
    char sql[256];
    util_fmt(sql, sizeof sql, "SELECT %s FROM feedback ORDER BY seq DESC LIMIT 1", column);
    db_text(f->db, sql, text, sizeof text);
    return text;
}

static long long n_feedback(const kfx *f)
{
    return db_int(f->db, "SELECT count(*) FROM feedback");
}

static void type_keys(app *a, const char *text)
{
    char why[HL_ERR_MAX] = "";
    if (script_type_keys(a, text, why, sizeof why) != 0) {
        fprintf(stderr, "typing \"%s\": %s\n", text, why);
        t_cur_failed = 1;
    }
}

/* One SDL_TEXTINPUT event, as a hardware keyboard sends it (bytes as given, at most 31). */
static void text_event(app *a, const char *bytes)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_TEXTINPUT;
    util_strlcpy(ev.text.text, bytes, sizeof ev.text.text);
    app_handle_event(a, &ev);
    kfx_settle(a);
}

/* Whether the file at path holds the bytes of needle anywhere. */
static int file_has(const char *path, const char *needle)
{
    size_t len = 0;
    char *buf = util_read_file_max(path, 64u << 20, &len);
    if (!buf)
        return 0;
    size_t n = strlen(needle);
    int found = 0;
    for (size_t i = 0; i + n <= len && !found; i++)
        found = memcmp(buf + i, needle, n) == 0;
    free(buf);
    return found;
}

/* From Home to the text screen: kind and officer chosen. */
static void to_text(app *a, const char *kind, const char *officer)
{
    char taps[128];
    util_fmt(taps, sizeof taps, "feedback kind-%s %s", kind, officer);
    kfx_tap_to(a, taps, "fb-text");
}

/* (a) "Chưa hài lòng", the apology's "Ông/bà có muốn nói rõ hơn?", the text on the on-screen
 * keys, "Không, gửi ẩn danh": a phản ánh about the voted officer, linked to the vote, no contact.
 */
static void test_anonymous_complaint(void)
{
    kfx f;
    REQUIRE(kfx_open(&f, CFG_MODE_DESK, 1280, 800, NULL, NULL) == 0);
    app *a = f.a;
    kfx_tap_to(a, "rate-1 send", "thanks");
    CHECK_INT(a->thanks, THANKS_APOLOGY);
    kfx_tap_to(a, "more", "fb-text");
    CHECK(kfx_says(a, "Phản ánh – kiến nghị"));
    CHECK(kfx_says(a, a->desk_officer->name)); /* preselected */
    type_keys(a, "Chờ quá lâu, cán bộ hẹn ba lần");
    CHECK_STR(a->fb.text.text, "Chờ quá lâu, cán bộ hẹn ba lần");
    CHECK(kfx_says(a, "30/1000"));
    kfx_tap_to(a, "send", "fb-consent");
    CHECK(kfx_says(a, "Nghị định 13/2023/NĐ-CP"));
    CHECK(kfx_says(a, "chỉ lãnh đạo Ủy ban nhân dân xã"));
    CHECK(kfx_says(a, "tối đa 12 tháng, sau đó tự động xoá"));
    CHECK(!kfx_has(a, "field-name")); /* no contact field before a yes */
    kfx_tap_to(a, "consent-no", "thanks");
    CHECK_INT(a->thanks, THANKS_FEEDBACK);
    CHECK(kfx_says(a, "Cảm ơn ông/bà đã phản ánh"));
    CHECK(kfx_says(a, "Ý kiến được gửi ẩn danh"));
    CHECK_INT(n_feedback(&f), 1);
    CHECK_STR(fb_col(&f, "kind"), "phan-anh");
    CHECK_STR(fb_col(&f, "officer_code"), a->desk_officer->code);
    char vote[64];
    db_text(f.db, "SELECT uuid FROM votes WHERE rating = 1", vote, sizeof vote);
    CHECK_INT((long long)strlen(vote), 36);
    CHECK_STR(fb_col(&f, "vote_uuid"), vote);
    /* NFC: "ờ" is U+1EDD, one code point; NFD would make "Chờ" 4 characters. */
    CHECK_STR(fb_col(&f, "body"), "Ch\xe1\xbb\x9d qu\xc3\xa1 l\xc3\xa2u, c\xc3\xa1n b\xe1\xbb\x99 "
                                  "h\xe1\xba\xb9n ba l\xe1\xba\xa7n");
    CHECK_INT(db_int(f.db, "SELECT length(body) FROM feedback"), 30);
    CHECK_STR(fb_col(&f, "consent"), "0");
    CHECK_STR(fb_col(&f, "contact_name"), "(null)");
    CHECK_STR(fb_col(&f, "contact_phone"), "(null)");
    CHECK_STR(fb_col(&f, "contact_address"), "(null)");
    kfx_switches_at(a, (int64_t)a->cfg.thanks_s * 1000, "thanks", "home");
    CHECK_INT((long long)a->fb.text.chars, 0);
    kfx_close(&f);
}

/* (b) From Home in lobby mode: a góp ý naming nobody, with consent: name, phone on the digit pad,
 * address; "Gửi" first refuses a missing name and a short phone number. */
static void test_consent_contact(void)
{
    kfx f;
    REQUIRE(kfx_open(&f, CFG_MODE_LOBBY, 1080, 1920, NULL, NULL) == 0);
    app *a = f.a;
    to_text(a, "gop-y", "officer-none");
    type_keys(a, "Nên có thêm ghế chờ");
    kfx_tap_to(a, "send consent-yes", "fb-contact");
    CHECK(kfx_says(a, "Họ và tên"));
    kfx_tap_to(a, "send", "fb-contact");
    CHECK(kfx_says(a, "Xin ông/bà cho biết họ và tên."));
    type_keys(a, "Nguyễn Thị Hường");
    kfx_tap_all(a, "field-phone");
    kfx_type(a, "0912");
    kfx_tap_to(a, "send", "fb-contact");
    CHECK(kfx_says(a, "Số điện thoại cần từ 6 đến 15 chữ số."));
    kfx_type(a, "345678");
    kfx_tap_all(a, "field-address");
    type_keys(a, "Thôn 3, xã Bom Bo");
    kfx_tap_to(a, "send", "thanks");
    CHECK_INT(a->thanks, THANKS_FEEDBACK);
    CHECK(kfx_says(a, "Cảm ơn ông/bà đã góp ý"));
    CHECK(kfx_says(a, "trả lời ông/bà"));
    CHECK_STR(fb_col(&f, "kind"), "gop-y");
    CHECK_STR(fb_col(&f, "officer_code"), "");
    CHECK_STR(fb_col(&f, "vote_uuid"), "(null)");
    CHECK_STR(fb_col(&f, "body"), "Nên có thêm ghế chờ");
    CHECK_STR(fb_col(&f, "consent"), "1");
    CHECK_STR(fb_col(&f, "contact_name"), "Nguyễn Thị Hường");
    CHECK_STR(fb_col(&f, "contact_phone"), "0912345678");
    CHECK_STR(fb_col(&f, "contact_address"), "Thôn 3, xã Bom Bo");
    kfx_close(&f);
}

/* (c) A yes, a name and a phone typed, then "Quay lại" and "Không, gửi ẩn danh": nothing of the
 * contact reaches votes.db (nor its log), and the draft forgets it. */
static void test_consent_declined(void)
{
    kfx f;
    REQUIRE(kfx_open(&f, CFG_MODE_LOBBY, 1920, 1080, NULL, NULL) == 0);
    app *a = f.a;
    to_text(a, "bieu-duong", "officer-tp-hung");
    type_keys(a, "Cán bộ tận tình");
    kfx_tap_to(a, "send consent-yes", "fb-contact");
    type_keys(a, "Trần Quốc Khánh");
    kfx_tap_all(a, "field-phone");
    kfx_type(a, "0987654321");
    kfx_tap_to(a, "back", "fb-consent");
    kfx_tap_to(a, "consent-no", "thanks");
    CHECK_STR(a->fb.name.text, "");
    CHECK_STR(a->fb.phone, "");
    CHECK_STR(fb_col(&f, "kind"), "bieu-duong");
    CHECK_STR(fb_col(&f, "officer_code"), "tp-hung");
    CHECK_STR(fb_col(&f, "consent"), "0");
    CHECK_INT(db_int(f.db, "SELECT count(*) FROM feedback WHERE contact_name IS NOT NULL OR "
                           "contact_phone IS NOT NULL OR contact_address IS NOT NULL"),
              0);
    char wal[PATH_MAX + 32];
    util_fmt(wal, sizeof wal, "%s-wal", f.db);
    CHECK(file_has(f.db, "Cán bộ tận tình") || file_has(wal, "Cán bộ tận tình")); /* the probe */
    CHECK(!file_has(f.db, "Quốc Khánh") && !file_has(wal, "Quốc Khánh"));
    CHECK(!file_has(f.db, "0987654321") && !file_has(wal, "0987654321"));
    kfx_close(&f);
}

/* (d) "Gửi" refuses an empty text and one of spaces, saying why; the text stops at 1000
 * characters and the counter says so; a hardware keyboard's control characters and invalid UTF-8
 * are ignored, its Telex composed, its Backspace deletes. */
static void test_bad_input(void)
{
    kfx f;
    REQUIRE(kfx_open(&f, CFG_MODE_LOBBY, 1280, 800, NULL, NULL) == 0);
    app *a = f.a;
    to_text(a, "phan-anh", "officer-none");
    CHECK(SDL_IsTextInputActive()); /* the text screen takes typed text */
    kfx_tap_to(a, "send", "fb-text");
    CHECK(kfx_says(a, "Chưa gửi được: xin ông/bà viết nội dung trước."));
    kfx_tap_all(a, "key-space key-space key-space");
    CHECK_INT((long long)a->fb.text.chars, 3);
    kfx_tap_to(a, "send", "fb-text");
    CHECK(kfx_says(a, "Chưa gửi được"));
    /* Clear, then a hardware keyboard. */
    kfx_tap_all(a, "key-back key-back key-back");
    CHECK_STR(a->fb.text.text, "");
    text_event(a, "\x01\x1b\x7f"); /* controls */
    text_event(a, "ab\xff");       /* not UTF-8: all of it ignored */
    text_event(a, "\xc3");         /* half a character */
    text_event(a, "\xed\xa0\x80"); /* a surrogate, never valid UTF-8 */
    text_event(a, "\xe2\x80\x8b"); /* U+200B, invisible */
    CHECK_STR(a->fb.text.text, "");
    text_event(a, "b\tc ");
    CHECK_STR(a->fb.text.text, "bc ");
    const char *telex[] = {"v", "i", "e", "e", "j", "t"};
    for (size_t i = 0; i < HL_ARRAY_LEN(telex); i++)
        text_event(a, telex[i]);
    CHECK_STR(a->fb.text.text, "bc việt");
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_KEYDOWN;
    ev.key.keysym.sym = SDLK_BACKSPACE;
    app_handle_event(a, &ev);
    CHECK_STR(a->fb.text.text, "bc việ");
    /* 1000 characters, then nothing more from either keyboard. */
    for (int i = 0; i < 6; i++)
        kfx_tap_all(a, "key-back");
    for (int i = 0; i < 34; i++)
        text_event(a, "12345 6789 12345 6789 12345 67"); /* the 1000th is "9", no space */
    CHECK_INT((long long)a->fb.text.chars, 1000);
    CHECK(kfx_says(a, "1000/1000 (đã đủ)"));
    kfx_tap_all(a, "key-7 vow-aa");
    CHECK_INT((long long)a->fb.text.chars, 1000);
    CHECK(kfx_says(a, "Đã đủ 1000 ký tự"));
    kfx_tap_to(a, "send consent-no", "thanks");
    CHECK_INT(db_int(f.db, "SELECT length(body) FROM feedback"), 1000);
    kfx_close(&f);
}

/* (e) Nobody touching the form: Home after screen_timeout, and the draft is gone (the next
 * citizen finds an empty form). Typing counts as a touch. */
static void test_idle_discards(void)
{
    kfx f;
    REQUIRE(kfx_open(&f, CFG_MODE_DESK, 1280, 800, NULL, NULL) == 0);
    app *a = f.a;
    to_text(a, "phan-anh", "officer-none");
    type_keys(a, "Thái độ chưa tốt");
    int64_t t = (int64_t)a->cfg.screen_timeout_s * 1000;
    app_advance(a, t - 1000);
    text_event(a, " "); /* a key, late: the full time again */
    app_advance(a, 2000);
    CHECK_STR(app_screen_name(a), "fb-text");
    kfx_switches_at(a, t - 2000, "fb-text", "home"); /* counted from that key */
    CHECK_STR(a->fb.text.text, "");
    CHECK(a->fb.kind == NULL);
    CHECK(!kfx_says(a, "Thái độ"));
    to_text(a, "gop-y", "officer-none");
    CHECK_STR(a->fb.text.text, "");
    CHECK(!kfx_says(a, "Thái độ"));
    /* The contact screen and the consent screen time out the same way. */
    type_keys(a, "Tốt");
    kfx_tap_to(a, "send consent-yes", "fb-contact");
    type_keys(a, "Lê Văn An");
    kfx_switches_at(a, t, "fb-contact", "home");
    CHECK_STR(a->fb.name.text, "");
    CHECK_INT(n_feedback(&f), 0);
    kfx_close(&f);
}

/* (f) The apology: thanks for the vote, the hotline and the Chairman's reception days, the way to
 * the form, and apology_duration (>= 12 s), not thanks_duration. */
static void test_apology_screen(void)
{
    kfx f;
    kfx_config(&f, CFG_MODE_DESK, 1080, 1920);
    CHECK_INT(f.c.apology_s, 14);
    REQUIRE(kfx_start(&f) == 0);
    app *a = f.a;
    kfx_tap_to(a, "rate-1 send", "thanks");
    CHECK(kfx_says(a, a->content->msg.apology_title));
    CHECK(kfx_says(a, "Đường dây nóng: 0900\xc2\xa0"
                      "000\xc2\xa0"
                      "000"));
    CHECK(kfx_says(a, "Lịch tiếp công dân: Chủ tịch UBND xã tiếp công dân sáng thứ Năm hằng tuần "
                      "tại Trụ sở UBND xã"));
    CHECK(kfx_has(a, "more"));
    CHECK(kfx_has(a, "done"));
    CHECK(a->cfg.apology_s >= 12 && a->cfg.apology_s > a->cfg.thanks_s);
    kfx_switches_at(a, (int64_t)a->cfg.apology_s * 1000, "thanks", "home");
    /* A happy vote's thank-you keeps its own, shorter time and has no such button. */
    kfx_tap_to(a, "rate-3", "thanks");
    CHECK(!kfx_has(a, "more"));
    kfx_switches_at(a, (int64_t)a->cfg.thanks_s * 1000, "thanks", "home");
    kfx_close(&f);
}

/* apology_duration outside 5-120 is refused naming the key; a bad contact_retention_months too. */
static void test_keys_checked(void)
{
    cfg c;
    char err[HL_ERR_MAX];
    const char *bad = "[timing]\napology_duration = 3\n";
    CHECK(cfg_parse(&c, "kiosk.ini", bad, strlen(bad), err, sizeof err) != 0);
    CHECK_CONTAINS(err, "apology_duration");
    const char *good = "[timing]\napology_duration = 15\n";
    CHECK_INT(cfg_parse(&c, "kiosk.ini", good, strlen(good), err, sizeof err), 0);
    CHECK_INT(c.apology_s, 15);
}

/* A disk that refuses the write: the honest "could not record" screen, nothing half stored. */
static void test_store_fails(void)
{
    kfx f;
    REQUIRE(faultvfs_register() == 0);
    REQUIRE(kfx_open(&f, CFG_MODE_LOBBY, 1280, 800, NULL, FAULTVFS_NAME) == 0);
    app *a = f.a;
    to_text(a, "phan-anh", "officer-none");
    type_keys(a, "Sai sót");
    kfx_tap_to(a, "send", "fb-consent");
    faultvfs_set(FAULTVFS_WRITE | FAULTVFS_SYNC, SQLITE_FULL);
    kfx_tap_to(a, "consent-no", "thanks");
    CHECK(faultvfs_failures() > 0);
    faultvfs_set(0, 0);
    CHECK_INT(a->thanks, THANKS_FEEDBACK_ERROR);
    CHECK(kfx_says(a, "Chưa ghi nhận được ý kiến"));
    CHECK_INT(n_feedback(&f), 0);
    kfx_close(&f);
}

static const test_case cases[] = {TEST(test_anonymous_complaint), TEST(test_consent_contact),
                                  TEST(test_consent_declined),    TEST(test_bad_input),
                                  TEST(test_idle_discards),       TEST(test_apology_screen),
                                  TEST(test_keys_checked),        TEST(test_store_fails)};

int main(void)
{
    return kfx_main("fb_ui", NULL, cases, HL_ARRAY_LEN(cases));
}
