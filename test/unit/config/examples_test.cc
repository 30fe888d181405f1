// The shipped example configs must keep loading: quickstart.json with no environment at all,
// gateway.example.yaml with only warnings about unset variables (or none when they are set).
#include "config_test_support.h"

namespace gw::testing {
namespace {

const std::string kExamples = std::string(GW_SOURCE_DIR) + "/config/examples/";

TEST(Examples, QuickstartLoadsWithoutAnyEnvironment) {
  const ConfigLoad load = load_config_file(kExamples + "quickstart.json", options_with_env());
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  const Config& c = *load.config;
  EXPECT_TRUE(c.local_demo);
  EXPECT_EQ(c.server.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.storage_url, "sqlite://data/gateway.db");
  EXPECT_EQ(c.logging.access_log, "stdout");

  ASSERT_EQ(c.providers.size(), 2u);
  EXPECT_EQ(c.providers.at("mock").type, "mock");
  EXPECT_FALSE(c.providers.at("mock").credential_missing);
  const ProviderSettings& openai = c.providers.at("openai");
  EXPECT_EQ(openai.base_url, "https://api.openai.com");
  EXPECT_TRUE(openai.credential_missing);
  EXPECT_EQ(openai.credential_problem, "environment variable OPENAI_API_KEY is not set");

  const PersonaConfig& demo = c.personas.at("demo");
  EXPECT_EQ(demo.primary, (RouteTarget{"mock", "mock-gpt"}));
  EXPECT_EQ(demo.requires_caps, (std::vector<std::string>{"streaming", "tool_calling"}));
  EXPECT_EQ(demo.routes.at("fast"), (RouteTarget{"mock", "mock-gpt-mini"}));
  EXPECT_EQ(demo.allow, std::vector<std::string>{"mock/*"});
  EXPECT_EQ(c.personas.at("openai_dev").primary, (RouteTarget{"openai", "gpt-4o-mini"}));

  ASSERT_EQ(c.keys.size(), 2u);
  EXPECT_TRUE(hashes_equal(c.keys[0].sha256, hash_key("gw-demo-key")));
  EXPECT_EQ(c.keys[0].personas, std::vector<std::string>{"demo"});
  EXPECT_EQ(c.keys[0].name, "demo");
  EXPECT_EQ(c.keys[0].demo_plaintext, "gw-demo-key");
  EXPECT_TRUE(hashes_equal(c.keys[1].sha256, hash_key("gw-openai-key")));
  EXPECT_EQ(c.keys[1].name, "openai-demo");

  // Only warnings: local_demo, and the missing OpenAI key.
  ASSERT_EQ(load.problems.size(), 2u) << dump(load);
  EXPECT_EQ(load.problems[0].pointer, "/local_demo");
  EXPECT_EQ(load.problems[1].pointer, "/providers/openai/api_key");
  EXPECT_TRUE(load.problems[0].warning && load.problems[1].warning);
}

TEST(Examples, QuickstartUsesTheOpenAiKeyWhenSet) {
  const ConfigLoad load = load_config_file(kExamples + "quickstart.json",
                                           options_with_env({{"OPENAI_API_KEY", "sk-test"}}));
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  EXPECT_EQ(load.config->providers.at("openai").api_key, "sk-test");
  EXPECT_FALSE(load.config->providers.at("openai").credential_missing);
}

TEST(Examples, ProductionExampleOnlyWarnsAboutUnsetVariables) {
  const ConfigLoad load = load_config_file(kExamples + "gateway.example.yaml", options_with_env());
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  ASSERT_FALSE(load.problems.empty());
  for (const auto& p : load.problems) {
    EXPECT_TRUE(p.warning) << p.pointer << ": " << p.message;
    EXPECT_NE(p.message.find("environment variable"), std::string::npos) << p.message;
  }
}

TEST(Examples, ProductionExampleWithItsEnvironment) {
  const ConfigLoad load = load_config_file(kExamples + "gateway.example.yaml",
                                           options_with_env({{"OPENAI_API_KEY", "a"},
                                                             {"ANTHROPIC_API_KEY", "b"},
                                                             {"GEMINI_API_KEY", "c"},
                                                             {"BACKEND_DEV_KEY", "k1"},
                                                             {"QA_KEY", "k2"},
                                                             {"ANALYTICS_KEY", "k3"}}));
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  EXPECT_TRUE(load.problems.empty()) << dump(load);
  const Config& c = *load.config;
  EXPECT_FALSE(c.local_demo);
  EXPECT_EQ(c.keys.size(), 3u);
  EXPECT_EQ(c.keys[2].personas, (std::vector<std::string>{"data_analyst", "offline_batch"}));
  for (const auto& key : c.keys) EXPECT_EQ(key.demo_plaintext, "");

  const PersonaConfig& dev = c.personas.at("backend_dev");
  const PersonaConfig& qa = c.personas.at("qa_engineer");
  EXPECT_EQ(qa.primary.provider, dev.primary.provider);
  EXPECT_NE(qa.primary.model, dev.primary.model);
  EXPECT_EQ(qa.fallback, dev.fallback);
  EXPECT_EQ(dev.routes.at("local"),
            (RouteTarget{"local_vllm", "meta-llama/Llama-3.1-8B-Instruct"}));
  EXPECT_EQ(qa.budget.at("daily_usd").as_int64(), 5);
  EXPECT_EQ(qa.budget.at("monthly_usd").as_int64(), 300);
  EXPECT_EQ(qa.team, "platform");
  EXPECT_EQ(c.providers.at("local_vllm").raw.at("flavor").as_string(), "vllm");
}

}  // namespace
}  // namespace gw::testing
