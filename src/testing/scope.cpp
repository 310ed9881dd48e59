#include <errand/testing.hpp>

#include "testing/testing_store.hpp"

namespace errand::testing {

Scope::Scope(std::shared_ptr<detail::TestingStore> store) : store_(std::move(store)) {}

Scope::~Scope() { store_->close(); }

std::shared_ptr<Store> Scope::store() const { return store_; }

void Scope::use(ServerMiddleware middleware) { store_->use(std::move(middleware)); }

WorkerRegistry& Scope::registry() { return store_->registry(); }

}  // namespace errand::testing
