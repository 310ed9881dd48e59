// A SQLite file that cannot be written: no connection is kept read-only, the error says
// what to fix, and the same store works again once the file is writable.
#include <errand/error.hpp>
#include <errand/sqlite.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace errand::sqlite_read_only_test {
namespace {

constexpr uid_t nobody = 65534;  // Debian's `nobody` (and its group `nogroup`)

/// Ends the child with a message when `ok` is false (death tests report the exit code).
void require(bool ok, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "FAILED: %s\n", what.c_str());
  std::_Exit(1);
}

void insert_one(Store& store, const std::string& jid) {
  store.job_insert_many({{{jid, "default", R"({"class":"C","args":[],"jid":")" + jid + "\"}", std::nullopt}}});
}

/// The scenario, as a user the file permissions apply to.
void scenario(const std::filesystem::path& dir) {
  const std::string path = (dir / "jobs.db").string();
  auto writer = connect_sqlite({.path = path});
  insert_one(*writer, "before");

  // The file and its directory become read-only: a new connection would silently be
  // read-only (SQLITE_OPEN_READWRITE falls back); errand refuses it instead.
  require(::chmod(path.c_str(), 0444) == 0 && ::chmod(dir.c_str(), 0555) == 0, "chmod read-only");
  std::shared_ptr<Store> store;
  std::string error;
  try {
    store = connect_sqlite({.path = path, .pool_size = 1});
    insert_one(*store, "while-read-only");
  } catch (const ConnectionError& e) {
    error = e.what();
  }
  require(error.find("could only be opened read-only") != std::string::npos, "clear error, got: " + error);
  require(error.find("make the file and its directory writable") != std::string::npos, "says what to do: " + error);

  // Writable again: the same store (if it was made) and a new one both work.
  require(::chmod(dir.c_str(), 0755) == 0 && ::chmod(path.c_str(), 0644) == 0, "chmod writable");
  if (!store) store = connect_sqlite({.path = path, .pool_size = 1});
  insert_one(*store, "after");
  JobFetchParams fetch;
  fetch.queues = {"default"};
  fetch.max = 10;
  fetch.owner = "tester:1:000000000000";
  const auto jobs = store->job_fetch(fetch);
  require(jobs.size() == 2, "both jobs fetched after recovery, got " + std::to_string(jobs.size()));
  std::filesystem::remove_all(dir);  // _Exit runs no destructor: not the TempDir's either
  std::_Exit(0);
}

TEST(SqliteReadOnly, NoConnectionIsKeptReadOnlyAndTheStoreRecoversWhenTheFileIsWritable) {
  // The death test's child runs the test again from the top ("threadsafe"), so it
  // makes a directory of its own.
  const test::TempDir dir;
  const bool root = ::geteuid() == 0;
  if (root) {
    ASSERT_EQ(::chown(dir.path().c_str(), nobody, nobody), 0);
  }
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        // Root ignores file permissions: the scenario runs as `nobody`.
        if (root) require(::setgroups(0, nullptr) == 0 && ::setgid(nobody) == 0 && ::setuid(nobody) == 0, "drop root");
        scenario(dir.path());
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace errand::sqlite_read_only_test
