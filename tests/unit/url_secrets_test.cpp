#include "kit/url_secrets.hpp"

#include <gtest/gtest.h>

namespace errand::detail {
namespace {

TEST(MaskedUrl, HidesThePasswordAndKeepsTheRest) {
  EXPECT_EQ(masked_url("redis://:pw@cache:6379/0"), "redis://:***@cache:6379/0");
  EXPECT_EQ(masked_url("rediss://app:s%40cret@cache/2?namespace=x"), "rediss://app:***@cache/2?namespace=x");
  EXPECT_EQ(masked_url("postgres://app:pw@db:5432/app"), "postgres://app:***@db:5432/app");
  EXPECT_EQ(masked_url("postgres://app@db/app?sslmode=require&password=pw"),
            "postgres://app@db/app?sslmode=require&password=***");
}

TEST(MaskedUrl, APasswordWithUnescapedSpecialCharactersIsHiddenWhole) {
  EXPECT_EQ(masked_url("redis://:p@ss/w?rd@cache/0"), "redis://:***@cache/0");
  EXPECT_EQ(masked_url("redis://:p#w@cache/0"), "redis://:***@cache/0");
}

TEST(MaskedUrl, ARedisUserinfoWithoutColonIsAPassword) {
  EXPECT_EQ(masked_url("redis://secret@cache/0"), "redis://***@cache/0");
  EXPECT_EQ(masked_url("postgres://app@db/app"), "postgres://app@db/app") << "a Postgres user name is no secret";
}

TEST(MaskedUrl, AKeyValueConnectionStringHasItsPasswordHidden) {
  EXPECT_EQ(masked_url("host=db password=s3cret dbname=app"), "host=db password=*** dbname=app");
  EXPECT_EQ(masked_url("password = 'it\\'s secret' host=db"), "password = *** host=db");
  EXPECT_EQ(masked_url("host=db passwordless=1"), "host=db passwordless=1") << "another key";
}

TEST(MaskedUrl, UrlsWithoutSecretsAndOtherTextStayAsTheyAre) {
  for (const char* text : {"redis://cache:6379/0", "sqlite://jobs.db", "memory://", "not a url", "", "redis://:@h"}) {
    EXPECT_EQ(masked_url(text), text);
  }
}

TEST(WithoutSecrets, MasksTheUrlAndThePasswordWhereverAMessageQuotesThem) {
  const std::string url = "postgres://app:p%41ss@db/app";
  EXPECT_EQ(without_secrets("bad URI: \"postgres://app:p%41ss@db/app\"", url), "bad URI: \"postgres://app:***@db/app\"");
  EXPECT_EQ(without_secrets("invalid token \"p%41ss\"", url), "invalid token \"***\"");
  EXPECT_EQ(without_secrets("password pAss refused", url), "password *** refused") << "decoded too";
  EXPECT_EQ(without_secrets("connection refused", url), "connection refused");
}

}  // namespace
}  // namespace errand::detail
