// An application's own worker binary: its workers, then errand's command line.
//
//   cli_app run -c 5 -q billing,2 -q default          (TERM/INT: stop, TSTP: quiet)
//   cli_app run --url redis://localhost:6379/0 --url sqlite://jobs.db
//   cli_app enqueue InvoiceWorker '[42, {"customer": "ACME", "amount": 19.99}]' -q billing
//   cli_app stats / queues / retries list / dead list / clear QUEUE   (as `errand`)
//
// docs/cli.md describes every command.
#include <errand/cli.hpp>
#include <errand/errand.hpp>

#include <boost/describe.hpp>

#include <chrono>
#include <string>

struct Invoice {
  std::string customer;
  double amount = 0;
};
BOOST_DESCRIBE_STRUCT(Invoice, (), (customer, amount))

struct SendInvoice : errand::Worker<SendInvoice> {
  static constexpr std::string_view class_name = "InvoiceWorker";
  static errand::JobOptions options() { return {.queue = "billing", .retry = 5}; }

  void perform(std::int64_t invoice_id, const Invoice& invoice, errand::Context& ctx) {
    ctx.logger().info("sending invoice " + std::to_string(invoice_id) + " to " + invoice.customer);
  }
};

int main(int argc, char** argv) {
  errand::WorkerRegistry workers;
  workers.add<SendInvoice>();

  errand::cli::Options options;
  // Optional: set up each processor `run` starts (one per store), e.g. a timing middleware.
  options.configure_processor = [](errand::Processor& processor, const errand::BackendConfig&) {
    processor.use([](errand::Job& job, errand::Context& ctx, const errand::ServerNext& next) {
      const auto start = std::chrono::steady_clock::now();
      next();
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
      ctx.logger().info(std::string(job.class_name()) + " took " + std::to_string(ms.count()) + " ms");
    });
  };
  return errand::cli::main(argc, argv, workers, options);
}
