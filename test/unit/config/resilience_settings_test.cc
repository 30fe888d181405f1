// The resilience fields (issue 4): provider credentials, retry and breaker settings, persona
// attempts/timeouts/in-flight bounds, server shedding and keepalive, key roles — parsed with
// their defaults, and rejected by the schema when out of range.
#include "config_test_support.h"

namespace gw::testing {
namespace {

using std::chrono::milliseconds;

boost::json::object& provider(boost::json::object& o, const char* name) {
  return o["providers"].as_object()[name].as_object();
}

TEST(ResilienceSettings, DefaultsWhenUnset) {
  const ConfigLoad load = load_json(kMinimal, kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  const Config& c = *load.config;
  const ProviderSettings& p = c.providers.at("openai");
  EXPECT_TRUE(p.more_api_keys.empty());
  EXPECT_EQ(p.retry.base, milliseconds(250));
  EXPECT_EQ(p.retry.cap, milliseconds(20000));
  EXPECT_EQ(p.retry.max_retry_after, milliseconds(5000));
  EXPECT_EQ(p.breaker.consecutive_failures, 5);
  EXPECT_EQ(p.breaker.half_open_probes, 1);
  const PersonaConfig& dev = c.personas.at("dev");
  EXPECT_EQ(dev.max_attempts, 3);
  EXPECT_EQ(dev.max_in_flight, 0);
  EXPECT_EQ(dev.total_timeout, milliseconds(0));
  EXPECT_EQ(c.server.max_in_flight, 0);
  EXPECT_EQ(c.server.stream_keepalive, milliseconds(15000));
  EXPECT_FALSE(c.keys.at(0).admin);
}

TEST(ResilienceSettings, EveryFieldIsRead) {
  const ConfigLoad load = load_json(
      edited([](auto& o) {
        auto& p = provider(o, "openai");
        p["api_keys"] = {"env:K2", "env:K3"};
        p["retry"] = {{"base_ms", 100},
                      {"cap_ms", 2000},
                      {"max_retry_after_ms", 0},
                      {"budget_percent", 50},
                      {"budget_min", 1}};
        p["breaker"] = {{"consecutive_failures", 2},
                        {"failure_rate_percent", 30},
                        {"window_ms", 5000},
                        {"min_calls", 4},
                        {"open_ms", 700},
                        {"max_open_ms", 9000},
                        {"half_open_probes", 3},
                        {"slow_call_ms", 1500},
                        {"auth_cooldown_ms", 60000}};
        auto& dev = o["personas"].as_object()["dev"].as_object();
        dev["max_attempts"] = 5;
        dev["max_in_flight"] = 8;
        dev["timeouts"] = {{"first_byte_ms", 1000}, {"idle_ms", 2000}, {"total_ms", 30000}};
        o["server"] = {{"max_in_flight", 100}, {"stream_keepalive_ms", 5000}};
        o["keys"].as_array()[0].as_object()["role"] = "admin";
      }),
      {{"OPENAI_API_KEY", "k1"},
       {"K2", "k2"},
       {"K3", "k3"},
       {"ANTHROPIC_API_KEY", "a"},
       {"DEV_KEY", "d"}});
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  const Config& c = *load.config;
  const ProviderSettings& p = c.providers.at("openai");
  EXPECT_EQ(p.api_key, "k1");
  EXPECT_EQ(p.more_api_keys, (std::vector<std::string>{"k2", "k3"}));
  EXPECT_EQ(p.raw.if_contains("api_keys"), nullptr) << "resolved keys are not kept in raw";
  EXPECT_EQ(p.retry.base, milliseconds(100));
  EXPECT_EQ(p.retry.cap, milliseconds(2000));
  EXPECT_EQ(p.retry.max_retry_after, milliseconds(0));
  EXPECT_EQ(p.retry.budget_percent, 50);
  EXPECT_EQ(p.retry.budget_min, 1);
  EXPECT_EQ(p.breaker.consecutive_failures, 2);
  EXPECT_EQ(p.breaker.failure_rate_percent, 30);
  EXPECT_EQ(p.breaker.window, milliseconds(5000));
  EXPECT_EQ(p.breaker.min_calls, 4);
  EXPECT_EQ(p.breaker.open, milliseconds(700));
  EXPECT_EQ(p.breaker.max_open, milliseconds(9000));
  EXPECT_EQ(p.breaker.half_open_probes, 3);
  EXPECT_EQ(p.breaker.slow_call, milliseconds(1500));
  EXPECT_EQ(p.breaker.auth_cooldown, milliseconds(60000));
  const PersonaConfig& dev = c.personas.at("dev");
  EXPECT_EQ(dev.max_attempts, 5);
  EXPECT_EQ(dev.max_in_flight, 8);
  EXPECT_EQ(dev.first_byte_timeout, milliseconds(1000));
  EXPECT_EQ(dev.idle_timeout, milliseconds(2000));
  EXPECT_EQ(dev.total_timeout, milliseconds(30000));
  EXPECT_EQ(c.server.max_in_flight, 100);
  EXPECT_EQ(c.server.stream_keepalive, milliseconds(5000));
  EXPECT_TRUE(c.keys.at(0).admin);
}

TEST(ResilienceSettings, UnresolvedExtraKeyIsAWarningAndLeftOut) {
  const ConfigLoad load = load_json(
      edited([](auto& o) {
        provider(o, "openai")["api_keys"] = {"env:MISSING", "env:K2"};
      }),
      {{"OPENAI_API_KEY", "k1"}, {"K2", "k2"}, {"ANTHROPIC_API_KEY", "a"}, {"DEV_KEY", "d"}});
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  EXPECT_EQ(load.config->providers.at("openai").more_api_keys, std::vector<std::string>{"k2"});
  const ConfigProblem* p = find_problem(load, "/providers/openai/api_keys/0");
  ASSERT_NE(p, nullptr) << dump(load);
  EXPECT_TRUE(p->warning);
}

TEST(ResilienceSettings, OnlyUnresolvableKeysMakeTheProviderUnavailable) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      auto& p = provider(o, "openai");
                                      p.erase("api_key");
                                      p["api_keys"] = {"env:MISSING"};
                                    }),
                                    kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  const ProviderSettings& p = load.config->providers.at("openai");
  EXPECT_TRUE(p.credential_missing);
  EXPECT_EQ(p.credential_problem, "none of api_keys could be resolved");
}

TEST(ResilienceSettings, SchemaBoundsAreEnforced) {
  for (const auto& edit : std::vector<std::function<void(boost::json::object&)>>{
           [](auto& o) {
             provider(o, "openai")["breaker"] = {{"half_open_probes", 4}};
           },
           [](auto& o) {
             provider(o, "openai")["retry"] = {{"budget_percent", 101}};
           },
           [](auto& o) {
             provider(o, "openai")["retry"] = {{"backoff", 1}};
           },
           [](auto& o) { o["personas"].as_object()["dev"].as_object()["max_attempts"] = 0; },
           [](auto& o) { o["personas"].as_object()["dev"].as_object()["max_attempts"] = 11; },
           [](auto& o) { o["keys"].as_array()[0].as_object()["role"] = "root"; },
       }) {
    const ConfigLoad load = load_json(edited(edit), kFullEnv);
    EXPECT_FALSE(load.config.has_value()) << edited(edit);
  }
}

}  // namespace
}  // namespace gw::testing
