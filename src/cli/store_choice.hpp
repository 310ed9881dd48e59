// Which store(s) a command works on: --url, else the configuration's backends,
// narrowed by --store.
#pragma once

#include "cli/commands.hpp"

#include <errand/config.hpp>

#include <memory>
#include <string>
#include <vector>

namespace errand::cli {

/// The configuration: --config's file, else $ERRAND_CONFIG's, else the defaults (with
/// the environment's overrides).
Config load_config(const CommonOptions& common);

/// The backends a command names: one per --url (processor settings from the
/// configuration), else every configured backend; only those of --store's kind.
/// Throws UsageError when none is left, errand::ConfigError for a bad configuration.
std::vector<BackendConfig> chosen_backends(const CommonOptions& common);

/// An open store for an admin command, its admin operations, and the URL it came from
/// (for messages).
struct AdminStore {
  std::shared_ptr<Store> store;
  StoreAdmin* admin = nullptr;  ///< never null: store->admin(), which `store` keeps alive
  BackendConfig backend;
};

/// The one store an admin command works on. Throws UsageError when several are
/// configured and --store does not pick one (they are listed in the message), or when
/// the store has no admin operations.
AdminStore open_admin_store(const CommonOptions& common);

/// "redis", "postgres", "sqlite", "memory" (or the URL's scheme): the name --store takes.
std::string store_name(const std::string& url);

}  // namespace errand::cli
