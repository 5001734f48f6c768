/* auth: bearer tokens for kiosks ("hlk_...") and operators ("hlo_..."): making them, hashing them
 * for storage, reading them from the Authorization header; dashboard passwords (argon2id). Prefix:
 * auth_. Thread-safe. */
#ifndef HL_AUTH_H
#define HL_AUTH_H

#include <stddef.h>

#define AUTH_TOKEN_MAX 96 /* "hlk_" + 43 base64url characters + NUL fits */
#define AUTH_HASH_HEX  65 /* SHA-256 as 64 hex digits + NUL */

#define AUTH_KIOSK_PREFIX    "hlk_"
#define AUTH_OPERATOR_PREFIX "hlo_"

/* Initialises libsodium; 0 or -1. Call once before anything else here. */
int auth_init(void);
/* A new token: prefix + 32 random bytes as unpadded base64url. */
void auth_new_token(const char *prefix, char out[AUTH_TOKEN_MAX]);
/* The stored form of a token: hex SHA-256 of its text. */
void auth_hash(const char *token, char out[AUTH_HASH_HEX]);
/* 1 if the two hex hashes are equal, compared in constant time. */
int auth_hash_equal(const char *a, const char *b);
/* Extracts the token from "Bearer <token>" (scheme case-insensitive). 0, or -1 when the header
 * is missing, of another scheme, or the token has characters or a length no token of ours has. */
int auth_parse_bearer(const char *header, char out[AUTH_TOKEN_MAX]);

/* Dashboard passwords: libsodium's argon2id string ("$argon2id$v=19$m=65536,t=2,p=1$...").
 * hash: 0, or -1 when out of memory. check: 1 if password matches hash. */
#define AUTH_PW_HASH_MAX 128 /* crypto_pwhash_STRBYTES */
int auth_password_hash(const char *password, char out[AUTH_PW_HASH_MAX]);
int auth_password_check(const char *hash, const char *password);
/* bytes (at most 64) random bytes as lowercase hex in out (2 * bytes + 1 chars). */
void auth_random_hex(char *out, size_t bytes);

#endif
