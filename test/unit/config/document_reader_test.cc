// JSON and YAML read into the same document; parse errors carry a line and column; the format
// is chosen by extension or, failing that, by content.
#include "config/document_reader.h"

#include "config_test_support.h"

namespace gw::testing {
namespace {

constexpr const char* kJson = R"({
  "version": 1,
  "server": {"listen": "127.0.0.1:9090", "workers": 2, "limits": {"max_body_bytes": 1024}},
  "providers": {
    "openai": {"type": "openai", "api_key": "env:OPENAI_API_KEY",
               "timeouts": {"connect_ms": 1500, "total_ms": 30000}},
    "local": {"type": "openai_compatible", "base_url": "http://127.0.0.1:8000", "flavor": "vllm"}
  },
  "defaults": {"budget": {"cost_per_min": 0.25}},
  "personas": {
    "dev": {"provider": "openai", "model": "gpt-4o", "fallback": ["local/meta-llama/Llama-3-8B"],
            "routes": {"fast": "openai/gpt-4o-mini"}, "allow": ["openai/*"],
            "requires": ["streaming", "tool_calling"], "tools": ["fs_read"],
            "budget": {"tokens_per_min": 5000, "daily_usd": 12.5}, "team": "t", "project": "p"}
  },
  "keys": [{"key": "env:DEV_KEY", "personas": ["dev"], "name": "runner"}]
})";

constexpr const char* kYaml = R"(
version: 1
server:
  listen: "127.0.0.1:9090"
  workers: 2
  limits: {max_body_bytes: 1024}
providers:
  openai:
    type: openai
    api_key: env:OPENAI_API_KEY
    timeouts:
      connect_ms: 1500
      total_ms: 30000
  local:
    type: openai_compatible
    base_url: http://127.0.0.1:8000
    flavor: vllm
defaults:
  budget:
    cost_per_min: 0.25
personas:
  dev:
    provider: openai
    model: gpt-4o
    fallback: [local/meta-llama/Llama-3-8B]
    routes: {fast: openai/gpt-4o-mini}
    allow: ["openai/*"]
    requires: [streaming, tool_calling]
    tools: [fs_read]
    budget: {tokens_per_min: 5000, daily_usd: 12.5}
    team: t
    project: p
keys:
  - key: env:DEV_KEY
    personas: [dev]
    name: runner
)";

TEST(DocumentReader, YamlAndJsonReadToTheSameDocument) {
  const auto json = config::parse_config_document(kJson, "json");
  const auto yaml = config::parse_config_document(kYaml, "yaml");
  ASSERT_TRUE(json.value && yaml.value);
  EXPECT_EQ(*json.value, *yaml.value) << boost::json::serialize(*yaml.value);
}

TEST(DocumentReader, YamlAndJsonLoadToTheSameConfig) {
  const ConfigLoad a = load_json(kJson, kFullEnv);
  const ConfigLoad b = load_yaml(kYaml, kFullEnv);
  ASSERT_TRUE(a.config && b.config) << dump(a) << dump(b);
  const Config& x = *a.config;
  const Config& y = *b.config;
  EXPECT_EQ(x.server.listen, y.server.listen);
  EXPECT_EQ(x.server.workers, 2);
  EXPECT_EQ(y.server.workers, 2);
  EXPECT_EQ(y.server.limits.max_body_bytes, 1024u);
  ASSERT_EQ(y.providers.size(), 2u);
  for (const auto& [name, p] : x.providers) {
    const ProviderSettings& q = y.providers.at(name);
    EXPECT_EQ(p.type, q.type);
    EXPECT_EQ(p.base_url, q.base_url);
    EXPECT_EQ(p.api_key, q.api_key);
    EXPECT_EQ(p.timeouts.connect, q.timeouts.connect);
    EXPECT_EQ(p.timeouts.total, q.timeouts.total);
    EXPECT_EQ(p.raw, q.raw);
  }
  EXPECT_EQ(y.providers.at("openai").timeouts.connect, std::chrono::milliseconds(1500));
  EXPECT_EQ(y.providers.at("openai").timeouts.first_byte, std::chrono::milliseconds(60000));
  const PersonaConfig& p = x.personas.at("dev");
  const PersonaConfig& q = y.personas.at("dev");
  EXPECT_EQ(p.primary, q.primary);
  EXPECT_EQ(p.fallback, q.fallback);
  EXPECT_EQ(q.fallback.at(0), (RouteTarget{"local", "meta-llama/Llama-3-8B"}));
  EXPECT_EQ(p.routes, q.routes);
  EXPECT_EQ(p.allow, q.allow);
  EXPECT_EQ(p.requires_caps, q.requires_caps);
  EXPECT_EQ(p.tools, q.tools);
  EXPECT_EQ(p.budget, q.budget);
  EXPECT_EQ(q.budget.at("cost_per_min").as_double(), 0.25);
  EXPECT_EQ(p.team, q.team);
  ASSERT_EQ(y.keys.size(), 1u);
  EXPECT_EQ(x.keys[0].sha256, y.keys[0].sha256);
  EXPECT_EQ(y.keys[0].personas, std::vector<std::string>{"dev"});
  EXPECT_EQ(y.keys[0].name, "runner");
  EXPECT_EQ(y.keys[0].team, "t");  // inherited from the persona
}

