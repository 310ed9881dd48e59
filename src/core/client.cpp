#include <errand/client.hpp>
#include <errand/error.hpp>
#include <errand/queues.hpp>

#include <fmt/format.h>

namespace errand {
namespace {

/// Roadster's pgmq message for `job`: {"metadata": {"id", "worker_name"}, "args": ...},
/// `args` being the one argument itself (Roadster's Args), or the array of several.
std::string roadster_envelope(const Job& job) {
  const json::array& args = job.args();
  json::object envelope;
  envelope.emplace("metadata", json::object{{"id", job.jid()}, {"worker_name", job.class_name()}});
  envelope.emplace("args", args.size() == 1 ? args.front() : json::value(args));
  return to_json(envelope);
}

/// Sidekiq's client-side validation of a payload (Sidekiq::JobUtil#validate).
void validate(const Job& job) {
  const json::value* klass = job.find("class");
  if (klass == nullptr || !klass->is_string() || klass->get_string().empty()) {
    throw PayloadError("errand: a job needs a non-empty string \"class\" naming its worker");
  }
  const json::value* args = job.find("args");
  if (args == nullptr || !args->is_array()) {
    throw PayloadError(fmt::format("errand: job {}: \"args\" must be an array", job.class_name()));
  }
  if (const json::value* queue = job.find("queue")) {
    if (!queue->is_string()) throw PayloadError(fmt::format("errand: job {}: \"queue\" must be a string", job.class_name()));
    validate_queue_name(queue->get_string());
  }
  if (const json::value* at = job.find("at"); at != nullptr) {
    constexpr double year_5000 = 95'617'584'000.0;
    const double seconds = at->is_number() ? at->to_number<double>() : -1;
    if (!(seconds >= 0 && seconds < year_5000)) {
      throw PayloadError(fmt::format("errand: job {}: \"at\" must be epoch seconds (a number between 0 and year "
                                     "5000), got {} (milliseconds by mistake?)",
                                     job.class_name(), to_json(*at)));
    }
  }
  if (const json::value* tags = job.find("tags"); tags != nullptr && !tags->is_array()) {
    throw PayloadError(fmt::format("errand: job {}: \"tags\" must be an array", job.class_name()));
  }
}

/// Puts Sidekiq's default options first when the payload lacks them, as
/// `defaults.merge(item)` does in Ruby.
void apply_defaults(Job& job) {
  const bool has_retry = job.find("retry") != nullptr;
  const bool has_queue = job.find("queue") != nullptr;
  if (has_retry && has_queue) return;
  json::object fields;
  fields.reserve(job.fields().size() + 2);
  if (!has_retry) fields.emplace("retry", true);
  if (!has_queue) fields.emplace("queue", "default");
  for (auto& member : job.fields()) fields.emplace(member.key(), std::move(member.value()));
  job.fields() = std::move(fields);
}

}  // namespace

Client::Client(std::shared_ptr<Store> store) : state_(std::make_shared<State>(State{std::move(store), {}})) {
  if (!state_->store) throw ConfigError("errand: Client needs a store (errand::connect(url) makes one)");
}

Client Client::with(JobOptions overrides) const {
  Client copy = *this;
  copy.overrides_ = overrides_.merged_with(overrides);
  return copy;
}

Client Client::with_store(std::shared_ptr<Store> store) const {
  Client copy = *this;
  copy.state_ = std::make_shared<State>(State{std::move(store), state_->middleware});
  return copy;
}

void Client::use(ClientMiddleware middleware) { state_->middleware.add(std::move(middleware)); }

Job Client::build_job(const JobOptions& worker_options, std::string class_name, json::array args,
                      FieldOrder order) const {
  const JobOptions options = worker_options.merged_with(overrides_);
  if (options.timeout && options.timeout->count() < 0) {
    throw ArgumentError(fmt::format("errand: {}: JobOptions::timeout is {} ms; it must be at least 0 ms (0: no limit)",
                                    class_name, options.timeout->count()));
  }
  json::object fields;
  fields.reserve(8);
  fields.emplace("retry", options.retry ? options.retry->to_json() : json::value(true));
  fields.emplace("queue", options.queue.value_or("default"));
  if (options.backtrace) fields.emplace("backtrace", options.backtrace->to_json());
  if (options.retry_queue) fields.emplace("retry_queue", *options.retry_queue);
  if (options.dead) fields.emplace("dead", *options.dead);
  if (options.timeout) fields.emplace("timeout", std::chrono::duration<double>(*options.timeout).count());
  if (!options.tags.empty()) {
    json::array tags;
    for (const auto& tag : options.tags) tags.emplace_back(tag);
    fields.emplace("tags", std::move(tags));
  }
  if (order == FieldOrder::class_first) fields.emplace("class", std::move(class_name));
  fields.emplace("args", std::move(args));
  if (order == FieldOrder::args_first) fields.emplace("class", std::move(class_name));
  return Job(std::move(fields));
}

std::optional<JobInsert> Client::prepare(Job job, TimePoint now, JobFormat format) const {
  validate(job);
  apply_defaults(job);
  if (job.find("jid") == nullptr) {
    job.set("jid", json::string(format == JobFormat::roadster ? new_uuid_v7() : new_jid()));
  }
  if (job.find("created_at") == nullptr) job.set("created_at", timestamp_value(now, state_->store->sidekiq_version()));

  std::optional<JobInsert> insert;
  state_->middleware.invoke(job, [&](Job& pushed) {
    validate(pushed);  // a middleware may have changed anything
    std::optional<TimePoint> run_at;
    if (const json::value* at = pushed.find("at")) {
      const TimePoint when = from_epoch_seconds(at->to_number<double>());
      if (when > now) run_at = when;
      pushed.erase("at");  // never stored: it becomes the score (or the job runs now)
    }
    if (run_at) {
      pushed.erase("enqueued_at");  // set when the job reaches its queue
    } else {
      pushed.set("enqueued_at", timestamp_value(now, state_->store->sidekiq_version()));
    }
    insert = JobInsert{std::string(pushed.jid()), std::string(pushed.queue()),
                       format == JobFormat::roadster ? roadster_envelope(pushed) : pushed.dump(), run_at};
  });
  return insert;
}

std::optional<std::string> Client::push(Job job, JobFormat format) const {
  std::optional<JobInsert> insert = prepare(std::move(job), Clock::now(), format);
  if (!insert) return std::nullopt;
  std::string jid = insert->jid;
  JobInsertManyParams params;
  params.jobs.push_back(std::move(*insert));
  state_->store->job_insert_many(params);
  return jid;
}

std::vector<std::string> Client::push_bulk(std::vector<Job> jobs, JobFormat format) const {
  const TimePoint now = Clock::now();
  JobInsertManyParams params;
  params.jobs.reserve(jobs.size());
  std::vector<std::string> jids;
  jids.reserve(jobs.size());
  for (auto& job : jobs) {
    if (auto insert = prepare(std::move(job), now, format)) {
      jids.push_back(insert->jid);
      params.jobs.push_back(std::move(*insert));
    }
  }
  if (!params.jobs.empty()) state_->store->job_insert_many(params);
  return jids;
}

std::optional<std::string> Client::enqueue_raw(std::string_view class_name, std::string_view queue,
                                               json::array args) const {
  Job job = build_job({}, std::string(class_name), std::move(args), FieldOrder::class_first);
  job.set("queue", json::string(queue));  // the queue given here wins over with({.queue = ...})
  return push(std::move(job));
}

}  // namespace errand
