// Rules the schema cannot express: references between sections, listen syntax, provider types,
// key bindings. Each asserts the exact pointer and message.
#include "config_test_support.h"

namespace gw::testing {
namespace {

boost::json::object& dev(boost::json::object& o) {
  return o["personas"].as_object()["dev"].as_object();
}

TEST(SemanticChecks, ProviderTypeMustBeRegistered) {
  const ConfigLoad load = load_json(
      edited([](auto& o) { o["providers"].as_object()["openai"].as_object()["type"] = "opnai"; }),
      kFullEnv);
  EXPECT_FALSE(load.config.has_value());
  EXPECT_PROBLEM(load, "/providers/openai/type",
                 "unknown provider type \"opnai\" (registered: anthropic, azure_openai, bedrock, "
                 "gemini, mock, ollama, openai, openai_compatible)");
}

TEST(SemanticChecks, ProviderTypesComeFromTheOptions) {
  ConfigLoadOptions options = options_with_env(kFullEnv);
  options.provider_types = {"openai"};
  const ConfigLoad load = load_config_text(kMinimal, "json", options);
  EXPECT_PROBLEM(load, "/providers/anthropic/type",
                 "unknown provider type \"anthropic\" (registered: openai)");
}

TEST(SemanticChecks, PrimaryProviderMustExist) {
  const ConfigLoad load =
      load_json(edited([](auto& o) { dev(o)["provider"] = "gemni"; }), kFullEnv);
  EXPECT_PROBLEM(load, "/personas/dev/provider",
                 "unknown provider \"gemni\" (known: anthropic, openai)");
}

TEST(SemanticChecks, FallbackProviderMustExist) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      dev(o)["fallback"] = {"openai/gpt-4o-mini", "gemni/flash"};
                                    }),
                                    kFullEnv);
  EXPECT_EQ(error_count(load), 1u) << dump(load);
  EXPECT_PROBLEM(load, "/personas/dev/fallback/1",
                 "unknown provider \"gemni\" (known: anthropic, openai)");
}

TEST(SemanticChecks, RouteProviderMustExist) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      dev(o)["routes"] = {{"fast", "groq/llama-3"}};
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/personas/dev/routes/fast",
                 "unknown provider \"groq\" (known: anthropic, openai)");
}

TEST(SemanticChecks, AllowProviderMustExistEvenForWildcards) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      dev(o)["allow"] = {"anthropic/*", "mistral/*"};
                                    }),
                                    kFullEnv);
  EXPECT_EQ(error_count(load), 1u) << dump(load);
  EXPECT_PROBLEM(load, "/personas/dev/allow/1",
                 "unknown provider \"mistral\" (known: anthropic, openai)");
}

TEST(SemanticChecks, UnknownProviderWhenNoneConfigured) {
  const ConfigLoad load = load_json(edited([](auto& o) { o.erase("providers"); }), kFullEnv);
  EXPECT_PROBLEM(load, "/personas/dev/provider",
                 "unknown provider \"openai\" (no providers are configured)");
}

TEST(SemanticChecks, FallbackChainIsAtMostFive) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      dev(o)["fallback"] = {"openai/a", "openai/b", "openai/c",
                                                            "openai/d", "openai/e", "openai/f"};
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/personas/dev/fallback", "at most 5 fallback targets are allowed (got 6)");
}

TEST(SemanticChecks, FiveFallbacksAreFine) {
  const ConfigLoad load = load_json(
      edited([](auto& o) {
        dev(o)["fallback"] = {"openai/a", "openai/b", "openai/c", "openai/d", "anthropic/e"};
      }),
      kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  EXPECT_EQ(load.config->personas.at("dev").fallback.size(), 5u);
}

TEST(SemanticChecks, PersonaNeedsProviderAndModel) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      dev(o).erase("provider");
                                      dev(o).erase("model");
                                    }),
                                    kFullEnv);
  EXPECT_EQ(error_count(load), 2u) << dump(load);
  ASSERT_EQ(load.problems.size(), 2u);
  EXPECT_EQ(load.problems[0].pointer, "/personas/dev");
  EXPECT_EQ(load.problems[0].message,
            "no provider: set \"provider\" in the persona, in a persona it extends, or in "
            "defaults");
  EXPECT_EQ(load.problems[1].pointer, "/personas/dev");
  EXPECT_EQ(load.problems[1].message,
            "no model: set \"model\" in the persona, in a persona it extends, or in defaults");
}

TEST(SemanticChecks, ExtendsMustNameAPersona) {
  const ConfigLoad load = load_json(edited([](auto& o) { dev(o)["extends"] = "base"; }), kFullEnv);
  EXPECT_PROBLEM(load, "/personas/dev/extends", "unknown persona \"base\" (known: dev)");
}

TEST(SemanticChecks, ExtendsCycleIsReportedOnce) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      auto& personas = o["personas"].as_object();
                                      personas["a"] = {{"extends", "b"}};
                                      personas["b"] = {{"extends", "c"}};
                                      personas["c"] = {{"extends", "a"}};
                                    }),
                                    kFullEnv);
  EXPECT_EQ(error_count(load), 1u) << dump(load);
  EXPECT_PROBLEM(load, "/personas/c/extends", "extends cycle: a -> b -> c -> a");
}

