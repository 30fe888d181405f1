#include "api/gateway_state.h"

namespace gw {

Result<std::shared_ptr<const GatewayState>> GatewayState::build(Config config,
                                                                const ProviderRegistry& registry,
                                                                const std::string& mock_base_url) {
  auto state = std::make_shared<GatewayState>();
  for (auto& [name, settings] : config.providers) {
    ProviderRuntime rt;
    rt.settings = settings;
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
