// The README's first command runs this: enqueue a mix of jobs, run them, show what happened.
//
//   errand_demo <store-url>
#include <errand/errand.hpp>

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

namespace {

std::atomic<int> thumbnails_done{0};

struct Thumbnail : errand::Worker<Thumbnail> {
  static constexpr std::string_view class_name = "ThumbnailWorker";
  void perform(const std::string& image, std::int64_t width) {
    volatile std::size_t work = image.size() * static_cast<std::size_t>(width);  // stand-in for real work
    (void)work;
    ++thumbnails_done;
  }
};

struct ChargeCard : errand::Worker<ChargeCard> {
  static constexpr std::string_view class_name = "ChargeCardWorker";
  static errand::JobOptions options() { return {.queue = "critical", .retry = 3}; }
  void perform(std::int64_t order_id, double amount) {
    if (amount > 1000) throw std::runtime_error(fmt::format("card declined for order {} ({:.2f})", order_id, amount));
  }
};

struct Welcome : errand::Worker<Welcome> {
  static constexpr std::string_view class_name = "WelcomeMailer";
  void perform(const std::string& email) { (void)email; }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: errand_demo <store-url>   e.g. redis://127.0.0.1:6379/0 or memory://\n";
    return 2;
  }
  try {
    auto store = errand::connect(argv[1]);
    errand::Client client{store};
    constexpr int thumbnail_count = 20'000;

    std::cout << fmt::format("errand {} demo on {} ({})\n\n", errand::version, store->name(), argv[1]);
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::tuple<std::string, std::int64_t>> thumbnails;
    for (int i = 0; i < thumbnail_count; ++i) thumbnails.emplace_back(fmt::format("photo-{}.jpg", i), 320);
    client.enqueue_bulk<Thumbnail>(thumbnails);
    for (int i = 0; i < 5; ++i) client.enqueue<ChargeCard>(1000 + i, i == 4 ? 4999.0 : 25.0 * (i + 1));
    for (int i = 0; i < 3; ++i) client.enqueue_in<Welcome>(std::chrono::hours(1), fmt::format("user{}@example.com", i));
    client.enqueue_raw("ChargeCardWorker", "critical", errand::json::array{"not-a-number", 10.0});  // bad args
    client.enqueue_raw("Billing::RubyOnlyWorker", "critical", errand::json::array{1});            // no C++ worker
    const double enqueue_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::cout << fmt::format("enqueued {} jobs in {:.0f} ms:\n", thumbnail_count + 10, enqueue_ms)
              << fmt::format("  {:>6} x ThumbnailWorker    queue default (one bulk push)\n", thumbnail_count)
              << "       5 x ChargeCardWorker   queue critical (one card is declined)\n"
              << "       3 x WelcomeMailer      scheduled in 1 hour\n"
              << "       1 x ChargeCardWorker   with a string where a number belongs\n"
              << "       1 x Billing::RubyOnlyWorker, which no C++ worker handles\n\n";

    errand::ProcessorOptions options;
    options.concurrency = 10;
    options.queues = errand::QueueList{"critical", "default"};
    options.logger = errand::null_logger();  // the summary below says what happened
    errand::Processor processor{store, options};
    processor.register_worker<Thumbnail>();
    processor.register_worker<ChargeCard>();
    processor.register_worker<Welcome>();

    const auto started = std::chrono::steady_clock::now();
    processor.start();
    const std::uint64_t expected = thumbnail_count + 7;
    const bool tty = isatty(STDOUT_FILENO) != 0;
    auto last_print = started;
    while (processor.stats().processed < expected) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      const auto now = std::chrono::steady_clock::now();
      if (tty || now - last_print > std::chrono::seconds(1)) {
        const auto done = processor.stats().processed;
        const int width = 30;
        const auto filled = static_cast<int>(width * done / expected);
        std::cout << fmt::format("{}processing [{}{}] {:>6}/{}", tty ? "\r" : "", std::string(filled, '#'),
                                 std::string(width - filled, '.'), done, expected)
                  << (tty ? "" : "\n") << std::flush;
        last_print = now;
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    processor.stop();
    const errand::ProcessorStats stats = processor.stats();

    std::cout << fmt::format("{}processed {} jobs in {:.2f} s ({:.0f} jobs/s with {} threads), {} failed\n\n",
                             tty ? "\n" : "", stats.processed, seconds, stats.processed / seconds,
                             options.concurrency, stats.failed);
    std::cout << fmt::format("retry set ({} jobs, each retried later with backoff, or killed when out of retries):\n",
                             store->set_size(errand::JobSet::retry));
    for (const auto& entry : store->set_entries(errand::JobSet::retry, 10)) {
      const errand::Job job = errand::Job::parse(entry.payload);
      std::cout << fmt::format("  {:<24} {}: {}\n", job.class_name(),
                               std::string_view(job.fields().at("error_class").as_string()),
                               std::string_view(job.fields().at("error_message").as_string()));
    }
    std::cout << fmt::format("scheduled: {} jobs waiting for their time\n", store->set_size(errand::JobSet::scheduled));
    std::cout << fmt::format("thumbnails made: {}\n", thumbnails_done.load());
    return thumbnails_done.load() == thumbnail_count ? 0 : 1;
  } catch (const errand::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
