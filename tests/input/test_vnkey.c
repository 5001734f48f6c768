/* test_vnkey: Vietnamese text entry (issue 12). A table of key sequences, Telex and the on-screen
 * keys, to the NFC text they must give, with the tone where the commune's texts put it ("hòa",
 * "khỏe", "thủy"; "hoàn", "ngoài"; "quá", "giữ"), undo by the same key, the limit and deletion. */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "test.h"
#include "util.h"
#include "vnkey.h"

/* On-screen keys in a sequence: {1}..{5} the tones sắc, huyền, hỏi, ngã, nặng, {0} no tone,
 * {<} delete; anything else is typed (vk_type). */
static void run(vk *k, const char *keys)
{
    for (const char *p = keys; *p;) {
        if (p[0] == '{' && p[1] && p[2] == '}') {
            if (p[1] == '<')
                vk_backspace(k);
            else
                vk_tone_key(k, (vk_tone)(p[1] - '0'));
            p += 3;
            continue;
        }
        const char *q = p;
        while (*q && *q != '{')
            q++;
        char chunk[256];
        util_strlcpy(chunk, p,
                     (size_t)(q - p + 1) < sizeof chunk ? (size_t)(q - p + 1) : sizeof chunk);
        vk_type(k, chunk);
        p = q;
    }
}

typedef struct {
    const char *keys, *want;
} seq;

/* Telex, as typed on a hardware keyboard or by a citizen who knows it. */
static const seq by_telex[] = {
    {"nguyeenx", "nguyễn"},
    {"quoocs", "quốc"},
    {"giuwx", "giữ"},
    {"Vieetj Nam", "Việt Nam"},
    {"hoaf", "hòa"},
    {"hoafn", "hoàn"},
    {"hoanf", "hoàn"},
    {"khoer", "khỏe"},
    {"thuyr", "thủy"},
    {"ngoaif", "ngoài"},
    {"quas", "quá"},
    {"gias", "giá"},
    {"gif", "gì"},
    {"ginf", "gìn"},
    {"dduwowngf", "đường"},
    {"nguwowif", "người"},
    {"tuooir", "tuổi"},
    {"muaf", "mùa"},
    {"cuar", "của"},
    {"thuj tucj", "thụ tục"},
    {"thur tucj", "thủ tục"},
    {"hafnh chinhs", "hành chính"},
    {"xin looix", "xin lỗi"},
    {"camr own", "cảm ơn"},
    {"Chur tichj", "Chủ tịch"},
    {"DDaw", "Đă"},
    {"ddi", "đi"},
    {"thw", "thư"},
    {"w", "ư"},
    {"uw", "ư"},
    {"ow", "ơ"},
    {"aw", "ă"},
    {"aa", "â"},
    {"ee", "ê"},
    {"oo", "ô"},
    {"dd", "đ"},
    {"ass", "as"}, /* the same tone key again undoes it and types itself */
    {"aaa", "aa"}, /* likewise a doubled vowel */
    {"ddd", "dd"},
    {"aww", "aw"},
    {"asz", "a"}, /* z removes the tone */
    {"asf", "à"}, /* another tone replaces it */
    {"z", "z"},   /* nothing to remove: z itself */
    {"trangj", "trạng"},
    {"khuyeens", "khuyến"},
    {"chuyeenr", "chuyển"},
    {"ruwowuj", "rượu"},
    {"hieeuj", "hiệu"},
    {"giaasy", "giấy"},
    {"laanf", "lần"},
    {"phieenf haf", "phiền hà"},
    {"tieens", "tiến"},
    {"Bom Bo", "Bom Bo"},
    {"1.001193", "1.001193"},
};

/* On-screen keys: letters, the vowel keys, and a tone key for the syllable being typed. */
static const seq by_screen[] = {
    {"nguyên{4}", "nguyễn"},
    {"quôc{1}", "quốc"},
    {"giư{4}", "giữ"},
    {"hoa{2}", "hòa"},
    {"hoa{2}n", "hoàn"}, /* the tone moves as letters come */
    {"hoan{2}", "hoàn"},
    {"khoe{3}", "khỏe"},
    {"thuy{3}", "thủy"},
    {"ngoai{2}", "ngoài"},
    {"qua{1}", "quá"},
    {"gi{2}", "gì"},
    {"gin{2}", "gìn"},
    {"đương{2}", "đường"},
    {"ngươi{2}", "người"},
    {"a{1}{1}", "a"}, /* the same tone key undoes it */
    {"a{1}{2}", "à"},
    {"a{1}{0}", "a"},
    {"viêt{5}", "việt"},
    {"tr{1}", "tr"}, /* no vowel: nothing to carry the tone */
    {"xin lôi{4}", "xin lỗi"},
    {"cam{3} ơn", "cảm ơn"},
    {"nguyễn{<}", "nguyễ"}, /* delete takes a whole letter, marks and all */
    {"ư{<}", ""},
    {"{<}", ""},
};

static void check_table(const seq *t, size_t n, int telex, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        vk k;
        vk_init(&k, telex);
        run(&k, t[i].keys);
        if (strcmp(k.text, t[i].want) != 0) {
            fprintf(stderr, "  %s \"%s\" gave \"%s\", want \"%s\"\n", what, t[i].keys, k.text,
                    t[i].want);
            t_cur_failed = 1;
        }
        /* Always NFC. */
        utf8proc_uint8_t *nfc = utf8proc_NFC((const utf8proc_uint8_t *)k.text);
        CHECK(nfc && strcmp((const char *)nfc, k.text) == 0);
        free(nfc);
    }
}

static void t_tables(void)
{
    CHECK(HL_ARRAY_LEN(by_telex) + HL_ARRAY_LEN(by_screen) >= 60);
    check_table(by_telex, HL_ARRAY_LEN(by_telex), 1, "telex");
    check_table(by_screen, HL_ARRAY_LEN(by_screen), 0, "on-screen");
    /* Telex off: the letters stay letters. */
    vk k;
    vk_init(&k, 0);
    run(&k, "aas dd");
    CHECK_STR(k.text, "aas dd");
}

static void t_limit(void)
{
    vk k;
    vk_init(&k, 0);
    for (int i = 0; i < VK_MAX_CHARS; i++)
        CHECK_INT(vk_key(&k, i % 7 ? 'a' : ' '), 0);
    CHECK_INT((int)k.chars, VK_MAX_CHARS);
    CHECK_INT(vk_key(&k, 'b'), -1);
    CHECK_INT((int)k.chars, VK_MAX_CHARS);
    vk_backspace(&k);
    CHECK_INT((int)k.chars, VK_MAX_CHARS - 1);
    CHECK_INT(vk_type(&k, "ư"), 0);
    CHECK_INT(vk_type(&k, "ư"), -1);
    CHECK_INT(vk_current_tone(&k), VK_TONE_NONE);
}

static const test_case cases[] = {TEST(t_tables), TEST(t_limit)};

int main(void)
{
    return test_main("vnkey", 0, cases, HL_ARRAY_LEN(cases));
}
