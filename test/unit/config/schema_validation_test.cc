// Schema rules: each violation is reported at the pointer of the offending value with a message
// derived from the schema, and all of them are reported in one pass.
#include "config_test_support.h"

namespace gw::testing {
namespace {

TEST(SchemaValidation, MinimalConfigIsValid) {
  const ConfigLoad load = load_json(kMinimal, kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  EXPECT_TRUE(load.problems.empty()) << dump(load);
}

TEST(SchemaValidation, VersionIsRequired) {
  const ConfigLoad load = load_json(edited([](auto& o) { o.erase("version"); }), kFullEnv);
  EXPECT_FALSE(load.config.has_value());
  EXPECT_PROBLEM(load, "", "missing required field \"version\"");
}

TEST(SchemaValidation, VersionMustBeOne) {
  const ConfigLoad load = load_json(edited([](auto& o) { o["version"] = 2; }), kFullEnv);
  EXPECT_PROBLEM(load, "/version", "must be 1 (got 2)");
}

TEST(SchemaValidation, UnknownTopLevelFieldIsNamedAtItsOwnPointer) {
  const ConfigLoad load =
      load_json(edited([](auto& o) { o["personnas"] = boost::json::object(); }), kFullEnv);
  EXPECT_PROBLEM(load, "/personnas",
                 "unknown field \"personnas\" (allowed: $schema, cost, defaults, keys, "
                 "local_demo, logging, personas, providers, redis, server, storage, teams, "
                 "version)");
}

TEST(SchemaValidation, UnknownNestedFieldListsTheAllowedOnes) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["server"] = {{"listn", "127.0.0.1:1"}};
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/server/listn",
                 "unknown field \"listn\" (allowed: drain_grace_ms, limits, listen, max_in_flight, "
                 "stream_keepalive_ms, workers)");
}

TEST(SchemaValidation, ProviderObjectsAllowTypeSpecificFields) {
  const ConfigLoad load =
      load_json(edited([](auto& o) {
                  o["providers"].as_object()["vllm"] = {{"type", "openai_compatible"},
                                                        {"base_url", "http://127.0.0.1:8000"},
                                                        {"flavor", "vllm"},
                                                        {"region", "eu-west-1"}};
                }),
                kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  const ProviderSettings& vllm = load.config->providers.at("vllm");
  EXPECT_EQ(vllm.raw.at("flavor").as_string(), "vllm");
  EXPECT_EQ(vllm.raw.at("region").as_string(), "eu-west-1");
}

TEST(SchemaValidation, ProviderTypeIsRequired) {
  const ConfigLoad load = load_json(
      edited([](auto& o) { o["providers"].as_object()["openai"].as_object().erase("type"); }),
      kFullEnv);
  EXPECT_PROBLEM(load, "/providers/openai", "missing required field \"type\"");
}

TEST(SchemaValidation, WrongTypeNamesExpectedAndActual) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["server"] = {{"workers", "four"}};
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/server/workers", "expected integer, got string");
}

TEST(SchemaValidation, NumberBelowMinimum) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["server"] = {{"limits", {{"max_body_bytes", 0}}}};
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/server/limits/max_body_bytes", "must be at least 1 (got 0)");
}

TEST(SchemaValidation, NumberAboveMaximum) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["server"] = {{"workers", 5000}};
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/server/workers", "must be at most 1024 (got 5000)");
}

TEST(SchemaValidation, CapabilityMustBeKnown) {
  const ConfigLoad load = load_json(
      edited([](auto& o) {
        o["personas"].as_object()["dev"].as_object()["requires"] = {"streaming", "telepathy"};
      }),
      kFullEnv);
  EXPECT_PROBLEM(load, "/personas/dev/requires/1",
                 "\"telepathy\" is not one of: streaming, tool_calling, parallel_tool_calls, "
                 "json_mode, json_schema, vision, system_prompt, usage_in_stream");
}

TEST(SchemaValidation, CapabilitiesMustNotRepeat) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["personas"].as_object()["dev"].as_object()["requires"] = {
                                          "vision", "streaming", "vision"};
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/personas/dev/requires/2", "duplicate entry \"vision\" (same as item 0)");
}

