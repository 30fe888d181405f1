#include "api/gateway_state.h"

namespace gw {
namespace {

// Upstream health is keyed by this, so a replaced key does not inherit its predecessor's rest.
std::uint64_t fingerprint(const std::string& key) {
  const auto digest = hash_key(key);
  std::uint64_t id = 0;
  for (int i = 0; i < 8; ++i) id = (id << 8) | digest[static_cast<std::size_t>(i)];
  return id;
}

}  // namespace

Result<std::shared_ptr<const GatewayState>> GatewayState::build(Config config,
                                                                const ProviderRegistry& registry,
                                                                const std::string& mock_base_url) {
  auto state = std::make_shared<GatewayState>();
  for (auto& [name, settings] : config.providers) {
    ProviderRuntime rt;
    rt.settings = settings;
    // Only `api_keys` given (or api_key unresolvable): the first of them is credential 0.
    if (rt.settings.api_key.empty() && !rt.settings.more_api_keys.empty()) {
      rt.settings.api_key = std::move(rt.settings.more_api_keys.front());
      rt.settings.more_api_keys.erase(rt.settings.more_api_keys.begin());
      rt.settings.raw["api_key"] = rt.settings.api_key;
      rt.settings.credential_missing = false;
    }
    if (rt.settings.type == "mock" && rt.settings.base_url.empty())
      rt.settings.base_url = mock_base_url;
    const ProviderFactory* factory = registry.find(rt.settings.type);
    if (factory == nullptr) {
      return Error::make(ErrorKind::gateway_internal,
                         "provider " + name + ": unknown type " + rt.settings.type);
    }
    auto adapter = (*factory)(rt.settings);
    if (!adapter) {
      return Error::make(ErrorKind::gateway_internal,
                         "provider " + name + ": " + adapter.error().message);
    }
    rt.adapter = std::move(adapter).value();
    // One adapter per further credential: adapters bake their credential into encode().
    for (const auto& key : rt.settings.more_api_keys) {
      ProviderSettings s = rt.settings;
      s.api_key = key;
      s.raw["api_key"] = key;
      auto more = (*factory)(s);
      if (!more) {
        return Error::make(ErrorKind::gateway_internal,
                           "provider " + name + ": " + more.error().message);
      }
      rt.rotation.push_back(std::move(more).value());
    }
    rt.credential_ids.push_back(fingerprint(rt.settings.api_key));
    for (const auto& key : rt.settings.more_api_keys) rt.credential_ids.push_back(fingerprint(key));
    if (rt.settings.base_url.empty()) rt.settings.base_url = rt.adapter->default_base_url();
    if (rt.settings.base_url.empty()) {
      rt.unavailable = "provider " + name + " has no base_url";
    } else {
      auto ep = http::Endpoint::parse(rt.settings.base_url);
      if (!ep)
        return Error::make(ErrorKind::gateway_internal,
                           "provider " + name + ": " + ep.error().message);
      rt.endpoint = std::move(ep).value();
    }
    if (rt.settings.credential_missing) {
      rt.unavailable = "provider " + name + " has no credential: " + rt.settings.credential_problem;
    }
    state->providers.emplace(name, std::move(rt));
  }
  state->config = std::make_shared<const Config>(std::move(config));
  return std::shared_ptr<const GatewayState>(std::move(state));
}

}  // namespace gw
