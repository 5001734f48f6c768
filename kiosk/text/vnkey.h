/* vnkey: Vietnamese text entry for the kiosk's on-screen keyboard (issue 12), with no SDL: a
 * citizen who has never typed Telex taps letters, the vowel keys (â ă ê ô ơ ư đ) and a tone key
 * that applies to the syllable being typed; one who knows Telex types it (aa -> â, dd -> đ,
 * s f r x j -> the five tones, z removes the tone, a repeated key undoes). The text is kept NFC,
 * and every syllable's tone sits where the commune's own texts put it: on the vowel with a mark
 * (ê, ơ, ...), else on the second of two vowels before a final consonant or of three vowels, else
 * on the first ("hòa", "khỏe", "thủy", but "hoàn", "ngoài"); "qu" and "gi" count as consonants
 * ("quá", "giữ"). */
#ifndef HL_VNKEY_H
#define HL_VNKEY_H

#include <stddef.h>

/* At most this many characters (not bytes) of text. */
#define VK_MAX_CHARS 1000

typedef enum {
    VK_TONE_NONE,
    VK_TONE_ACUTE, /* sắc: á */
    VK_TONE_GRAVE, /* huyền: à */
    VK_TONE_HOOK,  /* hỏi: ả */
    VK_TONE_TILDE, /* ngã: ã */
    VK_TONE_DOT,   /* nặng: ạ */
} vk_tone;

typedef struct {
    char text[VK_MAX_CHARS * 4 + 1]; /* NFC UTF-8 */
    size_t chars;                    /* characters in text */
    int telex;                       /* Telex typing (the hardware keyboard's, or a setting) */
    /* What the last key did, so that the same key again undoes it the Telex way ("ss" -> "s"). */
    char last_key;
    int last_was_change;
    char prev[VK_MAX_CHARS * 4 + 1]; /* the text before that change */
} vk;

void vk_init(vk *k, int telex);
void vk_clear(vk *k);

/* A key typed: a letter or digit (ASCII; capitals keep their case), a space or punctuation. With
 * Telex on, the keys that change a letter or set a tone do so when they apply. 0, or -1 when the
 * text is full (nothing changed). */
int vk_key(vk *k, char c);
/* Text typed as it comes (a hardware keyboard's text event, or a test's sequence): each byte
 * that is ASCII goes through vk_key, any other character (already composed, e.g. "ư" from an
 * on-screen key) is appended whole. 0, or -1 when something did not fit. */
int vk_type(vk *k, const char *utf8);
/* The on-screen tone key t on the syllable being typed: set, or, when it already has t, removed
 * (the same key undoes). VK_TONE_NONE removes any tone. 0, or -1 when there is no vowel to carry
 * it (nothing changed). */
int vk_tone_key(vk *k, vk_tone t);
/* Deletes the last character (a whole letter with its marks). */
void vk_backspace(vk *k);

/* The tone of the syllable being typed (VK_TONE_NONE without one). */
vk_tone vk_current_tone(const vk *k);

#endif
