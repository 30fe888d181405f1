// defaults ← extended persona ← persona: objects merge key-wise, arrays and scalars replace, and
// a problem in an inherited value points where that value was written.
#include "config/persona_merge.h"

#include "config_test_support.h"

namespace gw::testing {
namespace {

constexpr const char* kInheritance = R"({
  "version": 1,
  "providers": {
    "openai": {"type": "openai", "api_key": "env:OPENAI_API_KEY"},
    "anthropic": {"type": "anthropic", "api_key": "env:ANTHROPIC_API_KEY"}
  },
  "defaults": {
    "provider": "openai",
    "requires": ["streaming"],
    "tools": ["fs_read"],
    "budget": {"tokens_per_min": 1000, "daily_usd": 10},
    "team": "platform",
    "routes": {"fast": "openai/gpt-4o-mini"}
  },
  "personas": {
    "backend_dev": {
      "provider": "anthropic", "model": "claude-sonnet-4-5",
      "fallback": ["openai/gpt-4o"],
      "requires": ["streaming", "tool_calling"],
      "budget": {"daily_usd": 20},
      "routes": {"smart": "anthropic/claude-opus-4"},
      "project": "api"
    },
    "qa_engineer": {
      "extends": "backend_dev",
      "model": "claude-3-5-haiku",
      "budget": {"cost_per_min": 0.5},
      "tools": []
    },
    "intern": {"model": "gpt-4o-mini"}
  },
  "keys": []
})";

