/* test_golden_fb: the feedback form's keyboard screen (with a typed text) and its consent screen
 * at 1080x1920, 1920x1080 and 1280x800, compared with the references in tests/golden/. To update
 * them on purpose: HAILONG_UPDATE_GOLDEN=1 ctest -R test_golden_fb, then look at every PNG. */
#include "app.h"
#include "kfx.h"
#include "script.h"
#include "test.h"
#include "util.h"

static const kfx_size sizes[] = {{1280, 800}, {1920, 1080}, {1080, 1920}};

static int open_shot(kfx *f, const kfx_shot *s, int w, int h)
{
    return kfx_open(f, s->mode, w, h, NULL, s->vfs);
}

static void typed(app *a)
{
    char why[HL_ERR_MAX];
    kfx_tap_all(a, "feedback kind-phan-anh officer-vp-lan");
    CHECK_INT(
        script_type_keys(a, "Chờ quá lâu, cán bộ hẹn ba lần. Đề nghị xã xem xét", why, sizeof why),
        0);
}

static const kfx_shot shots[] = {
    {"test_fb_text", "fb-text", typed, NULL, "fb-text", CFG_MODE_LOBBY, NULL},
    {"test_fb_consent", "fb-consent", typed, "send", "fb-consent", CFG_MODE_LOBBY, NULL},
};

int main(void)
{
    return kfx_golden_main("golden_fb", NULL, sizes, HL_ARRAY_LEN(sizes), open_shot, shots,
                           HL_ARRAY_LEN(shots));
}
