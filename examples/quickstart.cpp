// The README's first example: a worker with typed arguments, a client that enqueues
// jobs, and a processor that runs them.
//
//   quickstart [store-url]      (default: $REDIS_URL, else memory://)
#include <errand/errand.hpp>

#include <boost/describe.hpp>

#include <cstdlib>
#include <iostream>
#include <latch>

struct Invoice {
  std::string customer;
  double amount = 0;
};
BOOST_DESCRIBE_STRUCT(Invoice, (), (customer, amount))

std::latch done{3};

// A Ruby app calls this with `InvoiceWorker.perform_async(42, {"customer" => "ACME", "amount" => 19.99})`.
struct SendInvoice : errand::Worker<SendInvoice> {
  static constexpr std::string_view class_name = "InvoiceWorker";
  static errand::JobOptions options() { return {.queue = "billing", .retry = 5}; }

  void perform(std::int64_t invoice_id, const Invoice& invoice, errand::Context& ctx) {
    ctx.logger().info("sending invoice " + std::to_string(invoice_id) + " to " + invoice.customer);
    done.count_down();
  }
};

int main(int argc, char** argv) {
  const char* env_url = std::getenv("REDIS_URL");
  const std::string url = argc > 1 ? argv[1] : env_url != nullptr ? env_url : "memory://";
  try {
    auto store = errand::connect(url);

    errand::Client client{store};
    client.enqueue<SendInvoice>(1, Invoice{"ACME", 19.99});
    client.enqueue<SendInvoice>(2, Invoice{"Globex", 250.0});
    client.enqueue_bulk<SendInvoice>({{3, Invoice{"Initech", 7.5}}});

    errand::Processor processor{store, {.concurrency = 2, .queues = {"billing"}}};
    processor.register_worker<SendInvoice>();
    processor.start();
    done.wait();
    processor.stop();
    std::cout << "ran " << processor.stats().processed << " jobs on " << store->name() << "\n";
  } catch (const errand::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
