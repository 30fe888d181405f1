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
  return [](const RouteTarget& t) -> std::optional<Capabilities> {
    if (t.provider == "anthropic") return a;
    if (t.provider == "openai") return o;
    if (t.provider == "gemini") return g;
    if (t.provider == "vllm") return v;
    return std::nullopt;
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
  EXPECT_EQ(needs,
            (std::vector<std::string>{"streaming", "tool_calling", "json_schema", "vision"}));
  r.system.push_back(ContentBlock::make_text("be brief"));
  r.response_format.type = ResponseFormat::Type::json_object;
  needs = needed_capabilities(r);
  EXPECT_EQ(needs, (std::vector<std::string>{"streaming", "tool_calling", "json_mode",
                                             "system_prompt", "vision"}));
  r.tool_choice.mode = ToolChoice::Mode::none;
  needs = needed_capabilities(r);
  EXPECT_EQ(std::count(needs.begin(), needs.end(), "tool_calling"), 0);
}

TEST(Router, MaxTokensAboveTheModelsOutputLimitSkipsTheTarget) {
  Capabilities small = full();
  small.max_output_tokens = 4096;
  auto plan = plan_route(make_persona(), "claude-sonnet-4-5", {}, lookup_with(small), 8000);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->targets.size(), 2u);
  EXPECT_EQ(plan->targets[0].str(), "openai/gpt-4o");
  Capabilities tiny = full();
  tiny.max_output_tokens = 100;
  auto none = plan_route(make_persona(), "fast", {}, lookup_with(full(), tiny), 8000);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "capability_unsupported");
  EXPECT_NE(none.error().message.find("writes at most 100"), std::string::npos);
}

// The whole chain is planned (attempts are capped at run time by the persona's max_attempts,
// which counts retries and credential rotations too); skipped members carry their reason.
TEST(Router, WholeChainPlannedAndSkipsNamed) {
  PersonaConfig p = make_persona();
  p.fallback.push_back({"vllm", "a"});
  p.fallback.push_back({"vllm", "b"});
  auto plan = plan_route(p, "claude-sonnet-4-5", {}, lookup_with());
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->targets.size(), 1 + p.fallback.size());
  EXPECT_TRUE(plan->skipped.empty());
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
