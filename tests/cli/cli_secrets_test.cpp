// No password in any message errand prints or raises: every malformed or unreachable URL
// shape, for Redis and Postgres, through the API, a configuration file, the environment
// and the command line (its errors and its logs).
#include "cli_support.hpp"
#include "subprocess.hpp"
#include "test_env.hpp"

#include <errand/errand.hpp>

#include <gtest/gtest.h>

namespace errand::test {
namespace {

/// In every password below; must never show.
constexpr std::string_view secret = "R3dis";

const std::vector<std::string> redis_urls = {
    "redis://:R3disPW@cache:99999/0",                          // port out of range
    "redis://:R3disPW@cache:port/0",                           // port not a number
    "redis://:R3disPW@cache:6379/abc",                         // db not a number
    "redis://:R3disPW@cache:6379/-1",                          // negative db
    "redis://:R3disPW@cache:0/0",                              // port 0
    "redis://:R3disPW@cache:6379/0?bogus=1",                   // unknown parameter
    "redis://:R3disPW@cache:6379/0?pool_size",                 // parameter without value
    "redis://:R3disPW@cache:6379/0?pool_size=0",               // bad pool size
    "redis://:R3disPW@cache:6379/0?namespace=a&namespace=b",   // parameter twice
    "redis://:R3disPW@cache:6379/0?ssl_ca_certs=/ca.pem",      // TLS parameter without TLS
    "rediss://:R3disPW@cache:6379/0?ssl_cert_reqs=maybe",      // bad verification mode
    "rediss://:R3disPW@cache:6379/0?ssl_certfile=/c.pem",      // certificate without key
    "rediss://:R3disPW@cache:6379/0?namespace=%zz",            // bad escape in the query
    "redis://:R3disPW@cache:6379/0#insecure",                  // fragment without TLS
    "redis://:R3dis%zzPW@cache:6379/0",                        // bad escape in the password
    "redis://app:R3dis%PW@cache:6379/0",                       // truncated escape
    "redis://:R3disPW@[::1:6379/0",                            // unclosed [
    "redis://:R3disPW@[::1]x/0",                               // junk after ]
    "redis://R3disPW@cache:99999/0",                           // password without user or ':'
    "redis://app:R3disPW@127.0.0.1:1/0",                       // nothing listens
    "rediss://:R3disPW@127.0.0.1:1/0?ssl_ca_certs=/none.pem",  // unreadable CA file
    "mysql://:R3disPW@cache:3306/0",                           // no such store
    "redis://:R3dis?PW@cache:99999/0",                         // a raw '?' in the password
    "redis://:R3dis#PW@cache:99999/0",                         // a raw '#' in the password
    "rediss://:R3dis#insecure@cache:99999/0",                  // ... that looks like a fragment
};

const std::vector<std::string> postgres_urls = {
    "postgres://app:R3disPW@db:99999999/app",           // libpq: bad port
    "postgres://app:R3disPW@[::1/app",                  // libpq: unclosed [, echoes the URI
    "postgres://app:R3dis%zzPW@db/app",                 // libpq: bad escape, echoes the token
    "postgres://app:R3disPW@db/app?bogus=1",            // libpq: unknown parameter
    "postgresql://app:R3disPW@127.0.0.1:1/app",         // nothing listens
    "postgres://app@127.0.0.1:1/app?password=R3disPW",  // password as a parameter
    "postgres://app:R3disPW@127.0.0.1:1/app?port=x",    // libpq: bad parameter value
    "host=127.0.0.1 port=1 password=R3disPW dbname=app",  // a key=value connection string
    "host=db password = 'R3dis PW\\'s' port=x",          // ... with a quoted password
};

std::vector<std::string> all_urls() {
  std::vector<std::string> urls = redis_urls;
  urls.insert(urls.end(), postgres_urls.begin(), postgres_urls.end());
  return urls;
}

void expect_no_secret(std::string_view text, std::string_view where, std::string_view url) {
  EXPECT_EQ(text.find(secret), std::string_view::npos) << where << " for " << url << " shows the password:\n" << text;
}

/// The configuration naming `url` where its store's URL goes.
std::string config_for(const std::string& url) {
  if (url.starts_with("postgres")) return "database.uri = \"" + url + "\"\n[service.worker.pg]\nnum-workers = 1\n";
  return "[service.sidekiq.redis]\nuri = \"" + url + "\"\n";
}

TEST(cli_secrets, TheApiNeverRaisesAPassword) {
  for (const auto& url : all_urls()) {
    try {
      (void)connect(url);
      ADD_FAILURE() << "connected to " << url;
    } catch (const std::exception& e) {
      expect_no_secret(e.what(), "connect()", url);
    }
  }
  for (const auto& url : redis_urls) {
    try {
      (void)RedisOptions::from_url(url);
    } catch (const std::exception& e) {
      expect_no_secret(e.what(), "RedisOptions::from_url", url);
    }
  }
}

TEST(cli_secrets, TheConfigurationNeverRaisesAPassword) {
  for (const auto& url : all_urls()) {
    const auto check = [&](std::string_view where, const auto& load) {
      try {
        for (const auto& backend : load().backends) (void)connect(backend);
      } catch (const std::exception& e) {
        expect_no_secret(e.what(), where, url);
      }
    };
    check("a TOML file", [&] { return Config::from_toml_string(config_for(url), "errand.toml", Environment::from_map({})); });
    const std::string variable = url.starts_with("postgres") ? "DATABASE_URL" : "REDIS_URL";
    check("the environment", [&] {
      return Config::from_toml_string("", "errand.toml", Environment::from_map({{variable, url}}));
    });
  }
  // A syntax error on the URL's line: the TOML parser's message does not quote it.
  try {
    (void)Config::from_toml_string("[service.sidekiq.redis]\nuri = \"redis://:R3disPW@cache/0\n", "errand.toml",
                                   Environment::from_map({}));
    ADD_FAILURE() << "no error for an unterminated string";
  } catch (const ConfigError& e) {
    expect_no_secret(e.what(), "a TOML syntax error", "an unterminated uri");
  }
}

TEST(cli_secrets, TheCommandLineNeverPrintsAPassword) {
  const TempDir dir;
  for (const auto& url : all_urls()) {
    const CliResult by_url = run_errand({"stats", "--url", url});
    EXPECT_NE(by_url.status, 0) << url;
    expect_no_secret(by_url.out + by_url.err, "errand --url", url);

    write_file(dir.file("errand.toml"), config_for(url));
    const CliResult by_file = run_errand({"queues", "--config", dir.file("errand.toml")});
    expect_no_secret(by_file.out + by_file.err, "errand --config", url);

    const std::string variable = url.starts_with("postgres") ? "DATABASE_URL" : "REDIS_URL";
    const CliResult by_environment = run_errand({"stats"}, {variable + "=" + url});
    expect_no_secret(by_environment.out + by_environment.err, "errand with " + variable, url);
  }
}

TEST(cli_secrets, AnAppsRunAndItsLogsNeverShowAPassword) {
  // `run` logs as it starts; a store it cannot reach ends it with an error.
  for (const std::string url : {"redis://:R3disPW@127.0.0.1:1/0", "postgres://app:R3disPW@127.0.0.1:1/app",
                                "redis://:R3disPW@cache:99999/0"}) {
    const CliResult r = run_program(CLI_APP, {"run", "--url", url, "-t", "1"});
    EXPECT_NE(r.status, 0) << url;
    expect_no_secret(r.out + r.err, "cli_app run", url);
  }
}

}  // namespace
}  // namespace errand::test
