#include "ccrypto_shim.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <string.h>

struct ccrypto_key {
    EVP_PKEY *pkey;
};

/* The reason of the last OpenSSL error (or `fallback`), cleared from the queue. */
static void report(char *error, size_t error_size, const char *fallback) {
    unsigned long code = ERR_peek_last_error();
    if (error != NULL && error_size > 0) {
        if (code != 0) {
            const char *reason = ERR_reason_error_string(code);
            snprintf(error, error_size, "%s", reason != NULL ? reason : fallback);
        } else {
            snprintf(error, error_size, "%s", fallback);
        }
    }
    ERR_clear_error();
}

static ccrypto_key *wrap(EVP_PKEY *pkey, char *error, size_t error_size) {
    if (pkey == NULL) return NULL;
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
        EVP_PKEY_free(pkey);
        report(error, error_size, "not an RSA key");
        return NULL;
    }
    ccrypto_key *key = malloc(sizeof(ccrypto_key));
    if (key == NULL) {
        EVP_PKEY_free(pkey);
        report(error, error_size, "out of memory");
        return NULL;
    }
    key->pkey = pkey;
    return key;
}

ccrypto_key *ccrypto_private_key_from_pem(const char *pem, size_t pem_size, char *error, size_t error_size) {
    if (pem_size > (size_t)INT32_MAX) {
        report(error, error_size, "key file too large");
        return NULL;
    }
    BIO *bio = BIO_new_mem_buf(pem, (int)pem_size);
    if (bio == NULL) {
        report(error, error_size, "out of memory");
        return NULL;
    }
    /* A NULL passphrase callback with an empty passphrase: an encrypted key fails instead of prompting. */
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
    BIO_free(bio);
    if (pkey == NULL) {
        report(error, error_size, "no private key in PEM");
        return NULL;
    }
    return wrap(pkey, error, error_size);
}

ccrypto_key *ccrypto_public_key_from_components(
    const unsigned char *modulus, size_t modulus_size, const unsigned char *exponent, size_t exponent_size,
    char *error, size_t error_size) {
    if (modulus_size == 0 || exponent_size == 0 || modulus_size > 2048 || exponent_size > 64
        || modulus_size > (size_t)INT32_MAX || exponent_size > (size_t)INT32_MAX) {
        report(error, error_size, "invalid RSA modulus or exponent size");
        return NULL;
    }
    BIGNUM *n = BN_bin2bn(modulus, (int)modulus_size, NULL);
    BIGNUM *e = BN_bin2bn(exponent, (int)exponent_size, NULL);
    OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *context = NULL;
    EVP_PKEY *pkey = NULL;
    if (n != NULL && e != NULL && builder != NULL
        && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, n) == 1
        && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, e) == 1
        && (params = OSSL_PARAM_BLD_to_param(builder)) != NULL
        && (context = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) != NULL
        && EVP_PKEY_fromdata_init(context) == 1) {
        if (EVP_PKEY_fromdata(context, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) pkey = NULL;
    }
    if (pkey == NULL) report(error, error_size, "invalid RSA public key");
    EVP_PKEY_CTX_free(context);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(builder);
    BN_free(n);
    BN_free(e);
    return wrap(pkey, error, error_size);
}

ccrypto_key *ccrypto_generate_rsa(int bits, char *error, size_t error_size) {
    EVP_PKEY *pkey = EVP_RSA_gen((unsigned int)bits);
    if (pkey == NULL) {
        report(error, error_size, "RSA key generation failed");
        return NULL;
    }
    return wrap(pkey, error, error_size);
}

void ccrypto_key_free(ccrypto_key *key) {
    if (key == NULL) return;
    EVP_PKEY_free(key->pkey);
    free(key);
}

int ccrypto_key_bits(const ccrypto_key *key) { return EVP_PKEY_get_bits(key->pkey); }

static int component(const ccrypto_key *key, const char *name, unsigned char *out, size_t *size) {
    BIGNUM *value = NULL;
    if (EVP_PKEY_get_bn_param(key->pkey, name, &value) != 1) return -1;
    size_t needed = (size_t)BN_num_bytes(value);
    if (needed > *size) {
        BN_free(value);
        return -1;
    }
    *size = (size_t)BN_bn2bin(value, out);
    BN_free(value);
    return 0;
}

int ccrypto_key_components(
    const ccrypto_key *key, unsigned char *modulus, size_t *modulus_size, unsigned char *exponent,
    size_t *exponent_size, char *error, size_t error_size) {
    if (component(key, OSSL_PKEY_PARAM_RSA_N, modulus, modulus_size) != 0
        || component(key, OSSL_PKEY_PARAM_RSA_E, exponent, exponent_size) != 0) {
        report(error, error_size, "cannot read the RSA key's modulus and exponent");
        return -1;
    }
    return 0;
}

int ccrypto_private_key_pem(const ccrypto_key *key, char *pem, size_t *size, char *error, size_t error_size) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL || PEM_write_bio_PKCS8PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL) != 1) {
        BIO_free(bio);
        report(error, error_size, "cannot write the private key");
        return -1;
    }
    char *data = NULL;
    long length = BIO_get_mem_data(bio, &data);
    if (length < 0 || (size_t)length > *size) {
        BIO_free(bio);
        report(error, error_size, "PEM buffer too small");
        return -1;
    }
    memcpy(pem, data, (size_t)length);
    *size = (size_t)length;
    BIO_free(bio);
    return 0;
}

int ccrypto_sign_rs256(
    const ccrypto_key *key, const unsigned char *message, size_t message_size, unsigned char *signature,
    size_t *signature_size, char *error, size_t error_size) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    size_t needed = 0;
    int ok = context != NULL && EVP_DigestSignInit(context, NULL, EVP_sha256(), NULL, key->pkey) == 1
        && EVP_DigestSign(context, NULL, &needed, message, message_size) == 1 && needed <= *signature_size
        && EVP_DigestSign(context, signature, signature_size, message, message_size) == 1;
    EVP_MD_CTX_free(context);
    if (!ok) {
        report(error, error_size, "signing failed");
        return -1;
    }
    return 0;
}

int ccrypto_verify_rs256(
    const ccrypto_key *key, const unsigned char *message, size_t message_size, const unsigned char *signature,
    size_t signature_size, char *error, size_t error_size) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context == NULL || EVP_DigestVerifyInit(context, NULL, EVP_sha256(), NULL, key->pkey) != 1) {
        EVP_MD_CTX_free(context);
        report(error, error_size, "verification failed");
        return -1;
    }
    int result = EVP_DigestVerify(context, signature, signature_size, message, message_size);
    EVP_MD_CTX_free(context);
    ERR_clear_error();
    return result == 1 ? 1 : 0;
}

void ccrypto_sha256(const unsigned char *data, size_t size, unsigned char *out) { SHA256(data, size, out); }

int ccrypto_random_bytes(unsigned char *buffer, size_t size) {
    if (size > (size_t)INT32_MAX) return -1;
    return RAND_bytes(buffer, (int)size) == 1 ? 0 : -1;
}
