/*
 * test_sha256.c - the own SHA-256 (src/source/sha256.c) against the FIPS
 * 180-4 example vectors and against OpenSSL on every length around the
 * block and padding boundaries, fed whole and in uneven pieces, since a
 * checksum that drifts would mark every applied migration as changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "source/migration.h"
#include "source/sha256.h"

static void to_hex(char out[65], const unsigned char md[SHA256_SIZE])
{
    for (int i = 0; i < SHA256_SIZE; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void test_known_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *input;
        const char *hex;
    } cases[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char md[SHA256_SIZE];
        char hex[65];
        sha256(md, cases[i].input, strlen(cases[i].input));
        to_hex(hex, md);
        assert_string_equal(hex, cases[i].hex);
    }
}

static void test_million_a(void **state)
{
    (void)state;
    char chunk[1000];
    memset(chunk, 'a', sizeof(chunk));
    sha256_ctx ctx;
    sha256_init(&ctx);
    for (int i = 0; i < 1000; i++)
        sha256_update(&ctx, chunk, sizeof(chunk));
    unsigned char md[SHA256_SIZE];
    char hex[65];
    sha256_final(&ctx, md);
    to_hex(hex, md);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_matches_openssl(void **state)
{
    (void)state;
    unsigned char data[300];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 131 + 7);
    for (size_t len = 0; len <= sizeof(data); len++) {
        unsigned char want[EVP_MAX_MD_SIZE], whole[SHA256_SIZE], pieces[SHA256_SIZE];
        unsigned int wantlen = 0;
        assert_int_equal(EVP_Digest(data, len, want, &wantlen, EVP_sha256(), NULL), 1);
        assert_int_equal(wantlen, SHA256_SIZE);
        sha256(whole, data, len);
        assert_memory_equal(whole, want, SHA256_SIZE);
        /* Pieces of 1, 2, 3, ... bytes cross every block boundary. */
        sha256_ctx ctx;
        sha256_init(&ctx);
        for (size_t at = 0, step = 1; at < len; at += step, step++)
            sha256_update(&ctx, data + at, len - at < step ? len - at : step);
        sha256_final(&ctx, pieces);
        assert_memory_equal(pieces, want, SHA256_SIZE);
    }
}

static void test_checksum_folds_crlf(void **state)
{
    (void)state;
    char lf[80], crlf[80];
    checksum_lf(lf, "a\nb\n", 4);
    checksum_lf(crlf, "a\r\nb\r\n", 6);
    assert_string_equal(lf, crlf);
    unsigned char md[SHA256_SIZE];
    char hex[65];
    sha256(md, "a\nb\n", 4);
    to_hex(hex, md);
    assert_string_equal(lf + strlen("sha256-lf:"), hex);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_vectors),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_matches_openssl),
        cmocka_unit_test(test_checksum_folds_crlf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
