#ifndef CCRYPTO_SHIM_H
#define CCRYPTO_SHIM_H

#include <stddef.h>

/*
 * The few libcrypto (OpenSSL 3) operations datumctl needs for signing in: RS256 signatures over
 * keys read from PEM, RS256 verification with a JWK's modulus and exponent, SHA-256 and random
 * bytes. libcrypto is already in every datumctl process through libcurl, so this adds no library
 * to load. No OpenSSL type appears here: keys are opaque handles freed with ccrypto_key_free.
 *
 * Functions returning int return 0 on success and -1 on failure, with OpenSSL's reason in `error`
 * (NUL-terminated, truncated to error_size), unless documented otherwise.
 */

typedef struct ccrypto_key ccrypto_key;

/* A private key from PEM (PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY"); RSA only. */
ccrypto_key *ccrypto_private_key_from_pem(const char *pem, size_t pem_size, char *error, size_t error_size);

/* A public key from big-endian modulus and exponent bytes (a JWK's n and e). */
ccrypto_key *ccrypto_public_key_from_components(
    const unsigned char *modulus, size_t modulus_size, const unsigned char *exponent, size_t exponent_size,
    char *error, size_t error_size);

/* A new RSA key of `bits` bits (for a development issuer and for tests). */
ccrypto_key *ccrypto_generate_rsa(int bits, char *error, size_t error_size);

void ccrypto_key_free(ccrypto_key *key);

/* The key size in bits. */
int ccrypto_key_bits(const ccrypto_key *key);

/* Writes the big-endian modulus and exponent; *size is the buffer's size in, the length out. */
int ccrypto_key_components(
    const ccrypto_key *key, unsigned char *modulus, size_t *modulus_size, unsigned char *exponent,
    size_t *exponent_size, char *error, size_t error_size);

/* The private key as PKCS#8 PEM; *size is the buffer's size in, the length out. */
int ccrypto_private_key_pem(const ccrypto_key *key, char *pem, size_t *size, char *error, size_t error_size);

/* RSASSA-PKCS1-v1_5 with SHA-256 (JWS "RS256"); *signature_size is the buffer's size in, the length out. */
int ccrypto_sign_rs256(
    const ccrypto_key *key, const unsigned char *message, size_t message_size, unsigned char *signature,
    size_t *signature_size, char *error, size_t error_size);

/* 1 when the signature is valid, 0 when it is not, -1 on an error (with the reason). */
int ccrypto_verify_rs256(
    const ccrypto_key *key, const unsigned char *message, size_t message_size, const unsigned char *signature,
    size_t signature_size, char *error, size_t error_size);

/* SHA-256 of the bytes into out[32]. */
void ccrypto_sha256(const unsigned char *data, size_t size, unsigned char *out);

/* Bytes from the operating system's secure random source; 0 on success. */
int ccrypto_random_bytes(unsigned char *buffer, size_t size);

#endif
