// errand: background jobs for C++, Sidekiq-compatible on Redis.
//
// One include for applications: workers, the client, the processor, and the stores.
#pragma once

#include <errand/args.hpp>
#include <errand/client.hpp>
#include <errand/config.hpp>
#include <errand/context.hpp>
#include <errand/error.hpp>
#include <errand/job.hpp>
#include <errand/json.hpp>
#include <errand/logger.hpp>
#include <errand/memory.hpp>
#include <errand/middleware.hpp>
#include <errand/options.hpp>
#include <errand/processor.hpp>
#include <errand/queues.hpp>
#include <errand/redis.hpp>
#include <errand/registry.hpp>
#include <errand/retry.hpp>
#include <errand/sqlite.hpp>
#include <errand/store.hpp>
#include <errand/version.hpp>
#include <errand/worker.hpp>
