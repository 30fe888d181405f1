// The serving snapshot: a validated Config plus one live adapter per configured provider. It is
// immutable; StateHolder swaps it atomically on reload, and each request holds the snapshot it
// started with until it ends (so in-flight requests finish on their own config).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "cost/budget_plan.h"
#include "cost/pricing.h"
#include "http/endpoint.h"
#include "providers/registry.h"
#include "spi/provider.h"

namespace gw {

struct ProviderRuntime {
  ProviderSettings settings;
  std::unique_ptr<Provider> adapter;                // credential 0
  std::vector<std::unique_ptr<Provider>> rotation;  // credentials 1.. (settings.more_api_keys)
  std::vector<std::uint64_t> credential_ids;        // per credential: a fingerprint, not the key
  http::Endpoint endpoint;
  std::string unavailable;  // why this provider cannot serve (missing credential); empty if it can

  std::size_t credentials() const { return 1 + rotation.size(); }
  const Provider& credential(std::size_t i) const { return i == 0 ? *adapter : *rotation[i - 1]; }
  const std::string& api_key(std::size_t i) const {
    return i == 0 ? settings.api_key : settings.more_api_keys[i - 1];
  }
};

struct GatewayState {
  std::shared_ptr<const Config> config;
  std::map<std::string, ProviderRuntime> providers;
  // Prices (list prices, then the config's cost.pricing entries ahead of them) and budgets of
  // this config: a reload (SIGHUP) replaces both with the rest of the snapshot.
  PriceTable prices;
  cost::BudgetBook budgets;

  // The price of a model served by a provider instance: an entry for the instance's own name
  // first (config entries may price "local_vllm/*"), then for its adapter type.
  const ModelPrice* price(const ProviderRuntime& rt, const std::string& model) const;

  const ProviderRuntime* provider(const std::string& name) const {
    auto it = providers.find(name);
    return it == providers.end() ? nullptr : &it->second;
  }

  // Builds adapters for every provider. `mock_base_url` replaces the base_url of "mock" providers
  // that have none (the in-process mock the quickstart uses).
  static Result<std::shared_ptr<const GatewayState>> build(Config config,
                                                           const ProviderRegistry& registry,
                                                           const std::string& mock_base_url);
};

class StateHolder {
 public:
  std::shared_ptr<const GatewayState> get() const {
    std::lock_guard lock(mu_);
    return state_;
  }
  void set(std::shared_ptr<const GatewayState> s) {
    std::lock_guard lock(mu_);
    state_ = std::move(s);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const GatewayState> state_;
};

}  // namespace gw
