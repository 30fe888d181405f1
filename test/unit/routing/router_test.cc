#include "routing/router.h"

#include <gtest/gtest.h>

namespace gw {
namespace {

PersonaConfig make_persona() {
  PersonaConfig p;
  p.name = "dev";
  p.primary = {"anthropic", "claude-sonnet-4-5"};
  p.fallback = {{"openai", "gpt-4o"}, {"gemini", "gemini-2.0-flash"}};
  p.routes["fast"] = {"openai", "gpt-4o-mini"};
  p.allow = {"vllm/*"};
  return p;
}

Capabilities full() {
  return Capabilities{};
}

CapabilityLookup lookup_with(Capabilities anthropic = full(), Capabilities openai = full()) {
  static Capabilities a, o, g, v;
  a = anthropic;
  o = openai;
  g = full();
  v = full();
  return [](const std::string& name) -> const Capabilities* {
    if (name == "anthropic") return &a;
    if (name == "openai") return &o;
    if (name == "gemini") return &g;
    if (name == "vllm") return &v;
    return nullptr;
  };
}

TEST(Router, PersonaModelSelectsPrimaryWithFallbacks) {
  auto plan = plan_route(make_persona(), "claude-sonnet-4-5", {}, lookup_with());
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->targets.size(), 3u);
  EXPECT_EQ(plan->targets[0].str(), "anthropic/claude-sonnet-4-5");
  EXPECT_EQ(plan->targets[1].str(), "openai/gpt-4o");
  EXPECT_EQ(plan->targets[2].str(), "gemini/gemini-2.0-flash");
  EXPECT_EQ(plan->selected_by, "primary");
}

TEST(Router, ProviderSlashModelOfPrimarySelectsPrimary) {
  auto plan = plan_route(make_persona(), "anthropic/claude-sonnet-4-5", {}, lookup_with());
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->targets.size(), 3u);
}

TEST(Router, AliasSelectsItsRouteOnly) {
  auto plan = plan_route(make_persona(), "fast", {}, lookup_with());
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->targets.size(), 1u);
  EXPECT_EQ(plan->targets[0].str(), "openai/gpt-4o-mini");
  EXPECT_EQ(plan->selected_by, "alias");
}

TEST(Router, AllowedPatternAndFallbackTargetsAreExplicitRoutes) {
  auto a = plan_route(make_persona(), "vllm/meta-llama/Llama-3-8B", {}, lookup_with());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->targets[0].provider, "vllm");
  EXPECT_EQ(a->targets[0].model, "meta-llama/Llama-3-8B");
  auto b = plan_route(make_persona(), "openai/gpt-4o", {}, lookup_with());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->targets.size(), 1u);
}

TEST(Router, UnknownModelIs404ListingRoutes) {
  auto plan = plan_route(make_persona(), "gpt-5", {}, lookup_with());
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().kind, ErrorKind::caller_not_found);
  EXPECT_EQ(http_status(plan.error().kind), 404);
  EXPECT_EQ(plan.error().code, "model_not_found");
  EXPECT_NE(plan.error().message.find("claude-sonnet-4-5"), std::string::npos);
  EXPECT_NE(plan.error().message.find("fast"), std::string::npos);
  EXPECT_NE(plan.error().message.find("vllm/*"), std::string::npos);
}

TEST(Router, NotAllowedProviderModelIs404) {
  auto plan = plan_route(make_persona(), "openai/gpt-4.1", {}, lookup_with());
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().kind, ErrorKind::caller_not_found);
}

TEST(Router, EmptyModelIs400) {
  auto plan = plan_route(make_persona(), "", {}, lookup_with());
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().kind, ErrorKind::caller_invalid_request);
}

TEST(Router, TargetsLackingANeededCapabilityAreDropped) {
  Capabilities no_tools;
  no_tools.tool_calling = false;
  auto plan =
      plan_route(make_persona(), "claude-sonnet-4-5", {"tool_calling"}, lookup_with(no_tools));
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->targets.size(), 2u);
  EXPECT_EQ(plan->targets[0].provider, "openai");
}

TEST(Router, PersonaRequirementsFilterToo) {
  PersonaConfig p = make_persona();
  p.requires_caps = {"vision"};
  Capabilities no_vision;
  no_vision.vision = false;
  auto plan = plan_route(p, "fast", {}, lookup_with(full(), no_vision));
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, "capability_unsupported");
  EXPECT_NE(plan.error().message.find("vision"), std::string::npos);
}

TEST(Router, NeededCapabilitiesFollowTheRequest) {
  ChatRequest r;
  EXPECT_TRUE(needed_capabilities(r).empty());
  r.stream = true;
  r.tools.push_back(ToolSpec{"f", "", nullptr, std::nullopt});
  r.response_format.type = ResponseFormat::Type::json_schema;
  Message m;
  ContentBlock img;
  img.type = BlockType::image;
  m.content.push_back(img);
  r.messages.push_back(m);
  auto needs = needed_capabilities(r);
  EXPECT_EQ(needs, (std::vector<std::string>{"streaming", "tool_calling", "json_mode", "vision"}));
  r.tool_choice.mode = ToolChoice::Mode::none;
  needs = needed_capabilities(r);
  EXPECT_EQ(std::count(needs.begin(), needs.end(), "tool_calling"), 0);
}

TEST(Router, AttemptsAreCapped) {
  PersonaConfig p = make_persona();
  p.fallback.push_back({"vllm", "a"});
  p.fallback.push_back({"vllm", "b"});
  auto plan = plan_route(p, "claude-sonnet-4-5", {}, lookup_with());
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->targets.size(), kMaxAttempts);
}

TEST(Router, AllowMatches) {
  EXPECT_TRUE(allow_matches("openai/*", {"openai", "x"}));
  EXPECT_TRUE(allow_matches("openai/gpt-4o", {"openai", "gpt-4o"}));
  EXPECT_FALSE(allow_matches("openai/gpt-4o", {"openai", "gpt-4o-mini"}));
  EXPECT_FALSE(allow_matches("openai", {"openai", "gpt-4o"}));
  EXPECT_FALSE(allow_matches("anthropic/*", {"openai", "gpt-4o"}));
}

}  // namespace
}  // namespace gw
