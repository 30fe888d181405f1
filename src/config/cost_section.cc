// cost, teams, redis and storage.ledger_url: where budgets, prices and rate limits come from. The
// budget objects are kept as written (the schema checked their shape); the cost module turns them
// into windows and limits.
#include <cmath>

#include "config/config_build.h"

namespace gw::config {
namespace {

// "1.25" USD → nano-dollars; the schema has already required a non-negative number.
std::int64_t usd_to_nanos(const boost::json::value& v) {
  const double usd = v.is_double() ? v.get_double() : static_cast<double>(v.to_number<double>());
  return static_cast<std::int64_t>(std::llround(usd * 1e9));
}

}  // namespace

void build_cost_sections(const boost::json::object& root, Config& config, BuildContext& ctx) {
  if (const auto* storage = member_object(root, "storage")) {
    if (auto url = member_string(*storage, "ledger_url")) config.ledger_url = *url;
    if (auto url = member_string(*storage, "spool_url")) config.spool_url = *url;
  }
  if (const auto* redis = member_object(root, "redis")) {
    if (auto url = member_string(*redis, "url")) config.redis_url = *url;
  }
  if (const auto* teams = member_object(root, "teams")) {
    for (const auto& kv : *teams) {
      const auto* team = kv.value().if_object();
      if (team == nullptr) continue;
      if (const auto* budget = member_object(*team, "budget")) {
        config.team_budgets[std::string(kv.key())] = *budget;
      }
    }
  }
  const auto* cost = member_object(root, "cost");
  if (cost == nullptr) return;
  CostConfig& c = config.cost;
  if (auto tz = member_string(*cost, "timezone")) c.timezone = *tz;
  if (const auto* pricing = member_array(*cost, "pricing")) c.pricing = *pricing;
  if (const auto* cap = cost->if_contains("unpriced_cap_usd"); cap && cap->is_number()) {
    c.unpriced_cap_nanos = usd_to_nanos(*cap);
  }
  if (auto hook = member_string(*cost, "alert_webhook")) c.alert_webhook = *hook;
  if (const auto* m = cost->if_contains("anomaly_multiple"); m && m->is_number()) {
    c.anomaly_multiple = m->to_number<double>();
  }
  if (auto v = member_int(*cost, "sweep_interval_ms")) {
    c.sweep_interval = std::chrono::milliseconds(*v);
  }
  (void)ctx;
}

}  // namespace gw::config
