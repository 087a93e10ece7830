/*
 * sha256.h - SHA-256 (FIPS 180-4) for migration checksums, without
 * OpenSSL's provider machinery: fetching the digest through EVP cost a
 * status of 10,000 files about 2 MB of resident memory and a lock and
 * lookup per file, for a hash of a few hundred bytes.
 */
#ifndef DBSHIFT_SOURCE_SHA256_H
#define DBSHIFT_SOURCE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_SIZE 32

/* Plain data: sha256_init sets it up, nothing to release. */
typedef struct sha256_ctx {
    uint32_t state[8];
    uint64_t length;         /* bytes hashed so far */
    unsigned char block[64]; /* bytes waiting for a full block */
    size_t used;             /* how many of block are filled */
} sha256_ctx;

void sha256_init(sha256_ctx *ctx);
void sha256_update(sha256_ctx *ctx, const void *data, size_t len);
void sha256_final(sha256_ctx *ctx, unsigned char out[SHA256_SIZE]);

/* The digest of one buffer. */
void sha256(unsigned char out[SHA256_SIZE], const void *data, size_t len);

#endif
