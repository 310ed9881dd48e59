# Pushes random floats of every magnitude with Ruby's Sidekiq client, 100 per job, and
# prints each float's bits as an integer (exact, whatever JSON does to the float):
# {"jid" => [bits, ...], ...}. Usage: REDIS_URL=redis://... ruby push_random_floats.rb COUNT SEED
require "sidekiq"
require "json"

Sidekiq.configure_client { |config| config.redis = { url: ENV.fetch("REDIS_URL") } }
Sidekiq.logger.level = Logger::WARN

class FloatsWorker
  include Sidekiq::Worker
  sidekiq_options queue: "floats"
end

count = Integer(ARGV.fetch(0))
random = Random.new(Integer(ARGV.fetch(1)))
floats = []
while floats.size < count
  # Random bits: every exponent, subnormals included; NaN and infinity are not JSON.
  f = [random.rand(2**64)].pack("Q").unpack1("D")
  floats << f if f.finite?
end
bits = {}
floats.each_slice(100) do |slice|
  jid = FloatsWorker.perform_async(slice)
  bits[jid] = slice.map { |f| [f].pack("D").unpack1("Q") }
end
puts JSON.generate(bits)
