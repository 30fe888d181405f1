// The fixture half of the conformance suite: every recorded transcript in
// test/fixtures/providers/<provider>/manifest.json is run through the registered adapter of that
// provider (and, for request fixtures, through the ingress dialect of the same wire format) and
// checked against properties every provider must have — not against per-provider expectations.
// A new provider adds a fixture folder and is picked up here without code edits.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "api/anthropic/anthropic_dialect.h"
#include "api/gemini/gemini_dialect.h"
#include "api/openai/openai_dialect.h"
#include "providers/registry.h"

namespace gw {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Fixture {
  std::string provider;  // fixture folder
  std::string id;
  std::vector<std::string> roles;
  std::string kind;
  int status = 200;
  std::string request;   // file name, may be empty
  std::string response;  // file name
  std::map<std::string, std::string> headers;

  bool has_role_part(std::string_view part) const {
    return std::any_of(roles.begin(), roles.end(),
                       [&](const std::string& r) { return r.find(part) != std::string::npos; });
  }
  // "openai.chat" in the ollama folder is Ollama's OpenAI-compatible surface.
  bool openai_surface() const {
    return provider != "openai" && std::all_of(roles.begin(), roles.end(), [](const auto& r) {
             return r.starts_with("openai.");
           });
  }
  std::string name() const {
    std::string n = provider + "_" + id;
    std::replace_if(
        n.begin(), n.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
        '_');
    return n;
  }
};

std::vector<Fixture> load_fixtures() {
  std::vector<Fixture> out;
  const fs::path root = GW_FIXTURES_DIR;
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory() && fs::exists(entry.path() / "manifest.json"))
      dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    json::value manifest = json::parse(read_file(dir / "manifest.json"));
    for (const auto& f : manifest.at("fixtures").as_array()) {
      const auto& o = f.as_object();
      Fixture fx;
      fx.provider = dir.filename().string();
      fx.id = std::string(o.at("id").as_string());
      for (const auto& r : o.at("roles").as_array()) fx.roles.emplace_back(r.as_string());
      fx.kind = std::string(o.at("kind").as_string());
      fx.status = static_cast<int>(o.at("status").to_number<std::int64_t>());
      if (const auto* r = o.if_contains("request"); r && r->is_string())
        fx.request = std::string(r->get_string());
      if (const auto* r = o.if_contains("response"); r && r->is_string())
        fx.response = std::string(r->get_string());
      if (const auto* h = o.if_contains("headers"); h && h->is_object()) {
        for (const auto& kv : h->get_object()) {
          if (kv.value().is_string())
            fx.headers[std::string(kv.key())] = std::string(kv.value().get_string());
        }
      }
      out.push_back(std::move(fx));
    }
  }
  return out;
}

const std::vector<Fixture>& fixtures() {
  static const std::vector<Fixture> all = load_fixtures();
  return all;
}

// The adapter a fixture folder is served by: the registered type of the same name, else the
// OpenAI-compatible adapter with that folder as its flavour (vLLM, Ollama's /v1).
std::unique_ptr<Provider> adapter_for(const Fixture& fx) {
  ProviderSettings s;
  s.name = fx.provider;
  s.api_key = "sk-conformance";
  s.raw["region"] = "us-east-1";  // providers that need no region ignore it
  s.base_url = "http://127.0.0.1:9";
  const auto& registry = builtin_providers();
  if (!fx.openai_surface() && registry.find(fx.provider) != nullptr) {
    s.type = fx.provider;
  } else {
    s.type = "openai_compatible";
    s.raw["flavor"] = fx.provider;
  }
  const ProviderFactory* factory = registry.find(s.type);
  if (factory == nullptr) return nullptr;
  auto made = (*factory)(s);
  if (!made) {
    ADD_FAILURE() << "cannot build adapter " << s.type << ": " << made.error().message;
    return nullptr;
  }
  return std::move(made).value();
}

const Dialect* dialect_for(const std::string& provider) {
  static const OpenAIDialect openai;
  static const AnthropicDialect anthropic;
  static const GeminiDialect gemini;
  if (provider == "openai") return &openai;
  if (provider == "anthropic") return &anthropic;
  if (provider == "gemini") return &gemini;
  return nullptr;
}

class FixtureConformance : public ::testing::TestWithParam<Fixture> {};

// The largest value the wire gives any of `fields` ("cache_read_input_tokens": 1200): what the
// decoded usage must carry, so the ledger bills cache reads and writes at their own prices.
std::int64_t wire_max(const std::string& body, const char* fields) {
  const std::regex re(std::string("\"(") + fields + ")\"\\s*:\\s*([0-9]+)");
  std::int64_t best = 0;
  for (auto it = std::sregex_iterator(body.begin(), body.end(), re); it != std::sregex_iterator();
       ++it) {
    best = std::max<std::int64_t>(best, std::stoll((*it)[2].str()));
  }
  return best;
}

constexpr const char* kCacheReadFields =
    "cache_read_input_tokens|cached_tokens|cachedContentTokenCount|cacheReadInputTokens";
