#include "cli/store_choice.hpp"

#include "stores/kit/url_secrets.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace errand::cli {

Config load_config(const CommonOptions& common) {
  if (!common.config_path.empty()) return Config::from_toml_file(common.config_path);
  return Config::load();
}

namespace {

BackendConfig::Kind kind_of(const std::string& name) {
  if (name == "redis") return BackendConfig::Kind::redis;
  if (name == "postgres") return BackendConfig::Kind::postgres;
  return BackendConfig::Kind::sqlite;
}

/// One backend per --url; processor settings from the configured backend of the same
/// store, else the first (which carries [service.worker]'s settings).
std::vector<BackendConfig> from_urls(const CommonOptions& common, const Config* config) {
  std::vector<BackendConfig> out;
  for (const auto& url : common.urls) {
    const std::string name = store_name(url);
    BackendConfig backend;
    backend.kind = kind_of(name);
    backend.url = url;
    if (config != nullptr && !config->backends.empty()) {
      const auto same = std::find_if(config->backends.begin(), config->backends.end(),
                                     [&](const BackendConfig& b) { return store_name(b.url) == name; });
      backend.processor = (same != config->backends.end() ? *same : config->backends.front()).processor;
    }
    out.push_back(std::move(backend));
  }
  return out;
}

std::string names_of(const std::vector<BackendConfig>& backends) {
  std::string out;
  for (const auto& b : backends) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} ({})", store_name(b.url), detail::masked_url(b.url));
  }
  return out;
}

std::vector<BackendConfig> chosen(const CommonOptions& common, bool need_settings) {
  std::vector<BackendConfig> backends;
  if (!common.urls.empty()) {
    if (need_settings) {
      const Config config = load_config(common);
      backends = from_urls(common, &config);
    } else {
      backends = from_urls(common, nullptr);
    }
  } else {
    backends = load_config(common).backends;
    if (backends.empty()) {
      throw UsageError("errand: the configuration turns every store off; enable one, or give a store with --url URL");
    }
  }
  if (common.store_kind.empty()) return backends;
  std::vector<BackendConfig> kept;
  std::copy_if(backends.begin(), backends.end(), std::back_inserter(kept),
               [&](const BackendConfig& b) { return store_name(b.url) == common.store_kind; });
  if (kept.empty()) {
    throw UsageError(fmt::format("errand: --store {} matches no configured store (configured: {}); pick one of "
                                 "those, or give its URL with --url",
                                 common.store_kind, names_of(backends)));
  }
  return kept;
}

}  // namespace

std::string store_name(const std::string& url) {
  if (url.starts_with("redis://") || url.starts_with("rediss://")) return "redis";
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) return "postgres";
  if (url.starts_with("sqlite:")) return "sqlite";
  if (url.starts_with("memory:")) return "memory";
  return url.substr(0, url.find(':'));
}

std::vector<BackendConfig> chosen_backends(const CommonOptions& common) { return chosen(common, true); }

AdminStore open_admin_store(const CommonOptions& common) {
  if (common.urls.size() > 1) {
    throw UsageError("errand: give one --url for this command (several are only for `run`)");
  }
  std::vector<BackendConfig> backends = chosen(common, false);
  if (backends.size() > 1) {
    throw UsageError(fmt::format("errand: {} stores are configured: {}; choose one with --store NAME or --url URL",
                                 backends.size(), names_of(backends)));
  }
  std::shared_ptr<Store> store = connect(backends.front());
  StoreAdmin* admin = store->admin();
  if (admin == nullptr) {
    throw UsageError(fmt::format("errand: the {} store has no admin operations (stats, queues, sets); use a redis, "
                                 "postgres, sqlite or memory URL",
                                 store->name()));
  }
  return AdminStore{std::move(store), admin, std::move(backends.front())};
}

}  // namespace errand::cli
