#include "dbshift/common/sha256.h"

#include <string>

#include <gtest/gtest.h>

namespace dbshift {
namespace {

struct Case {
  std::string name;
  std::string input;
  std::string hex;
};

class Sha256Test : public ::testing::TestWithParam<Case> {};

TEST_P(Sha256Test, MatchesKnownVector) { EXPECT_EQ(Sha256Hex(GetParam().input), GetParam().hex); }

TEST_P(Sha256Test, PrefixGoesAheadOfTheDigest) {
  EXPECT_EQ(Sha256Hex(GetParam().input, "sha256:"), "sha256:" + GetParam().hex);
}

// FIPS 180-2 / NIST test vectors.
INSTANTIATE_TEST_SUITE_P(
    Vectors, Sha256Test,
    ::testing::Values(
        Case{"empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        Case{"abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        Case{"two_blocks", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        Case{"million_a", std::string(1000000, 'a'),
             "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
        // Computed with coreutils sha256sum.
        Case{"embedded_nul", std::string("a\0b", 3),
             "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138"}),
    [](const ::testing::TestParamInfo<Case>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace dbshift