TEST(SemanticChecks, SelfExtendsIsACycle) {
  const ConfigLoad load = load_json(edited([](auto& o) { dev(o)["extends"] = "dev"; }), kFullEnv);
  EXPECT_PROBLEM(load, "/personas/dev/extends", "extends cycle: dev -> dev");
}

TEST(SemanticChecks, PersonaNamesAreRestricted) {
  const ConfigLoad load = load_json(
      edited([](auto& o) {
        o["personas"].as_object()["back end"] = {{"provider", "openai"}, {"model", "gpt-4o"}};
      }),
      kFullEnv);
  EXPECT_PROBLEM(load, "/personas/back end",
                 "persona name \"back end\" must start with a letter or digit and contain only "
                 "letters, digits, '_', '.' and '-'");
}

TEST(SemanticChecks, ProviderNamesAreRestricted) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["providers"].as_object()["my/openai"] = {{"type", "mock"}};
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/providers/my~1openai",
                 "provider name \"my/openai\" must start with a letter or digit and contain only "
                 "letters, digits, '_', '.' and '-'");
}

TEST(SemanticChecks, KeyMustNamePersonaOrPersonas) {
  const ConfigLoad load = load_json(
      edited([](auto& o) { o["keys"].as_array()[0].as_object().erase("persona"); }), kFullEnv);
  EXPECT_PROBLEM(load, "/keys/0", "a key needs \"persona\" (or \"personas\") to bind it to");
}

TEST(SemanticChecks, KeyMustNotNameBothPersonaAndPersonas) {
  const ConfigLoad load = load_json(
      edited([](auto& o) { o["keys"].as_array()[0].as_object()["personas"] = {"dev"}; }), kFullEnv);
  EXPECT_PROBLEM(load, "/keys/0", "set either \"persona\" or \"personas\", not both");
}

TEST(SemanticChecks, KeyPersonaMustExist) {
  const ConfigLoad load = load_json(
      edited([](auto& o) { o["keys"].as_array()[0].as_object()["persona"] = "ops"; }), kFullEnv);
  EXPECT_PROBLEM(load, "/keys/0/persona", "unknown persona \"ops\" (known: dev)");
}

TEST(SemanticChecks, KeyPersonasListEntriesMustExist) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      auto& key = o["keys"].as_array()[0].as_object();
                                      key.erase("persona");
                                      key["personas"] = {"dev", "ops"};
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/keys/0/personas/1", "unknown persona \"ops\" (known: dev)");
}

TEST(SemanticChecks, DuplicateKeysAreRejectedWithoutShowingThem) {
  const ConfigLoad load =
      load_json(edited([](auto& o) {
                  o["keys"].as_array().push_back({{"key", "env:OTHER_KEY"}, {"persona", "dev"}});
                }),
                {{"DEV_KEY", "same-secret"},
                 {"OTHER_KEY", "same-secret"},
                 {"OPENAI_API_KEY", "x"},
                 {"ANTHROPIC_API_KEY", "y"}});
  EXPECT_PROBLEM(load, "/keys/1/key", "duplicate key (same value as /keys/0/key)");
  EXPECT_EQ(dump(load).find("same-secret"), std::string::npos);
}

TEST(SemanticChecks, ListenMustBeHostPort) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["server"] = {{"listen", "8080"}};
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/server/listen",
                 "\"8080\" is not host:port (e.g. \"127.0.0.1:8080\" or \"[::1]:8080\")");
}

TEST(SemanticChecks, ListenPortRange) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["server"] = {{"listen", "127.0.0.1:65536"}};
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/server/listen", "port 65536 is out of range 0..65535");
}

TEST(SemanticChecks, ListenAcceptsPortZeroAndBracketedIpv6) {
  for (const char* listen : {"127.0.0.1:0", "[::1]:65535", "localhost:8080", "0.0.0.0:80"}) {
    const ConfigLoad load = load_json(edited([&](auto& o) {
                                        o["server"] = {{"listen", listen}};
                                      }),
                                      kFullEnv);
    ASSERT_TRUE(load.config.has_value()) << listen << "\n" << dump(load);
    EXPECT_EQ(load.config->server.listen, listen);
  }
}

