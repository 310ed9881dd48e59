# Workers for a real `sidekiq` process: the echo workers of workers.rb, and one that
# always fails, so that Ruby's own retry code writes the retry set entry.
require_relative "workers"

module Interop
  class RubyFailingWorker
    include Sidekiq::Worker

    def perform(*_args)
      raise "boom from ruby"
    end
  end
end
