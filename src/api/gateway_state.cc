#include "api/gateway_state.h"

#include <boost/json.hpp>

#include "common/time_format.h"

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

namespace {

// The config's cost.pricing entries first, so on the same (provider, model, date) they win.
Result<PriceTable> build_prices(const Config& config) {
  auto list = load_list_prices();
  if (!list) return std::move(list).error();
  if (config.cost.pricing.empty()) return list;
  boost::json::object doc;
  doc["currency"] = "USD";
  doc["unit"] = "per_million_tokens";
  // An entry without a date is in force from now (this load or reload) on, so it overrides the
  // list price of the same model.
  boost::json::array entries = config.cost.pricing;
  const std::string today = utc_timestamp().substr(0, 10);
  for (auto& entry : entries) {
    if (auto* o = entry.if_object(); o != nullptr && !o->contains("effective_from")) {
      (*o)["effective_from"] = today;
    }
  }
  doc["prices"] = std::move(entries);
  auto own = parse_price_table(boost::json::serialize(doc));
  if (!own) {
    return Error::make(ErrorKind::gateway_internal, "cost.pricing: " + own.error().message,
                       "bad_pricing");
  }
  PriceTable merged = std::move(own).value();
  merged.prices.insert(merged.prices.end(), list->prices.begin(), list->prices.end());
  return merged;
}

Result<cost::BudgetBook> build_budgets(const Config& config) {
  auto tz = cost::TimeZone::load(config.cost.timezone);
  if (!tz) return Error::make(ErrorKind::gateway_internal, "cost.timezone: " + tz.error().message);
  std::map<std::string, cost::BudgetSpec> personas, teams, keys;
  for (const auto& [name, p] : config.personas) {
    if (!p.budget.empty()) personas[name] = cost::parse_budget(p.budget);
  }
  for (const auto& [name, b] : config.team_budgets) teams[name] = cost::parse_budget(b);
  for (const auto& k : config.keys) {
    if (!k.budget.empty()) keys[k.name] = cost::parse_budget(k.budget);
  }
  return cost::BudgetBook(std::move(personas), std::move(teams), std::move(keys),
                          std::move(tz).value());
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
  auto prices = build_prices(config);
  if (!prices) return std::move(prices).error();
  state->prices = std::move(prices).value();
  auto budgets = build_budgets(config);
  if (!budgets) return std::move(budgets).error();
  state->budgets = std::move(budgets).value();
  state->config = std::make_shared<const Config>(std::move(config));
  return std::shared_ptr<const GatewayState>(std::move(state));
}

const ModelPrice* GatewayState::price(const ProviderRuntime& rt, const std::string& model) const {
  if (const ModelPrice* own = prices.find(rt.settings.name, model)) return own;
  return prices.find(rt.settings.type, model);
}

}  // namespace gw
