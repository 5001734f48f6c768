/* auth: tokens are 256 random bits, so a single fast SHA-256 is the right stored form: slow
 * password hashes (argon2, bcrypt) exist to stretch guessable secrets, and nothing can guess 2^256.
 * The database keeps only the hash, so a stolen backup does not let anyone post votes. */
#include "auth.h"

#include "util.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>

int auth_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

void auth_new_token(const char *prefix, char out[AUTH_TOKEN_MAX])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    char b64[64];
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    util_fmt(out, AUTH_TOKEN_MAX, "%s%s", prefix, b64);
    sodium_memzero(b64, sizeof b64);
}

void auth_hash(const char *token, char out[AUTH_HASH_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, AUTH_HASH_HEX, h, sizeof h);
}

int auth_hash_equal(const char *a, const char *b)
{
    if (strlen(a) != AUTH_HASH_HEX - 1 || strlen(b) != AUTH_HASH_HEX - 1)
        return 0;
    return sodium_memcmp(a, b, AUTH_HASH_HEX - 1) == 0;
}

int auth_parse_bearer(const char *header, char out[AUTH_TOKEN_MAX])
{
    out[0] = '\0';
    if (!header || strncasecmp(header, "Bearer ", 7) != 0)
        return -1;
    const char *t = header + 7;
    while (*t == ' ')
        t++;
    size_t n = 0;
    for (; t[n] && t[n] != ' '; n++) {
        char c = t[n];
        if (!(isalnum((unsigned char)c) || c == '-' || c == '_'))
            return -1;
        if (n + 1 >= AUTH_TOKEN_MAX)
            return -1;
    }
    for (size_t k = n; t[k]; k++)
        if (t[k] != ' ')
            return -1;
    if (n == 0)
        return -1;
    memcpy(out, t, n);
    out[n] = '\0';
    return 0;
}

/* Argon2id at libsodium's "interactive" cost (2 passes, 64 MiB): about 0.1 s on a small server,
 * which a person logging in does not notice and a guesser pays for every try. The server lets
 * only a few run at once (web_auth.c), so logins cannot exhaust its memory. */
int auth_password_hash(const char *password, char out[AUTH_PW_HASH_MAX])
{
    return crypto_pwhash_str_alg(
               out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
               crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) == 0
               ? 0
               : -1;
}

int auth_password_check(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void auth_random_hex(char *out, size_t bytes)
{
    unsigned char b[64];
    if (bytes > sizeof b)
        bytes = sizeof b;
    randombytes_buf(b, bytes);
    sodium_bin2hex(out, bytes * 2 + 1, b, bytes);
    sodium_memzero(b, sizeof b);
}
