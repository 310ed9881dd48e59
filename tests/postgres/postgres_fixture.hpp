// A fresh Postgres store per test: errand's and pgmq's schemas dropped first.
#pragma once

#include <errand/postgres.hpp>

#include <gtest/gtest.h>

#include "test_env.hpp"

namespace errand::test {

class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reset_postgres();
    store = connect_postgres(options());
  }
  static PostgresOptions options() {
    PostgresOptions o = PostgresOptions::from_url(postgres_url());
    o.poll_interval = std::chrono::seconds(5);  // long: a quick pickup proves a NOTIFY woke it
    return o;
  }
  /// The first column of each row of `sql`.
  static std::vector<std::string> query(const std::string& sql) { return postgres_query(sql); }

  std::shared_ptr<Store> store;
};

}  // namespace errand::test
