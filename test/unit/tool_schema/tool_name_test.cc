// Tool-name rules: valid names pass unchanged; dotted, digit-first, non-ASCII and over-long names
// are rewritten; collisions are settled deterministically; every rename maps back.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tool_schema_test_util.h"
#include "wire/tool_schema/tool_name.h"
#include "wire/tool_schema/tool_name_map.h"

namespace gw::tool_schema {
namespace {

using test::json_schema_rules;
using test::openapi_rules;

ToolNameMap assign(const std::vector<std::string_view>& names, const ToolRules& rules) {
  ToolNameMap map;
  ToolNamer(rules).assign_declared(names, map);
  return map;
}

bool is_hex_suffix(std::string_view s) {
  if (s.size() < 9 || s[s.size() - 9] != '_') return false;
  for (char c : s.substr(s.size() - 8)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

TEST(ToolNameValid, FollowsTheRules) {
  const ToolRules openai = json_schema_rules();
  EXPECT_TRUE(tool_name_valid("get_weather", openai));
  EXPECT_TRUE(tool_name_valid("get-weather-2", openai));
  EXPECT_TRUE(tool_name_valid("1st_tool", openai));  // OpenAI does not mind a leading digit
  EXPECT_FALSE(tool_name_valid("", openai));
  EXPECT_FALSE(tool_name_valid("files.read", openai));
  EXPECT_FALSE(tool_name_valid("has space", openai));
  EXPECT_FALSE(tool_name_valid("caf\xC3\xA9", openai));
  EXPECT_TRUE(tool_name_valid(std::string(64, 'a'), openai));
  EXPECT_FALSE(tool_name_valid(std::string(65, 'a'), openai));

  const ToolRules gemini = openapi_rules();
  EXPECT_FALSE(tool_name_valid("1st_tool", gemini));
  EXPECT_FALSE(tool_name_valid("get-weather", gemini));  // '-' not among this rule set's extras
  EXPECT_TRUE(tool_name_valid("_private", gemini));

  ToolRules dots = gemini;
  dots.name_extra_chars = "_.-";
  EXPECT_TRUE(tool_name_valid("files.read", dots));
}

TEST(ToolNameValid, ZeroLengthLimitMeansUnlimited) {
  ToolRules r;
  r.max_name_length = 0;
  EXPECT_TRUE(tool_name_valid(std::string(500, 'a'), r));
}

TEST(ToolNameHash, IsFnv1a64) {
  // Published FNV-1a 64 test vectors: the suffix of a renamed tool must not change between
  // builds, or a conversation's history would stop matching its tools.
  EXPECT_EQ(stable_name_hash(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(stable_name_hash("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(stable_name_hash("foobar"), 0x85944171f73967e8ull);
  EXPECT_NE(stable_name_hash("a", 1), stable_name_hash("a"));
  EXPECT_EQ(name_hash_suffix(""), "_4fd0bfc1");  // 0xcbf29ce4 ^ 0x84222325
}

TEST(ToolNameRewrite, ValidNamesPassUnchanged) {
  const ToolNameMap map = assign({"get_weather", "search-web", "a1"}, json_schema_rules());
  EXPECT_TRUE(map.empty());
  EXPECT_EQ(map.provider_name("get_weather"), "get_weather");
  EXPECT_EQ(map.original_name("get_weather"), "get_weather");
}

TEST(ToolNameRewrite, DottedName) {
  const ToolNameMap map = assign({"files.read"}, json_schema_rules());
  EXPECT_EQ(map.provider_name("files.read"), "files_read");
  EXPECT_EQ(map.original_name("files_read"), "files.read");
  EXPECT_EQ(map.size(), 1u);
}

TEST(ToolNameRewrite, LeadingDigitGetsUnderscore) {
  EXPECT_EQ(rewrite_tool_name("1st_tool", openapi_rules()), "_1st_tool");
  EXPECT_EQ(rewrite_tool_name("-x", openapi_rules()), "_x");  // the invalid '-' became '_'
  const ToolNameMap map = assign({"1st_tool"}, openapi_rules());
  EXPECT_EQ(map.provider_name("1st_tool"), "_1st_tool");
  EXPECT_TRUE(assign({"1st_tool"}, json_schema_rules()).empty());
}

TEST(ToolNameRewrite, OneUnderscorePerUtf8Character) {
  EXPECT_EQ(rewrite_tool_name("caf\xC3\xA9", json_schema_rules()), "caf_");
  EXPECT_EQ(rewrite_tool_name("\xE2\x82\xAC"
                              "price",
                              json_schema_rules()),
            "_price");
  EXPECT_EQ(rewrite_tool_name("a b:c", json_schema_rules()), "a_b_c");
  EXPECT_EQ(rewrite_tool_name("", json_schema_rules()), "_");
}

TEST(ToolNameRewrite, EightyCharNameIsCutWithHash) {
  const std::string long_name = "mcp__github__" + std::string(67, 'x');
  ASSERT_EQ(long_name.size(), 80u);
  const ToolNameMap map = assign({long_name}, json_schema_rules());
  const std::string_view sent = map.provider_name(long_name);
  EXPECT_EQ(sent.size(), 64u);
  EXPECT_TRUE(sent.starts_with("mcp__github__xxx"));
  EXPECT_TRUE(is_hex_suffix(sent)) << sent;
  EXPECT_EQ(sent.substr(55), name_hash_suffix(long_name));
  EXPECT_TRUE(tool_name_valid(sent, json_schema_rules()));
  EXPECT_EQ(map.original_name(sent), long_name);
}

TEST(ToolNameRewrite, LongNamesWithACommonPrefixStayDistinct) {
  const std::string prefix = "mcp__server__" + std::string(60, 'p');
  const std::string a = prefix + "_read_file";
  const std::string b = prefix + "_write_file";
  const ToolNameMap map = assign({a, b}, json_schema_rules());
  EXPECT_NE(map.provider_name(a), map.provider_name(b));
  EXPECT_EQ(map.provider_name(a).size(), 64u);
  EXPECT_EQ(map.provider_name(b).size(), 64u);
  EXPECT_EQ(map.original_name(map.provider_name(a)), a);
  EXPECT_EQ(map.original_name(map.provider_name(b)), b);
}

TEST(ToolNameRewrite, CollisionWithAValidNameKeepsTheValidOne) {
  // "files_read" is the caller's own valid name: it must stay; the rewrite of "files.read"
  // would collide and takes the hash suffix instead, whichever comes first.
  for (const auto& order : {std::vector<std::string_view>{"files.read", "files_read"},
                            std::vector<std::string_view>{"files_read", "files.read"}}) {
    const ToolNameMap map = assign(order, json_schema_rules());
    EXPECT_EQ(map.provider_name("files_read"), "files_read");
    EXPECT_EQ(map.provider_name("files.read"), "files_read" + name_hash_suffix("files.read"));
    EXPECT_EQ(map.size(), 1u);
  }
}

TEST(ToolNameRewrite, CollisionBetweenTwoRewritesIsDeterministic) {
  const std::vector<std::string_view> names = {"a.b", "a:b", "a b"};
  const ToolNameMap first = assign(names, json_schema_rules());
  const ToolNameMap second = assign(names, json_schema_rules());
  std::set<std::string> sent;
  for (std::string_view n : names) {
    EXPECT_EQ(first.provider_name(n), second.provider_name(n));
    sent.emplace(first.provider_name(n));
    EXPECT_EQ(first.original_name(first.provider_name(n)), n);
  }
  EXPECT_EQ(sent.size(), 3u);
  EXPECT_EQ(first.provider_name("a.b"), "a_b");  // the first one keeps the plain rewrite
}

TEST(ToolNameRewrite, DuplicateInvalidNamesShareOneRename) {
  const ToolNameMap map = assign({"x.y", "x.y"}, json_schema_rules());
  EXPECT_EQ(map.size(), 1u);
  EXPECT_EQ(map.provider_name("x.y"), "x_y");
}

TEST(ToolNameRewrite, RoundTripsEveryRename) {
  const std::vector<std::string_view> names = {
      "files.read",
      "files_read",
      "1st",
      "caf\xC3\xA9",
      "ns/tool",
      "a.b",
      "a_b",
      "ok_name",
      "mcp__very_long_server_name__with_a_very_long_tool_name_that_keeps_going_on"};
  for (const ToolRules& rules : {json_schema_rules(), openapi_rules()}) {
    const ToolNameMap map = assign(names, rules);
    std::set<std::string> sent;
    for (std::string_view n : names) {
      const std::string_view p = map.provider_name(n);
      EXPECT_TRUE(tool_name_valid(p, rules)) << p;
      EXPECT_EQ(map.original_name(p), n);
      sent.emplace(p);
    }
    EXPECT_EQ(sent.size(), names.size());
  }
}

TEST(ToolNameExtra, UndeclaredNamesAvoidDeclaredRenames) {
  // History mentions "files_read" (an old, undeclared tool) while the declared "files.read" is
  // sent as "files_read": the undeclared one must not come back as the declared tool.
  ToolNameMap map = assign({"files.read"}, json_schema_rules());
  ToolNamer(json_schema_rules())
      .assign_extra({"files_read", "old.tool", "still_valid"}, {"files_read"}, map);
  EXPECT_EQ(map.provider_name("files.read"), "files_read");
  EXPECT_NE(map.provider_name("files_read"), "files_read");
  EXPECT_EQ(map.provider_name("old.tool"), "old_tool");
  EXPECT_EQ(map.provider_name("still_valid"), "still_valid");
  for (std::string_view n : {"files.read", "files_read", "old.tool"}) {
    EXPECT_EQ(map.original_name(map.provider_name(n)), n);
  }
}

TEST(ToolNameMap, UnknownNamesMapToThemselves) {
  ToolNameMap map;
  map.add("a.b", "a_b");
  EXPECT_EQ(map.original_name("hallucinated"), "hallucinated");
  EXPECT_EQ(map.provider_name("other"), "other");
  map.clear();
  EXPECT_TRUE(map.empty());
}

}  // namespace
}  // namespace gw::tool_schema
