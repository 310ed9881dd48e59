// The README's first command runs this: enqueue a mix of jobs, run them, show what happened.
//
//   errand_demo [store-url]     (default: sqlite://errand-demo.db)
#include <errand/errand.hpp>

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

namespace {

using std::chrono::milliseconds;

std::atomic<int> thumbnails{0};
std::atomic<int> uploads_failed_once{0};
std::atomic<int> uploads_done{0};
std::atomic<int> welcomes{0};

struct Thumbnail : errand::Worker<Thumbnail> {
  static constexpr std::string_view class_name = "ThumbnailWorker";
  void perform(const std::string& image, std::int64_t width) {
    volatile std::size_t work = image.size() * static_cast<std::size_t>(width);  // stand-in for real work
    (void)work;
    ++thumbnails;
  }
};

// Fails on its first run (a flaky network, say) and succeeds on the retry.
struct Upload : errand::Worker<Upload> {
  static constexpr std::string_view class_name = "UploadWorker";
  static errand::RetryIn retry_in(std::int64_t, const std::exception&) { return errand::RetryIn::exactly(milliseconds(800)); }
  void perform(const std::string& file, errand::Context& ctx) {
    if (ctx.attempt() == 1) {
      ++uploads_failed_once;
      throw std::runtime_error("connection reset while uploading " + file);
    }
    ++uploads_done;
  }
};

// One card is always declined: it uses up its 2 retries, then lands in the dead set.
struct ChargeCard : errand::Worker<ChargeCard> {
  static constexpr std::string_view class_name = "ChargeCardWorker";
  static errand::JobOptions options() { return {.queue = "critical", .retry = 2}; }
  static errand::RetryIn retry_in(std::int64_t, const std::exception&) { return errand::RetryIn::exactly(milliseconds(500)); }
  void perform(std::int64_t order_id, double amount) {
    if (amount > 1000) throw std::runtime_error(fmt::format("card declined for order {} ({:.2f})", order_id, amount));
  }
};

struct Welcome : errand::Worker<Welcome> {
  static constexpr std::string_view class_name = "WelcomeMailer";
  void perform(const std::string& /*email*/) { ++welcomes; }
};

std::int64_t size_of(errand::StoreAdmin& admin, errand::JobSet set) { return admin.set_size({.set = set}); }

bool settled(errand::StoreAdmin& admin, const errand::Processor& processor) {
  return admin.queue_size({.queue = "default"}) == 0 && admin.queue_size({.queue = "critical"}) == 0 &&
         size_of(admin, errand::JobSet::scheduled) == 0 && size_of(admin, errand::JobSet::retry) == 0 &&
         processor.stats().busy == 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string url = argc > 1 ? argv[1] : "sqlite://errand-demo.db";
  try {
    auto store = errand::connect(url);
    errand::StoreAdmin& admin = *store->admin();  // what the CLI reads: queues, sets, stats
    errand::Client client{store};
    constexpr int thumbnail_count = 20'000;

    std::cout << fmt::format("errand {} demo on {} ({})\n\n", errand::version, store->name(), url);
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::tuple<std::string, std::int64_t>> images;
    for (int i = 0; i < thumbnail_count; ++i) images.emplace_back(fmt::format("photo-{}.jpg", i), 320);
    client.enqueue_bulk<Thumbnail>(images);
    for (int i = 0; i < 3; ++i) client.enqueue<Upload>(fmt::format("report-{}.pdf", i));
    for (int i = 0; i < 5; ++i) client.enqueue<ChargeCard>(1000 + i, i == 4 ? 4999.0 : 25.0 * (i + 1));
    for (int i = 0; i < 3; ++i) client.enqueue_in<Welcome>(std::chrono::seconds(2), fmt::format("user{}@example.com", i));
    client.with({.retry = 0}).enqueue_raw("ChargeCardWorker", "critical", errand::json::array{"not-a-number", 10.0});
    client.with({.retry = 0}).enqueue_raw("Billing::RubyOnlyWorker", "critical", errand::json::array{1});
    const double enqueue_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::cout << fmt::format("enqueued {} jobs in {:.0f} ms:\n", thumbnail_count + 13, enqueue_ms)
              << fmt::format("  {:>6} x ThumbnailWorker          (one bulk push)\n", thumbnail_count)
              << "       3 x UploadWorker             fail once, then succeed on their retry\n"
              << "       5 x ChargeCardWorker         one card is declined: 2 retries, then the dead set\n"
              << "       3 x WelcomeMailer            scheduled to run in 2 seconds\n"
              << "       1 x ChargeCardWorker         with a string where a number belongs\n"
              << "       1 x Billing::RubyOnlyWorker  which no C++ worker handles\n\n";

    errand::ProcessorOptions options;
    options.concurrency = 10;
    options.queues = errand::QueueList{"critical", "default"};
    options.poll_interval_average = milliseconds(200);  // look for due retries and scheduled jobs often
    options.logger = errand::null_logger();             // the summary below says what happened
    errand::Processor processor{store, options};
    processor.register_worker<Thumbnail>();
    processor.register_worker<Upload>();
    processor.register_worker<ChargeCard>();
    processor.register_worker<Welcome>();

    const auto started = std::chrono::steady_clock::now();
    processor.start();
    const bool tty = isatty(STDOUT_FILENO) != 0;
    auto last_print = started - std::chrono::seconds(1);
    std::this_thread::sleep_for(milliseconds(100));
    while (!settled(admin, processor) && std::chrono::steady_clock::now() - started < std::chrono::seconds(60)) {
      const auto now = std::chrono::steady_clock::now();
      if (tty || now - last_print >= std::chrono::seconds(1)) {
        const auto done = processor.stats().processed;
        std::cout << fmt::format("{}{:5.1f} s  processed {:>6}  waiting: {} scheduled, {} to retry", tty ? "\r" : "",
                                 std::chrono::duration<double>(now - started).count(), done,
                                 size_of(admin, errand::JobSet::scheduled), size_of(admin, errand::JobSet::retry))
                  << (tty ? "   " : "\n") << std::flush;
        last_print = now;
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    processor.stop();
    const errand::ProcessorStats stats = processor.stats();

    std::cout << fmt::format("{}\nall settled after {:.1f} s: {} runs ({} failed), {} thumbnails made\n",
                             tty ? "" : "", seconds, stats.processed, stats.failed, thumbnails.load())
              << fmt::format("  uploads that failed once and then succeeded: {} of 3\n",
                             std::min(uploads_failed_once.load(), uploads_done.load()))
              << fmt::format("  scheduled welcome mails sent: {} of 3\n", welcomes.load())
              << fmt::format("dead set ({} jobs, kept for inspection and manual retry):\n",
                             size_of(admin, errand::JobSet::dead));
    for (const auto& entry : admin.set_list({.set = errand::JobSet::dead, .limit = 10})) {
      const errand::Job job = errand::Job::parse(entry.payload);
      std::cout << fmt::format("  {:<24} {}: {}\n", job.class_name(),
                               std::string_view(job.fields().at("error_class").as_string()),
                               std::string_view(job.fields().at("error_message").as_string()));
    }
    const bool ok = thumbnails.load() == thumbnail_count && uploads_done.load() == 3 && welcomes.load() == 3 &&
                    size_of(admin, errand::JobSet::dead) == 3;
    return ok ? 0 : 1;
  } catch (const errand::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