TEST(SchemaValidation, FallbackEntriesMustBeProviderSlashModel) {
  const ConfigLoad load = load_json(
      edited([](auto& o) {
        o["personas"].as_object()["dev"].as_object()["fallback"] = {"openai/gpt-4o-mini", "gpt4o"};
      }),
      kFullEnv);
  EXPECT_PROBLEM(load, "/personas/dev/fallback/1",
                 "\"gpt4o\" is not a \"provider/model\" target (e.g. \"openai/gpt-4o\")");
}

TEST(SchemaValidation, AllowEntriesAcceptWildcardOnlyAsWholeModel) {
  const ConfigLoad load = load_json(
      edited([](auto& o) {
        o["personas"].as_object()["dev"].as_object()["allow"] = {"openai/*", "openai/gpt-4*"};
      }),
      kFullEnv);
  EXPECT_EQ(find_problem(load, "/personas/dev/allow/0"), nullptr) << dump(load);
  EXPECT_PROBLEM(load, "/personas/dev/allow/1",
                 "\"openai/gpt-4*\" is not a \"provider/model\" or \"provider/*\" entry");
}

TEST(SchemaValidation, LogLevelEnum) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["logging"] = {{"level", "verbose"}};
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/logging/level",
                 "\"verbose\" is not one of: trace, debug, info, warn, error, critical, off");
}

TEST(SchemaValidation, StorageUrlScheme) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["storage"] = {{"url", "mysql://db"}};
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/storage/url",
                 "\"mysql://db\" is not a storage URL: use sqlite://PATH or postgresql://...");
}

TEST(SchemaValidation, PostgresStorageIsAccepted) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["storage"] = {{"url", "postgresql://gw@db/gateway"}};
                                    }),
                                    kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  EXPECT_EQ(load.config->storage_url, "postgresql://gw@db/gateway");
}

TEST(SchemaValidation, EmptyStringRejected) {
  const ConfigLoad load =
      load_json(edited([](auto& o) { o["personas"].as_object()["dev"].as_object()["model"] = ""; }),
                kFullEnv);
  EXPECT_PROBLEM(load, "/personas/dev/model", "must not be empty");
}

TEST(SchemaValidation, PersonasArrayNeedsAnEntry) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      auto& key = o["keys"].as_array()[0].as_object();
                                      key.erase("persona");
                                      key["personas"] = boost::json::array();
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/keys/0/personas", "must have at least 1 item(s)");
}

TEST(SchemaValidation, PointerTokensAreEscaped) {
  // A field named "a/b~c" must appear as a/b~c escaped per RFC 6901.
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["server"] = {{"a/b~c", 1}};
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/server/a~1b~0c",
                 "unknown field \"a/b~c\" (allowed: drain_grace_ms, limits, listen, max_in_flight, "
                 "stream_keepalive_ms, workers)");
}

TEST(SchemaValidation, RootMustBeAnObject) {
  const ConfigLoad load = load_json("[1, 2]");
  EXPECT_PROBLEM(load, "", "expected object, got array");
}

TEST(SchemaValidation, ReportsEveryProblemNotJustTheFirst) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["version"] = 3;
                                      o["server"] = {{"workers", -1}};
                                      o["logging"] = {{"level", "loud"}};
                                      o["personas"].as_object()["dev"].as_object()["tools"] = 7;
                                    }),
                                    kFullEnv);
  EXPECT_FALSE(load.config.has_value());
  EXPECT_EQ(error_count(load), 4u) << dump(load);
  EXPECT_PROBLEM(load, "/version", "must be 1 (got 3)");
  EXPECT_PROBLEM(load, "/server/workers", "must be at least 0 (got -1)");
  EXPECT_PROBLEM(load, "/logging/level",
                 "\"loud\" is not one of: trace, debug, info, warn, error, critical, off");
  EXPECT_PROBLEM(load, "/personas/dev/tools", "expected array, got integer");
}

TEST(SchemaValidation, BudgetShapeIsChecked) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["personas"].as_object()["dev"].as_object()["budget"] = {
                                          {"daily_usd", -5}, {"weekly_usd", 1}};
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/personas/dev/budget/daily_usd", "must be at least 0 (got -5)");
  EXPECT_PROBLEM(load, "/personas/dev/budget/weekly_usd",
                 "unknown field \"weekly_usd\" (allowed: alert_threshold, cost_per_min, "
                 "daily_usd, hourly_usd, max_concurrent, monthly_usd, requests_per_min, "
                 "tokens_per_min)");
}

}  // namespace
}  // namespace gw::testing
