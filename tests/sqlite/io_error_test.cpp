// A pooled SQLite connection that reported an I/O error, or whose file was deleted or
// replaced under it, is dropped: the pool opens a new one for the next caller, so the
// store works again as soon as the file can be written, without a restart.
#include <errand/error.hpp>
#include <errand/sqlite.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace errand::sqlite_io_error_test {
namespace {

/// Ends the child with a message when `ok` is false (death tests report the exit code).
void require(bool ok, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "FAILED: %s\n", what.c_str());
  std::_Exit(1);
}

void insert(Store& store, const std::string& jid, std::size_t padding = 0) {
  store.job_insert_many({{{jid, "default",
                           R"({"class":"C","args":[")" + std::string(padding, 'x') + R"("],"jid":")" + jid + "\"}",
                           std::nullopt}}});
}

std::size_t fetch_all(Store& store) {
  JobFetchParams fetch;
  fetch.queues = {"default"};
  fetch.max = 100;
  fetch.owner = "tester:1:000000000000";
  return store.job_fetch(fetch).size();
}

/// This process's open descriptors of `path` itself (not its -wal and -shm files): one
/// per open SQLite connection.
int descriptors_of(const std::string& path) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(entry.path(), ec);
    if (!ec && (target == path || target == path + " (deleted)")) ++count;
  }
  return count;
}

std::string error_of(Store& store, const std::string& jid, std::size_t padding) {
  try {
    insert(store, jid, padding);
  } catch (const StoreError& e) {
    return e.what();
  }
  return "no error";
}

class SqliteIoError : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
  test::TempDir dir;
  std::string path = std::filesystem::canonical(dir.path()).string() + "/jobs.db";
};

// Writes fail with EFBIG past RLIMIT_FSIZE (SIGXFSZ ignored): SQLite reports
// SQLITE_IOERR_WRITE. The connection goes; with the limit lifted the store writes again.
TEST_F(SqliteIoError, AConnectionThatReportedAnIoErrorIsDroppedAndTheStoreRecovers) {
  EXPECT_EXIT(
      {
        const auto store = connect_sqlite({.path = path, .pool_size = 1});
        insert(*store, "before");
        require(descriptors_of(path) == 1, "one pooled connection, got " + std::to_string(descriptors_of(path)));

        rlimit limit{};
        require(::getrlimit(RLIMIT_FSIZE, &limit) == 0, "getrlimit");
        const rlim_t unlimited = limit.rlim_cur;
        require(std::signal(SIGXFSZ, SIG_IGN) != SIG_ERR, "ignore SIGXFSZ");
        limit.rlim_cur = 4096;  // every file write past 4 KiB fails
        require(::setrlimit(RLIMIT_FSIZE, &limit) == 0, "setrlimit");
        const std::string error = error_of(*store, "during", 1 << 20);
        require(error.find("disk I/O error") != std::string::npos, "an I/O error, got: " + error);
        require(descriptors_of(path) == 0,
                "the connection that failed was dropped, yet " + std::to_string(descriptors_of(path)) + " is open");

        limit.rlim_cur = unlimited;
        require(::setrlimit(RLIMIT_FSIZE, &limit) == 0, "setrlimit back");
        insert(*store, "after", 1 << 20);
        require(descriptors_of(path) == 1, "a new connection was opened");
        const std::size_t jobs = fetch_all(*store);
        require(jobs == 2, "before and after are there, the failed one is not: got " + std::to_string(jobs));
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

// The file is deleted, or replaced (a restore from backup, a cleanup script): in WAL
// mode SQLite reports no error, and writes through an old connection would go on into
// the old file, where no other process sees them. A connection whose file is no longer
// at its path is dropped when it is next taken from the pool; its successor writes the
// file there now, creating errand's tables in it if needed.
TEST_F(SqliteIoError, AConnectionToAReplacedFileIsDroppedAndTheNextWriteReachesTheNewFile) {
  EXPECT_EXIT(
      {
        const auto store = connect_sqlite({.path = path, .pool_size = 1});
        insert(*store, "old");
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
        const auto fresh = connect_sqlite({.path = path, .pool_size = 1});
        insert(*store, "after-replace");
        require(fetch_all(*fresh) == 1, "the old store's write reached the new file");
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(SqliteIoError, AConnectionToADeletedFileIsDroppedAndTheStoreStartsANewFile) {
  EXPECT_EXIT(
      {
        const auto store = connect_sqlite({.path = path, .pool_size = 2});
        insert(*store, "old");
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
        insert(*store, "after-delete");
        require(std::filesystem::exists(path), "the file was made anew");
        const auto other = connect_sqlite({.path = path, .pool_size = 1});
        require(fetch_all(*other) == 1, "another store sees the job written after the delete");
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace errand::sqlite_io_error_test