TEST(SemanticChecks, ListenRejectsBareIpv6AndMissingHost) {
  const ConfigLoad bare = load_json(edited([](auto& o) {
                                      o["server"] = {{"listen", "::1:80"}};
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(bare, "/server/listen",
                 "\"::1:80\": write an IPv6 host in brackets (e.g. \"127.0.0.1:8080\" or "
                 "\"[::1]:8080\")");
  const ConfigLoad hostless = load_json(edited([](auto& o) {
                                          o["server"] = {{"listen", ":80"}};
                                        }),
                                        kFullEnv);
  EXPECT_PROBLEM(hostless, "/server/listen",
                 "\":80\" has no host (e.g. \"127.0.0.1:8080\" or \"[::1]:8080\")");
}

TEST(SemanticChecks, NonMockProvidersNeedBaseUrl) {
  const ConfigLoad load = load_json(
      edited([](auto& o) {
        o["providers"].as_object()["azure"] = {{"type", "azure_openai"}, {"api_key", "env:AZ"}};
      }),
      kFullEnv);
  EXPECT_PROBLEM(load, "/providers/azure", "provider type \"azure_openai\" needs \"base_url\"");
}

TEST(SemanticChecks, MockNeedsNoBaseUrlNorKey) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["providers"].as_object()["mock"] = {{"type", "mock"}};
                                    }),
                                    kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  const ProviderSettings& mock = load.config->providers.at("mock");
  EXPECT_EQ(mock.base_url, "");
  EXPECT_EQ(mock.api_key, "");
  EXPECT_FALSE(mock.credential_missing);
}

TEST(SemanticChecks, WellKnownProvidersDefaultTheirBaseUrl) {
  const ConfigLoad load = load_json(kMinimal, kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  EXPECT_EQ(load.config->providers.at("openai").base_url, "https://api.openai.com");
  EXPECT_EQ(load.config->providers.at("anthropic").base_url, "https://api.anthropic.com");
}

TEST(SemanticChecks, BaseUrlTrailingSlashIsDropped) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["providers"].as_object()["openai"].as_object()["base_url"] =
                                          "http://127.0.0.1:9000/prefix/";
                                    }),
                                    kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  EXPECT_EQ(load.config->providers.at("openai").base_url, "http://127.0.0.1:9000/prefix");
}

TEST(SemanticChecks, BaseUrlMustBeHttp) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["providers"].as_object()["openai"].as_object()["base_url"] =
                                          "api.openai.com";
                                    }),
                                    kFullEnv);
  EXPECT_PROBLEM(load, "/providers/openai/base_url",
                 "\"api.openai.com\" is not an http:// or https:// URL");
}

TEST(SemanticChecks, ProblemsFromAllSectionsAreReportedTogether) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["server"] = {{"listen", "nope"}};
                                      o["providers"].as_object()["openai"].as_object()["type"] =
                                          "x";
                                      dev(o)["fallback"] = {"nobody/m"};
                                      o["keys"].as_array()[0].as_object()["persona"] = "ghost";
                                      o["logging"] = {{"level", "loud"}};
                                    }),
                                    kFullEnv);
  EXPECT_EQ(error_count(load), 5u) << dump(load);
}

}  // namespace
}  // namespace gw::testing

namespace gw::testing {
namespace {

TEST(SemanticChecks, WronglyTypedSectionsDoNotCascade) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["personas"].as_object()["broken"] = 5;
                                      o["providers"].as_object()["odd"] = "openai";
                                      o["keys"].as_array().push_back("just-a-string");
                                    }),
                                    kFullEnv);
  EXPECT_EQ(error_count(load), 3u) << dump(load);
  EXPECT_PROBLEM(load, "/personas/broken", "expected object, got integer");
  EXPECT_PROBLEM(load, "/providers/odd", "expected object, got string");
  EXPECT_PROBLEM(load, "/keys/1", "expected object, got string");
}

}  // namespace
}  // namespace gw::testing

namespace gw::testing {
namespace {

// `requires` is checked against each target's model capabilities through the options' hook:
// a primary that lacks one is an error, a fallback a warning.
ConfigLoadOptions options_lacking_vision_on(std::string provider) {
  ConfigLoadOptions options = options_with_env(kFullEnv);
  options.missing_capabilities = [provider](const ProviderSettings& settings, const std::string&,
                                            const std::vector<std::string>& needs) {
    std::vector<std::string> out;
    for (const auto& n : needs) {
      if (settings.name == provider && n == "vision") out.push_back(n);
    }
    return out;
  };
  return options;
}

TEST(SemanticChecks, PrimaryLackingARequiredCapabilityIsAnError) {
  const std::string text = edited([](auto& o) {
    auto& dev = o["personas"].as_object()["dev"].as_object();
    dev["requires"] = {"vision", "streaming"};
    dev["fallback"] = {"anthropic/claude-sonnet-4-5"};
  });
  const ConfigLoad load = load_config_text(text, "json", options_lacking_vision_on("openai"));
  EXPECT_FALSE(load.config.has_value());
  EXPECT_PROBLEM(load, "/personas/dev/requires", "primary openai/gpt-4o lacks vision");
}

TEST(SemanticChecks, FallbackLackingARequiredCapabilityIsAWarning) {
  const std::string text = edited([](auto& o) {
    auto& dev = o["personas"].as_object()["dev"].as_object();
    dev["requires"] = {"vision"};
    dev["fallback"] = {"anthropic/claude-sonnet-4-5"};
  });
  const ConfigLoad load = load_config_text(text, "json", options_lacking_vision_on("anthropic"));
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  EXPECT_PROBLEM(load, "/personas/dev/requires",
                 "fallback anthropic/claude-sonnet-4-5 lacks vision; it will be skipped for this "
                 "persona");
}

}  // namespace
}  // namespace gw::testing
