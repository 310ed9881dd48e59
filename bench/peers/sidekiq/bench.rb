# Ruby Sidekiq peer (the Debian ruby-sidekiq package). usage, with REDIS_URL set:
#   ruby bench.rb enqueue single|bulk CONCURRENCY JOBS
#   ruby bench.rb preload JOBS                  # push_bulk, then park the queue
#   ruby bench.rb process PID CONCURRENCY JOBS TIMEOUT_S VARIANT
#       (PID: a running `sidekiq -r noop_worker.rb` with BENCH_EXPECT=JOBS; unparks the
#        queue, waits for bench:done, reads the process's CPU and peak RSS from /proc)
#   ruby bench.rb latency CONCURRENCY SAMPLES  # with a running sidekiq
# Prints one "RESULT {json}" line per measurement.
require "json"
require "sidekiq"
require_relative "noop_worker"

ARGS = [1234, "bob@example.com", { "plan" => "pro", "amount" => 19.99 }].freeze
BULK = 1000
PARKED = "bench:parked"

def now_ms = Process.clock_gettime(Process::CLOCK_REALTIME, :float_millisecond)
def emit(record) = puts("RESULT #{JSON.generate(record)}")
def base = { system: "sidekiq", version: Sidekiq::VERSION, store: "redis" }

def redis_stats
  stats = Sidekiq.redis { |c| c.info("stats") }
  { reads: stats["total_reads_processed"].to_i,
    bytes: stats["total_net_input_bytes"].to_i + stats["total_net_output_bytes"].to_i }
end

def per_job(before, after, jobs)
  { round_trips_per_job: (after[:reads] - before[:reads]).fdiv(jobs),
    bytes_per_job: (after[:bytes] - before[:bytes]).fdiv(jobs) }
end

def in_threads(total, threads)
  next_index = 0
  lock = Mutex.new
  Array.new([threads, total].min) do
    Thread.new do
      loop do
        i = lock.synchronize { next_index < total ? (next_index += 1) - 1 : nil }
        break unless i

        yield i
      end
    end
  end.each(&:join)
end

def configure(pool_size)
  Sidekiq.configure_client { |config| config.redis = { url: ENV.fetch("REDIS_URL"), size: pool_size } }
end

def enqueue(mode, concurrency, jobs)
  configure(concurrency)
  before = redis_stats
  t0 = now_ms
  if mode == "single"
    in_threads(jobs, concurrency) { NoopWorker.perform_async(*ARGS) }
  else
    batches = (jobs + BULK - 1) / BULK
    in_threads(batches, concurrency) do |i|
      count = [BULK, jobs - i * BULK].min
      Sidekiq::Client.push_bulk("class" => NoopWorker, "args" => Array.new(count) { ARGS })
    end
  end
  seconds = (now_ms - t0) / 1000
  after = redis_stats
  queued = Sidekiq.redis { |c| c.llen("queue:default") }
  raise "sidekiq: #{queued} jobs in queue:default after enqueuing #{jobs}" unless queued == jobs

  what = mode == "single" ? "NoopWorker.perform_async" : "Sidekiq::Client.push_bulk of #{BULK}"
  emit(base.merge(scenario: "enqueue_#{mode}", concurrency: concurrency, jobs: jobs, seconds: seconds,
                  jobs_per_sec: jobs / seconds, **per_job(before, after, jobs),
                  notes: "#{what} from #{concurrency} thread(s), connection pool size #{concurrency}"))
end

def preload(jobs)
  configure(1)
  (0...jobs).step(BULK) do |start|
    Sidekiq::Client.push_bulk("class" => NoopWorker, "args" => Array.new([BULK, jobs - start].min) { ARGS })
  end
  Sidekiq.redis { |c| c.rename("queue:default", PARKED) }
end

def proc_cpu_seconds(pid)
  fields = File.read("/proc/#{pid}/stat").split(") ").last.split
  (fields[11].to_i + fields[12].to_i).fdiv(100) # utime + stime (fields 14, 15), in USER_HZ = 100
end

def proc_peak_rss_mb(pid)
  File.read("/proc/#{pid}/status")[/^VmHWM:\s+(\d+) kB/, 1].to_i / 1024.0
end

def wait_until_running(deadline)
  until Sidekiq.redis { |c| c.scard("processes") }.positive?
    raise "sidekiq did not register within 30 s (see its log)" if now_ms > deadline

    sleep 0.05
  end
  sleep 0.5 # its fetch threads are in BRPOP by now
end

def process_jobs(pid, concurrency, jobs, timeout_s, variant)
  configure(2)
  wait_until_running(now_ms + 30_000)
  before = redis_stats
  cpu0 = proc_cpu_seconds(pid)
  t0 = now_ms
  Sidekiq.redis { |c| c.rename(PARKED, "queue:default") }
  _, done_at = Sidekiq.redis { |c| c.blpop("bench:done", timeout: timeout_s) }
  timed_out = done_at.nil?
  t1 = timed_out ? now_ms : done_at.to_f
  cpu = proc_cpu_seconds(pid) - cpu0
  after = redis_stats
  left = Sidekiq.redis { |c| c.llen("queue:default") }
  processed = timed_out ? jobs - left : jobs # approximate when time-boxed (jobs in flight count as done)
  raise "sidekiq: no job ran within #{timeout_s} s" if processed.zero?

  seconds = (t1 - t0) / 1000
  notes = "#{variant == 'tuned' ? 'tuned: job logging off (logger level WARN)' : 'defaults (logs a line per job start and done)'}; " \
          "sidekiq -c #{concurrency} -q default, basic fetch (BRPOP)"
  notes += "; time-boxed: about #{processed} of #{jobs} in #{timeout_s} s" if timed_out
  emit(base.merge(scenario: "process", concurrency: concurrency, jobs: processed, seconds: seconds,
                  jobs_per_sec: processed / seconds, rss_mb: proc_peak_rss_mb(pid), cpu_s_per_1k: cpu / processed * 1000,
                  **per_job(before, after, processed), notes: notes))
end

def percentiles(samples)
  sorted = samples.sort
  at = ->(q) { sorted[[sorted.size - 1, (q * sorted.size).ceil - 1].min] }
  { p50_ms: at.(0.5), p90_ms: at.(0.9), p99_ms: at.(0.99), max_ms: sorted.last }
end

def latency(concurrency, samples)
  configure(2)
  wait_until_running(now_ms + 30_000)
  ms = Array.new(samples) do
    NoopWorker.perform_async(*ARGS, now_ms)
    _, value = Sidekiq.redis { |c| c.blpop("bench:latency", timeout: 10) }
    raise "sidekiq: a job was not picked up within 10 s" unless value

    sleep(rand * 0.02)
    value.to_f
  end
  emit(base.merge(scenario: "latency_idle", concurrency: concurrency, jobs: samples, **percentiles(ms),
                  notes: "idle sidekiq -c #{concurrency}; perform_async to perform start, one job at a time"))
end

mode, *rest = ARGV
case mode
when "enqueue" then enqueue(rest[0], Integer(rest[1]), Integer(rest[2]))
when "preload" then preload(Integer(rest[0]))
when "process" then process_jobs(Integer(rest[0]), Integer(rest[1]), Integer(rest[2]), Integer(rest[3]), rest[4])
when "latency" then latency(Integer(rest[0]), Integer(rest[1]))
else abort "usage: ruby bench.rb enqueue|preload|process|latency ..."
end
