# The no-op job the Sidekiq peer runs:  sidekiq -r ./noop_worker.rb -c C -q default
# BENCH_EXPECT=N: when the N-th job of this process finishes, LPUSH the wall-clock time
#   (ms) onto bench:done, so the timer needs no polling (one extra command per run).
# A 4th argument is a pickup-latency stamp (ms): the latency goes onto bench:latency.
# BENCH_SIDEKIQ_QUIET=1: job logging off (Sidekiq logs a start and a done line per job).
require "sidekiq"

Redis.silence_deprecations = true if Redis.respond_to?(:silence_deprecations=)

Sidekiq.logger.level = Logger::WARN if ENV["BENCH_SIDEKIQ_QUIET"] == "1"

class NoopWorker
  include Sidekiq::Worker

  EXPECT = Integer(ENV.fetch("BENCH_EXPECT", "0"))
  LOCK = Mutex.new
  @done = 0
  class << self
    attr_accessor :done
  end

  def perform(_id, _email, _plan, stamp = nil)
    if stamp
      ms = Process.clock_gettime(Process::CLOCK_REALTIME, :float_millisecond) - stamp
      Sidekiq.redis { |c| c.rpush("bench:latency", ms.to_s) }
      return
    end
    # The count is taken when perform returns: Sidekiq's own bookkeeping after it (a few
    # in-memory counters) is not in the timing.
    reached = LOCK.synchronize { (self.class.done += 1) == EXPECT }
    return unless reached

    now = Process.clock_gettime(Process::CLOCK_REALTIME, :float_millisecond)
    Sidekiq.redis { |c| c.lpush("bench:done", now.to_s) }
  end
end
