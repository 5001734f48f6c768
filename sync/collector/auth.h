/* auth: bearer tokens for kiosks ("hlk_...") and operators ("hlo_..."): making them, hashing them
 * for storage, reading them from the Authorization header. Prefix: auth_. Thread-safe. */
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

#endif
