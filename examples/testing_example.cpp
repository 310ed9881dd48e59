// An application's own tests of its jobs, with errand's testing modes (docs/testing.md).
// CTest builds and runs it: `ctest -R example_testing`.
//
// The application: signing a user up enqueues a welcome email, which a worker sends
// through the app's Outbox. In a real app the first part lives in the app's sources and
// the tests in its test directory; the test target links errand::testing and GoogleTest.
#include <errand/client.hpp>
#include <errand/testing.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

// ---- the application ----

/// Where the app's mail goes (an SMTP client in production).
class Outbox {
 public:
  void send(const std::string& to, const std::string& subject) {
    const std::lock_guard lock(mutex_);
    sent_.push_back(to + ": " + subject);
  }
  [[nodiscard]] std::vector<std::string> sent() const {
    const std::lock_guard lock(mutex_);
    return sent_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> sent_;
};

struct WelcomeEmail : errand::Worker<WelcomeEmail> {
  static constexpr std::string_view class_name = "WelcomeEmailWorker";
  static errand::JobOptions options() { return {.queue = "mail", .retry = 3}; }
  Outbox* outbox = nullptr;
  void perform(std::int64_t user_id, const std::string& email) {
    outbox->send(email, "Welcome, user " + std::to_string(user_id));
  }
};

/// The code under test: it takes the Client it enqueues with, so a test can give it one.
std::int64_t sign_up(const errand::Client& jobs, const std::string& email) {
  const std::int64_t user_id = 42;  // saved to the database in a real app
  (void)jobs.enqueue<WelcomeEmail>(user_id, email);
  return user_id;
}

/// The app's job setup, the same for its Processor in main() and for its tests.
template <class Runner>
void register_jobs(Runner& runner, Outbox& outbox) {
  runner.template register_worker<WelcomeEmail>([&outbox] { return WelcomeEmail{{}, &outbox}; });
}

// ---- the application's tests ----

TEST(SignUp, EnqueuesAWelcomeEmail) {
  Outbox outbox;
  errand::testing::Fake fake;
  register_jobs(fake, outbox);
  const errand::Client client{fake.store()};

  sign_up(client, "ada@example.com");

  ASSERT_EQ(fake.size<WelcomeEmail>(), 1U);
  const auto job = fake.jobs<WelcomeEmail>()[0];
  EXPECT_EQ(std::get<0>(job.args), 42);
  EXPECT_EQ(std::get<1>(job.args), "ada@example.com");
  EXPECT_EQ(job.queue, "mail");
  EXPECT_TRUE(outbox.sent().empty());  // enqueued, not run

  EXPECT_EQ(fake.drain<WelcomeEmail>(), 1U);
  EXPECT_EQ(outbox.sent(), std::vector<std::string>{"ada@example.com: Welcome, user 42"});
}

TEST(SignUp, SendsTheWelcomeEmailInline) {
  Outbox outbox;
  errand::testing::Inline inline_jobs;
  register_jobs(inline_jobs, outbox);
  const errand::Client client{inline_jobs.store()};

  sign_up(client, "grace@example.com");  // the job has run when this returns

  EXPECT_EQ(outbox.sent(), std::vector<std::string>{"grace@example.com: Welcome, user 42"});
}