constexpr const char* kCacheWriteFields = "cache_creation_input_tokens|cacheWriteInputTokens";

void check_cache_usage(const Usage& u, const std::string& body) {
  EXPECT_EQ(u.cache_read_tokens, wire_max(body, kCacheReadFields)) << "cache reads not captured";
  EXPECT_EQ(u.cache_write_tokens, wire_max(body, kCacheWriteFields)) << "cache writes not captured";
}

// ---- non-streamed answers -------------------------------------------------------------

void check_response(const Fixture& fx, const Provider& p, const std::string& body) {
  auto r = p.decode_response(body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->content.empty()) << "an answer with no content blocks";
  EXPECT_NE(r->finish, FinishReason::unset) << "finish reason not mapped";
  EXPECT_TRUE(r->usage.present) << "usage lost";
  EXPECT_GT(r->usage.input_tokens, 0);
  EXPECT_GT(r->usage.output_tokens, 0);
  EXPECT_LE(r->usage.cache_read_tokens + r->usage.cache_write_tokens, r->usage.input_tokens)
      << "cache tokens are a subset of input tokens";
  EXPECT_LE(r->usage.reasoning_tokens, r->usage.output_tokens);
  check_cache_usage(r->usage, body);
  int tool_uses = 0;
  for (const auto& b : r->content) {
    if (b.type != BlockType::tool_use) continue;
    ++tool_uses;
    EXPECT_FALSE(b.name.empty());
    EXPECT_FALSE(b.id.empty()) << "tool calls need an id (synthesized when the provider has none)";
    boost::system::error_code ec;
    json::value args = json::parse(b.arguments, ec);
    EXPECT_FALSE(ec) << "arguments are not JSON: " << b.arguments;
    EXPECT_TRUE(args.is_object()) << b.arguments;
  }
  if (fx.has_role_part("tools")) {
    EXPECT_GT(tool_uses, 0) << "a tools fixture decoded without tool calls";
    EXPECT_EQ(r->finish, FinishReason::tool_calls);
  }
}

// ---- streams --------------------------------------------------------------------------

struct StreamRun {
  std::vector<StreamEvent> events;
  bool failed = false;
  ErrorKind kind = ErrorKind::gateway_internal;
  RetryClass retry = RetryClass::never;
};

StreamRun run_stream(const Provider& p, const std::string& body, std::size_t piece) {
  StreamRun run;
  auto decoder = p.make_stream_decoder();
  Status st;
  for (std::size_t i = 0; i < body.size() && st.ok(); i += piece) {
    st = decoder->feed(std::string_view(body).substr(i, piece), run.events);
  }
  if (st.ok()) st = decoder->finish(run.events);
  if (!st.ok()) {
    run.failed = true;
    run.kind = st.error().kind;
    run.retry = st.error().retry;
  }
  return run;
}

std::string dump(const std::vector<StreamEvent>& events) {
  std::string out;
  for (const auto& e : events) {
    out += std::to_string(static_cast<int>(e.type)) + "|" + std::to_string(e.index) + "|" + e.id +
           "|" + e.name + "|" + e.text + "|" + std::to_string(static_cast<int>(e.finish)) + "|" +
           std::to_string(e.usage.input_tokens) + "/" + std::to_string(e.usage.output_tokens) +
           "/" + std::to_string(e.usage.cache_read_tokens) + "\n";
  }
  return out;
}

void check_stream(const Fixture& fx, const Provider& p, const std::string& body) {
  const StreamRun whole = run_stream(p, body, body.size() + 1);
  // Split invariance: any framing, any piece size, same events.
  for (std::size_t piece : {1u, 2u, 3u, 7u, 64u, 1000u}) {
    const StreamRun split = run_stream(p, body, piece);
    EXPECT_EQ(split.failed, whole.failed) << "piece " << piece;
    EXPECT_EQ(dump(split.events), dump(whole.events)) << "piece " << piece;
  }
  if (fx.has_role_part("error")) {
    EXPECT_TRUE(whole.failed) << "an in-band error decoded as success";
    EXPECT_NE(whole.retry, RetryClass::never) << "an in-band provider error should be retryable";
    return;
  }
  ASSERT_FALSE(whole.failed) << "stream failed: " << static_cast<int>(whole.kind);
  std::map<int, std::string> args;
  std::map<int, bool> started;
  bool content = false, finish = false, usage = false;
  Usage last_usage;
  for (const auto& e : whole.events) {
    switch (e.type) {
      case StreamEvent::Type::text_delta:
      case StreamEvent::Type::reasoning_delta:
        content = true;
        break;
      case StreamEvent::Type::tool_call_start:
        EXPECT_FALSE(started[e.index]) << "tool call " << e.index << " started twice";
        started[e.index] = true;
        EXPECT_FALSE(e.name.empty());
        content = true;
        break;
      case StreamEvent::Type::tool_call_delta:
        EXPECT_TRUE(started[e.index]) << "arguments before the call started";
        args[e.index] += e.text;
        break;
      case StreamEvent::Type::finish:
        finish = true;
        break;
      case StreamEvent::Type::usage:
        usage = true;
        last_usage = e.usage;
        EXPECT_TRUE(e.usage.present);
        EXPECT_GT(e.usage.input_tokens + e.usage.output_tokens, 0);
        EXPECT_LE(e.usage.cache_read_tokens + e.usage.cache_write_tokens, e.usage.input_tokens);
        break;
      default:
        break;
    }
  }
  EXPECT_TRUE(content) << "no content decoded";
  EXPECT_TRUE(finish) << "no finish event";
  EXPECT_TRUE(usage) << "streamed usage lost";
  check_cache_usage(last_usage, body);
  for (const auto& [index, text] : args) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    EXPECT_FALSE(ec) << "streamed arguments of call " << index << " do not reassemble: " << text;
    EXPECT_TRUE(v.is_object()) << text;
  }
  if (fx.has_role_part("tools")) {
    EXPECT_FALSE(started.empty()) << "no tool call in a tools stream";
  }
}

