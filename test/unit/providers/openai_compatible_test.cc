// openai_compatible: flavors loaded from the embedded config/providers.d data files, and the
// registry that builds every built-in adapter.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "common/embedded.h"
#include "providers/openai_compatible/openai_compatible_provider.h"
#include "providers/registry.h"
#include "wire/wire_test_util.h"

namespace gw {
namespace {

namespace json = boost::json;

ProviderSettings compat(std::string flavor, std::string base_url = "", std::string key = "") {
  ProviderSettings s;
  s.name = "local";
  s.type = "openai_compatible";
  s.base_url = std::move(base_url);
  s.api_key = std::move(key);
  if (!flavor.empty()) s.raw["flavor"] = flavor;
  s.raw["type"] = "openai_compatible";
  return s;
}

ChatRequest tool_request() {
  ChatRequest r;
  r.model = "m";
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("hi")}, ""});
  ToolSpec t;
  t.name = "f";
  r.tools.push_back(t);
  r.tool_choice.mode = ToolChoice::Mode::required;
  r.parallel_tool_calls = false;
  r.max_tokens = 64;
  r.user = "u1";
  r.stream = true;
  r.extra["store"] = true;
  r.extra["top_k"] = 20;
  return r;
}

std::string header(const UpstreamRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

std::unique_ptr<Provider> make(const ProviderSettings& s) {
  Result<std::unique_ptr<Provider>> r = make_openai_compatible_provider(s);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : nullptr;
}

UpstreamRequest encode(const Provider& p) {
  Result<UpstreamRequest> r = p.encode(tool_request(), "served-model", EncodeContext{});
  EXPECT_TRUE(r.ok());
  return r.ok() ? std::move(r).value() : UpstreamRequest{};
}

TEST(OpenAICompatible, Vllm) {
  auto p = make(compat("vllm", "", "vllm-key"));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->type(), "openai_compatible");
  EXPECT_EQ(static_cast<OpenAIProvider&>(*p).base_url(), "http://127.0.0.1:8000");
  EXPECT_TRUE(p->capabilities().parallel_tool_calls);
  EXPECT_TRUE(p->capabilities().usage_in_stream);
  UpstreamRequest req = encode(*p);
  EXPECT_EQ(req.path, "/v1/chat/completions");
  EXPECT_EQ(header(req, "Authorization"), "Bearer vllm-key");
  json::object body = json::parse(req.body).as_object();
  EXPECT_EQ(body.at("model"), "served-model");
  EXPECT_EQ(body.at("max_tokens"), json::value(64));
  EXPECT_EQ(body.at("tool_choice"), "required");
  EXPECT_EQ(body.at("parallel_tool_calls"), json::value(false));
  EXPECT_EQ(body.at("stream_options"), json::parse(R"({"include_usage":true})"));
  EXPECT_EQ(body.at("top_k"), json::value(20));  // vLLM sampling extras pass through
  EXPECT_FALSE(body.contains("store"));          // OpenAI-platform-only field dropped
}

TEST(OpenAICompatible, VllmWithoutKeySendsNoAuthorization) {
  auto p = make(compat("vllm", "http://gpu-box:8000/v1"));
  UpstreamRequest req = encode(*p);
  EXPECT_EQ(header(req, "Authorization"), "<absent>");
  EXPECT_EQ(req.path, "/chat/completions");
  EXPECT_EQ(static_cast<OpenAIProvider&>(*p).base_url(), "http://gpu-box:8000/v1");
}

TEST(OpenAICompatible, Ollama) {
  auto p = make(compat("ollama", "", "ignored-key"));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(static_cast<OpenAIProvider&>(*p).base_url(), "http://127.0.0.1:11434");
  EXPECT_FALSE(p->capabilities().parallel_tool_calls);
  UpstreamRequest req = encode(*p);
  EXPECT_EQ(req.path, "/v1/chat/completions");
  EXPECT_EQ(header(req, "Authorization"), "<absent>");  // auth: none, even with a key
  json::object body = json::parse(req.body).as_object();
  EXPECT_FALSE(body.contains("parallel_tool_calls"));
  EXPECT_FALSE(body.contains("tool_choice"));
  EXPECT_FALSE(body.contains("user"));
  EXPECT_TRUE(body.contains("tools"));
  EXPECT_EQ(body.at("stream_options"), json::parse(R"({"include_usage":true})"));
}