TEST(PersonaMerge, DefaultsApplyUnderEveryPersona) {
  const ConfigLoad load = load_json(kInheritance, kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  const PersonaConfig& intern = load.config->personas.at("intern");
  EXPECT_EQ(intern.primary, (RouteTarget{"openai", "gpt-4o-mini"}));
  EXPECT_EQ(intern.requires_caps, std::vector<std::string>{"streaming"});
  EXPECT_EQ(intern.tools, std::vector<std::string>{"fs_read"});
  EXPECT_EQ(intern.team, "platform");
  EXPECT_EQ(intern.budget.at("daily_usd").as_int64(), 10);
  EXPECT_EQ(intern.routes.at("fast"), (RouteTarget{"openai", "gpt-4o-mini"}));
}

TEST(PersonaMerge, PersonaOverridesScalarsAndArraysAndMergesObjects) {
  const ConfigLoad load = load_json(kInheritance, kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  const PersonaConfig& dev = load.config->personas.at("backend_dev");
  EXPECT_EQ(dev.primary, (RouteTarget{"anthropic", "claude-sonnet-4-5"}));
  EXPECT_EQ(dev.requires_caps, (std::vector<std::string>{"streaming", "tool_calling"}));
  EXPECT_EQ(dev.tools, std::vector<std::string>{"fs_read"});  // inherited
  // budget: tokens_per_min from defaults, daily_usd replaced.
  EXPECT_EQ(dev.budget.at("tokens_per_min").as_int64(), 1000);
  EXPECT_EQ(dev.budget.at("daily_usd").as_int64(), 20);
  // routes merge key-wise too.
  EXPECT_EQ(dev.routes.size(), 2u);
  EXPECT_EQ(dev.routes.at("smart"), (RouteTarget{"anthropic", "claude-opus-4"}));
  EXPECT_EQ(dev.project, "api");
  EXPECT_EQ(dev.team, "platform");
}

TEST(PersonaMerge, ExtendsLayersOverTheBasePersona) {
  const ConfigLoad load = load_json(kInheritance, kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  const PersonaConfig& qa = load.config->personas.at("qa_engineer");
  EXPECT_EQ(qa.primary, (RouteTarget{"anthropic", "claude-3-5-haiku"}));
  EXPECT_EQ(qa.fallback, (std::vector<RouteTarget>{{"openai", "gpt-4o"}}));
  EXPECT_EQ(qa.requires_caps, (std::vector<std::string>{"streaming", "tool_calling"}));
  EXPECT_TRUE(qa.tools.empty());  // an empty array replaces, it does not inherit
  EXPECT_EQ(qa.budget.at("tokens_per_min").as_int64(), 1000);
  EXPECT_EQ(qa.budget.at("daily_usd").as_int64(), 20);
  EXPECT_DOUBLE_EQ(qa.budget.at("cost_per_min").as_double(), 0.5);
  EXPECT_EQ(qa.project, "api");
  EXPECT_EQ(qa.name, "qa_engineer");
}

TEST(PersonaMerge, ProblemInInheritedValuePointsAtItsSource) {
  boost::json::value doc = boost::json::parse(kInheritance);
  doc.at("personas").at("backend_dev").as_object()["fallback"] = {"openai/gpt-4o", "gemni/pro"};
  const ConfigLoad load = load_json(boost::json::serialize(doc), kFullEnv);
  // backend_dev and qa_engineer both carry it; it is written once, so it is reported once.
  EXPECT_EQ(error_count(load), 1u) << dump(load);
  EXPECT_PROBLEM(load, "/personas/backend_dev/fallback/1",
                 "unknown provider \"gemni\" (known: anthropic, openai)");
}

TEST(PersonaMerge, ProblemInDefaultsPointsAtDefaults) {
  boost::json::value doc = boost::json::parse(kInheritance);
  doc.at("defaults").as_object()["routes"] = {{"fast", "groq/llama"}};
  const ConfigLoad load = load_json(boost::json::serialize(doc), kFullEnv);
  EXPECT_EQ(error_count(load), 1u) << dump(load);
  EXPECT_PROBLEM(load, "/defaults/routes/fast",
                 "unknown provider \"groq\" (known: anthropic, openai)");
}

TEST(PersonaMerge, OriginsTrackTheLastWriter) {
  const boost::json::value defaults = boost::json::parse(R"({"budget": {"a": 1, "b": 2}})");
  const boost::json::value personas = boost::json::parse(
      R"({"base": {"budget": {"b": 3}}, "child": {"extends": "base", "fallback": ["x/y"]}})");
  const config::PersonaMerge merge =
      config::merge_personas(&defaults.as_object(), &personas.as_object());
  ASSERT_TRUE(merge.problems.empty());
  const config::MergedPersona& child = merge.personas.at("child");
  EXPECT_EQ(child.pointer, "/personas/child");
  EXPECT_EQ(child.pointer_of("/budget/a"), "/defaults/budget/a");
  EXPECT_EQ(child.pointer_of("/budget/b"), "/personas/base/budget/b");
  EXPECT_EQ(child.pointer_of("/fallback/0"), "/personas/child/fallback/0");
  EXPECT_FALSE(child.fields.contains("extends"));
}

TEST(PersonaMerge, ScalarOverObjectReplacesTheWholeSubtree) {
  const boost::json::value defaults = boost::json::parse(R"({"budget": {"a": 1}})");
  const boost::json::value personas = boost::json::parse(R"({"p": {"budget": 5}})");
  const config::PersonaMerge merge =
      config::merge_personas(&defaults.as_object(), &personas.as_object());
  const config::MergedPersona& p = merge.personas.at("p");
  EXPECT_EQ(p.fields.at("budget").as_int64(), 5);
  EXPECT_EQ(p.pointer_of("/budget"), "/personas/p/budget");
  EXPECT_EQ(p.origins.count("/budget/a"), 0u);
}

TEST(PersonaMerge, CyclicPersonasAreLeftOut) {
  const boost::json::value personas = boost::json::parse(
      R"({"a": {"extends": "b"}, "b": {"extends": "a"}, "c": {"extends": "a"}, "d": {}})");
  const config::PersonaMerge merge = config::merge_personas(nullptr, &personas.as_object());
  ASSERT_EQ(merge.problems.size(), 1u);
  EXPECT_EQ(merge.problems[0].pointer, "/personas/b/extends");
  EXPECT_EQ(merge.problems[0].message, "extends cycle: a -> b -> a");
  EXPECT_EQ(merge.personas.size(), 1u);
  EXPECT_TRUE(merge.personas.contains("d"));
}

}  // namespace
}  // namespace gw::testing