// ---- errors ---------------------------------------------------------------------------

void check_error(const Fixture& fx, const Provider& p, const std::string& body) {
  HeaderLookup lookup = [&fx](std::string_view name) -> std::string_view {
    for (const auto& [k, v] : fx.headers) {
      if (k.size() == name.size() &&
          std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        return v;
      }
    }
    return {};
  };
  const Error e = p.decode_error(fx.status, lookup, body);
  EXPECT_EQ(fault_domain(e.kind), FaultDomain::provider) << name(e.kind);
  EXPECT_EQ(e.upstream_status, fx.status);
  EXPECT_FALSE(e.message.empty());
  const int s = fx.status;
  if (s == 429) {
    EXPECT_TRUE(e.kind == ErrorKind::provider_rate_limited ||
                e.kind == ErrorKind::provider_quota_exhausted)
        << name(e.kind);
  } else if (s >= 500) {
    EXPECT_NE(e.retry, RetryClass::never) << name(e.kind) << ": a 5xx must be retryable";
  } else if (s == 401 || s == 403) {
    EXPECT_EQ(e.kind, ErrorKind::provider_auth) << name(e.kind);
  } else if (s == 404) {
    EXPECT_EQ(e.kind, ErrorKind::provider_not_found) << name(e.kind);
  } else if (s == 400) {
    // Gemini reports a bad API key as 400 INVALID_ARGUMENT.
    EXPECT_TRUE(e.kind == ErrorKind::provider_invalid_request || e.kind == ErrorKind::provider_auth)
        << name(e.kind);
  }
  if (fx.has_role_part("overloaded")) {
    EXPECT_TRUE(e.kind == ErrorKind::provider_overloaded ||
                e.kind == ErrorKind::provider_unavailable ||
                e.kind == ErrorKind::provider_server_error)
        << name(e.kind);
  }
}

// ---- requests: ingress decode → provider encode → ingress decode is stable -------------

void check_request(const Fixture& fx, const Provider& p, const std::string& body) {
  const Dialect* d = dialect_for(fx.provider);
  if (d == nullptr) return;  // no ingress speaks this format (Bedrock, Ollama native)
  IngressContext ctx;
  std::string model;
  if (fx.provider == "gemini") {
    model = "gemini-2.5-flash";
    ctx.path_model = model;
    ctx.path_stream = fx.has_role_part("stream");
  }
  auto first = d->decode_request(body, ctx);
  ASSERT_TRUE(first.ok()) << first.error().message;
  const std::string target = first->model.empty() ? "model" : first->model;
  auto encoded = p.encode(*first, target, EncodeContext{});
  ASSERT_TRUE(encoded.ok()) << encoded.error().message;
  auto second = d->decode_request(encoded->body, ctx);
  ASSERT_TRUE(second.ok()) << second.error().message << "\n" << encoded->body;
  auto again = p.encode(*second, target, EncodeContext{});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(json::parse(again->body), json::parse(encoded->body))
      << "decode/encode is not a fixed point";
}

TEST_P(FixtureConformance, BehavesLikeEveryProvider) {
  const Fixture& fx = GetParam();
  auto adapter = adapter_for(fx);
  ASSERT_NE(adapter, nullptr);
  if (fx.has_role_part("embeddings")) return;  // not a chat surface
  const fs::path dir = fs::path(GW_FIXTURES_DIR) / fx.provider;
  if (!fx.request.empty() && fs::exists(dir / fx.request)) {
    SCOPED_TRACE("request " + fx.request);
    check_request(fx, *adapter, read_file(dir / fx.request));
  }
  const std::string body = read_file(dir / fx.response);
  if (fx.status >= 400) {
    check_error(fx, *adapter, body);
  } else if (fx.kind == "json") {
    check_response(fx, *adapter, body);
  } else {
    check_stream(fx, *adapter, body);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureConformance, ::testing::ValuesIn(fixtures()),
                         [](const ::testing::TestParamInfo<Fixture>& param_info) {
                           return param_info.param.name();
                         });

}  // namespace
}  // namespace gw
