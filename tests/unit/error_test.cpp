// Error::is_retryable(): which failures may pass if the same operation is tried again.
#include <errand/error.hpp>

#include <gtest/gtest.h>

namespace errand::error_test {

TEST(ErrorTest, MistakesThatNeedAFixAreNotRetryable) {
  EXPECT_FALSE(ArgumentError("wrong type").is_retryable());
  EXPECT_FALSE(PayloadError("not JSON").is_retryable());
  EXPECT_FALSE(ConfigError("bad URL").is_retryable());
  EXPECT_FALSE(UnknownWorkerError("no worker").is_retryable());
}

TEST(ErrorTest, ConnectionsTimeoutsAndStoreRepliesAreRetryable) {
  EXPECT_TRUE(ConnectionError("refused").is_retryable());
  EXPECT_TRUE(TimeoutError("no answer").is_retryable());
  EXPECT_TRUE(JobTimeoutError("past its timeout").is_retryable());
  EXPECT_TRUE(StoreError("LOADING Redis is loading the dataset in memory").is_retryable());
}

TEST(ErrorTest, AnSqlErrorIsRetryableByItsSqlstateClass) {
  for (const char* passing : {"08006", "40001", "40P01", "53100", "55P03", "57014", "57P01", "58030"}) {
    EXPECT_TRUE(SqlError("e", passing).is_retryable()) << passing;
  }
  for (const char* lasting : {"22P02", "23505", "25P02", "42P01", "0A000", "P0001", "", "4"}) {
    EXPECT_FALSE(SqlError("e", lasting).is_retryable()) << lasting;
  }
}

}  // namespace errand::error_test