TEST(DocumentReader, YamlQuotedScalarsStayStrings) {
  const auto doc = config::parse_yaml_document(
      "a: 8080\nb: \"8080\"\nc: true\nd: 'true'\ne: ~\nf: 1.5\ng: -3\nh: 0x10\ni: v1\nj: !!str "
      "7\n");
  ASSERT_TRUE(doc.value);
  const auto& o = doc.value->as_object();
  EXPECT_EQ(o.at("a"), boost::json::value(8080));
  EXPECT_EQ(o.at("b"), boost::json::value("8080"));
  EXPECT_EQ(o.at("c"), boost::json::value(true));
  EXPECT_EQ(o.at("d"), boost::json::value("true"));
  EXPECT_TRUE(o.at("e").is_null());
  EXPECT_EQ(o.at("f"), boost::json::value(1.5));
  EXPECT_EQ(o.at("g"), boost::json::value(-3));
  EXPECT_EQ(o.at("h"), boost::json::value(16));
  EXPECT_EQ(o.at("i"), boost::json::value("v1"));
  EXPECT_EQ(o.at("j"), boost::json::value("7"));
}

TEST(DocumentReader, QuotedYamlNumberFailsTheSchemaLikeJsonWould) {
  const ConfigLoad load = load_yaml("version: 1\nserver:\n  workers: \"4\"\n");
  EXPECT_PROBLEM(load, "/server/workers", "expected integer, got string");
}

TEST(DocumentReader, YamlDuplicateKeyIsReported) {
  const auto doc = config::parse_yaml_document("a: 1\nb:\n  c: 1\n  c: 2\n");
  ASSERT_EQ(doc.problems.size(), 1u);
  EXPECT_EQ(doc.problems[0].pointer, "/b/c");
  EXPECT_EQ(doc.problems[0].message, "duplicate key \"c\"");
}

TEST(DocumentReader, JsonSyntaxErrorHasLineAndColumn) {
  const ConfigLoad load = load_json("{\n  \"version\": 1,\n  \"server\": {,}\n}");
  ASSERT_EQ(load.problems.size(), 1u);
  EXPECT_EQ(load.problems[0].pointer, "");
  EXPECT_EQ(load.problems[0].message, "invalid JSON at line 3, column 14: syntax error");
}

TEST(DocumentReader, JsonTrailingGarbageIsAnError) {
  const ConfigLoad load = load_json("{\"version\": 1} x");
  ASSERT_EQ(load.problems.size(), 1u);
  EXPECT_EQ(load.problems[0].message, "invalid JSON at line 1, column 16: extra data");
}

TEST(DocumentReader, TruncatedJsonIsAnError) {
  const ConfigLoad load = load_json("{\"version\": 1");
  ASSERT_EQ(load.problems.size(), 1u);
  EXPECT_EQ(load.problems[0].message.rfind("invalid JSON at line 1", 0), 0u)
      << load.problems[0].message;
  EXPECT_FALSE(load.config.has_value());
}

TEST(DocumentReader, YamlSyntaxErrorHasLineAndColumn) {
  const ConfigLoad load = load_yaml("version: 1\nserver:\n  listen: [unclosed\n");
  ASSERT_EQ(load.problems.size(), 1u);
  EXPECT_EQ(load.problems[0].pointer, "");
  EXPECT_EQ(load.problems[0].message.rfind("invalid YAML at line ", 0), 0u)
      << load.problems[0].message;
}

TEST(DocumentReader, EmptyYamlIsNotAnObject) {
  const ConfigLoad load = load_yaml("");
  EXPECT_PROBLEM(load, "", "expected object, got null");
}

TEST(DocumentReader, FormatByExtensionThenContent) {
  EXPECT_EQ(config::detect_config_format("gw.json", "version: 1"), "json");
  EXPECT_EQ(config::detect_config_format("gw.YAML", "{}"), "yaml");
  EXPECT_EQ(config::detect_config_format("gw.yml", "{}"), "yaml");
  EXPECT_EQ(config::detect_config_format("gw.conf", "  \n {\"version\": 1}"), "json");
  EXPECT_EQ(config::detect_config_format("gw.conf", "version: 1"), "yaml");
  EXPECT_EQ(config::detect_config_format("gw", "\xEF\xBB\xBF{}"), "json");
}

TEST(DocumentReader, SniffedTextLoads) {
  const ConfigLoad load = load_config_text("{\"version\": 1}", "", options_with_env());
  EXPECT_TRUE(load.config.has_value()) << dump(load);
}

TEST(DocumentReader, UnknownFormatIsAProblem) {
  const ConfigLoad load = load_config_text("{}", "toml", options_with_env());
  ASSERT_EQ(load.problems.size(), 1u);
  EXPECT_EQ(load.problems[0].message, "unknown config format \"toml\" (use json or yaml)");
}

TEST(DocumentReader, YamlAliasBombIsBounded) {
  // Each level references the previous one nine times: 9^10 nodes if expanded naively.
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 10; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int j = 0; j < 8; ++j) text += ", " + prev;
    text += "]\n";
  }
  const auto doc = config::parse_yaml_document(text);
  EXPECT_FALSE(doc.value.has_value());
  ASSERT_FALSE(doc.problems.empty());
  EXPECT_EQ(doc.problems.back().message, "document has more than 100000 nodes (alias expansion?)");
}

}  // namespace
}  // namespace gw::testing