TEST(OpenAICompatible, OllamaDecodesItsCompatResponse) {
  auto p = make(compat("ollama"));
  Result<ChatResponse> r =
      p->decode_response(test::fixture("ollama/openai-compat-chat.response.json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->system_fingerprint, "fp_ollama");
  Error e = p->decode_error(404, nullptr, test::fixture("ollama/error-404-model-not-found.json"));
  EXPECT_EQ(e.kind, ErrorKind::provider_not_found);
}

TEST(OpenAICompatible, UnknownOrMissingFlavor) {
  Result<std::unique_ptr<Provider>> unknown = make_openai_compatible_provider(compat("tgi-9000"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown openai_compatible flavor \"tgi-9000\""),
            std::string::npos)
      << unknown.error().message;
  EXPECT_NE(unknown.error().message.find("vllm"), std::string::npos);  // lists the known ones
  Result<std::unique_ptr<Provider>> missing = make_openai_compatible_provider(compat(""));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("flavor"), std::string::npos);
  Result<std::unique_ptr<Provider>> traversal =
      make_openai_compatible_provider(compat("../schema/gateway.schema"));
  EXPECT_FALSE(traversal.ok());
}

TEST(OpenAICompatible, EveryEmbeddedDataFileParses) {
  int n = 0;
  for (const EmbeddedFile& f : embedded_files()) {
    if (!f.path.starts_with("config/providers.d/")) continue;
    SCOPED_TRACE(std::string(f.path));
    Result<OpenAICompatibleFlavor> flavor = parse_openai_compatible_flavor(f.contents);
    ASSERT_TRUE(flavor.ok()) << flavor.error().message;
    EXPECT_EQ("config/providers.d/" + flavor->name + ".json", f.path);  // name matches the file
    EXPECT_FALSE(flavor->dialect.default_base_url.empty());
    ++n;
  }
  EXPECT_GE(n, 2);
}

TEST(OpenAICompatible, DataFileValidation) {
  EXPECT_TRUE(parse_openai_compatible_flavor(R"({"name":"x"})").ok());
  const char* bad[] = {
      R"({"name":"x","auth":"basic"})",
      R"({"name":"x","max_tokens_field":"limit"})",
      R"({"name":"x","chat_path":"v1/chat"})",
      R"({"name":"x","capabilities":{"teleport":true}})",
      R"({"name":"x","capabilities":{"vision":"yes"}})",
      R"({"name":"x","drop_fields":"user"})",
      R"({"name":"x","stream_usage":1})",
      R"({"name":"x","stram_usage":true})",
      R"({"description":"no name"})",
      "[]",
      "{",
  };
  for (const char* text : bad) {
    EXPECT_FALSE(parse_openai_compatible_flavor(text).ok()) << text;
  }
  Result<OpenAICompatibleFlavor> quiet =
      parse_openai_compatible_flavor(R"({"name":"x","stream_usage":false,"auth":"none"})");
  ASSERT_TRUE(quiet.ok());
  EXPECT_FALSE(quiet->dialect.encode.stream_usage);
  EXPECT_FALSE(quiet->dialect.bearer_auth);
}

TEST(ProviderRegistry, BuiltinTypes) {
  const ProviderRegistry& reg = builtin_providers();
  std::vector<std::string> types = reg.types();
  for (const char* t : {"openai", "mock", "openai_compatible"}) {
    EXPECT_NE(std::find(types.begin(), types.end(), t), types.end()) << t;
  }
  EXPECT_EQ(reg.find("no_such_type"), nullptr);
  EXPECT_EQ(&builtin_providers(), &reg);  // built once
}

TEST(ProviderRegistry, FactoriesBuildTheirType) {
  const ProviderRegistry& reg = builtin_providers();
  for (const char* t : {"openai", "mock", "openai_compatible"}) {
    SCOPED_TRACE(t);
    ProviderSettings s = compat("vllm", "http://127.0.0.1:1");
    s.type = t;
    const ProviderFactory* f = reg.find(t);
    ASSERT_NE(f, nullptr);
    Result<std::unique_ptr<Provider>> p = (*f)(s);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p.value()->type(), t);
  }
}

TEST(ProviderRegistry, AddAndReplace) {
  ProviderRegistry reg;
  EXPECT_TRUE(reg.types().empty());
  reg.add("x", make_openai_provider);
  reg.add("x", make_mock_provider);
  ASSERT_EQ(reg.types().size(), 1u);
  Result<std::unique_ptr<Provider>> p = (*reg.find("x"))(ProviderSettings{});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.value()->type(), "mock");
}

}  // namespace
}  // namespace gw
