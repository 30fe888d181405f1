// BedrockProvider: configuration checks, the encoded upstream request (path, headers, body) and a
// SigV4 Authorization that verifies when recomputed from what is actually sent; API-key auth;
// error and response decoding through the Provider interface.
#include "providers/bedrock/bedrock_provider.h"

#include <gtest/gtest.h>

#include <map>

#include "bedrock_test_support.h"
#include "providers/bedrock/sigv4.h"

namespace gw {
namespace {

namespace json = boost::json;
using bedrock_test::fixture;

constexpr const char* kModel = "anthropic.claude-3-haiku-20240307-v1:0";
const auto kNow = std::chrono::system_clock::from_time_t(1440938160);  // 2015-08-30T12:36:00Z

ProviderSettings settings(json::object raw, std::string base_url = "") {
  ProviderSettings s;
  s.name = "aws";
  s.type = "bedrock";
  s.base_url = std::move(base_url);
  raw["type"] = "bedrock";
  s.raw = std::move(raw);
  if (const json::value* key = s.raw.if_contains("api_key")) s.api_key = key->as_string();
  return s;
}

json::object sigv4_config() {
  return {{"region", "us-east-1"},
          {"access_key_id", "AKIDEXAMPLE"},
          {"secret_access_key", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}};
}

std::unique_ptr<Provider> make(const ProviderSettings& s) {
  Result<std::unique_ptr<Provider>> p = make_bedrock_provider(s);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  return p.ok() ? std::move(p).value() : nullptr;
}

ChatRequest hello(bool stream = false) {
  ChatRequest r;
  r.model = "aws/haiku";
  r.system.push_back(ContentBlock::make_text("You are a chatbot."));
  Message m;
  m.content.push_back(ContentBlock::make_text("Hello!"));
  r.messages.push_back(std::move(m));
  r.stream = stream;
  return r;
}

UpstreamRequest encode(const Provider& p, const ChatRequest& r) {
  Result<UpstreamRequest> req = p.encode(r, kModel, EncodeContext{"req-1", kNow});
  EXPECT_TRUE(req.ok()) << (req.ok() ? "" : req.error().message);
  return req.ok() ? req.value() : UpstreamRequest{};
}

std::map<std::string, std::string> header_map(const HeaderList& headers) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : headers) {
    std::string lower = k;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(out.count(lower), 0u) << "duplicate header " << k;
    out[lower] = v;
  }
  return out;
}

// What a server does: rebuild the canonical request from the received request (Host header,
// path as sent, the headers named in SignedHeaders) and compare signatures.
std::string recomputed_authorization(const UpstreamRequest& req, const std::string& host,
                                     const std::string& prefix, const sigv4::Credentials& creds) {
  const auto h = header_map(req.headers);
  const std::string auth = h.at("authorization");
  const std::size_t sh = auth.find("SignedHeaders=") + 14;
  const std::string signed_list = auth.substr(sh, auth.find(',', sh) - sh);
  sigv4::CanonicalInput in;
  in.method = req.method;
  in.canonical_uri = sigv4::canonical_uri(prefix + req.path);
  std::size_t from = 0;
  while (from <= signed_list.size()) {
    const std::size_t semi = std::min(signed_list.find(';', from), signed_list.size());
    const std::string name = signed_list.substr(from, semi - from);
    in.headers.emplace_back(name, name == "host" ? host : h.at(name));
    from = semi + 1;
  }
  in.payload_hash = sigv4::sha256_hex(req.body);
  return sigv4::sign(in, creds, {"us-east-1", "bedrock"}, h.at("x-amz-date")).authorization;
}

TEST(BedrockProviderConfig, RegionIsRequiredAndChecked) {
  json::object no_region = sigv4_config();
  no_region.erase("region");
  Result<std::unique_ptr<Provider>> p = make_bedrock_provider(settings(no_region));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, "invalid_provider_config");
  EXPECT_NE(p.error().message.find("region"), std::string::npos);

  json::object bad_region = sigv4_config();
  bad_region["region"] = "us east 1";
  EXPECT_FALSE(make_bedrock_provider(settings(bad_region)).ok());
  bad_region["region"] = 5;
  EXPECT_FALSE(make_bedrock_provider(settings(bad_region)).ok());
}

TEST(BedrockProviderConfig, CredentialsMustBeComplete) {
  json::object half = sigv4_config();
  half.erase("secret_access_key");
  EXPECT_FALSE(make_bedrock_provider(settings(half)).ok());

  json::object none{{"region", "us-east-1"}};
  Result<std::unique_ptr<Provider>> p = make_bedrock_provider(settings(none));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("api_key"), std::string::npos);

  json::object both = sigv4_config();
  both["api_key"] = "bedrock-api-key";
  EXPECT_FALSE(make_bedrock_provider(settings(both)).ok());

  EXPECT_TRUE(make_bedrock_provider(settings({{"region", "eu-west-3"}, {"api_key", "k"}})).ok());
}

TEST(BedrockProviderConfig, BadBaseUrl) {
  EXPECT_FALSE(make_bedrock_provider(settings(sigv4_config(), "ftp://x")).ok());
  EXPECT_FALSE(make_bedrock_provider(settings(sigv4_config(), "http://:80")).ok());
  EXPECT_FALSE(make_bedrock_provider(settings(sigv4_config(), "http://h:8o")).ok());
}

TEST(BedrockProviderConfig, UnresolvedCredentialFailsAtEncode) {
  json::object raw{{"region", "us-east-1"}, {"access_key_id", "AKIDEXAMPLE"}};
  ProviderSettings s = settings(raw);
  s.credential_missing = true;  // the loader removed secret_access_key
  s.credential_problem = "env AWS_SECRET_ACCESS_KEY is not set";
  std::unique_ptr<Provider> p = make(s);
  ASSERT_TRUE(p);
  Result<UpstreamRequest> req = p->encode(hello(), kModel, EncodeContext{"r", kNow});
  ASSERT_FALSE(req.ok());
  EXPECT_EQ(req.error().kind, ErrorKind::provider_auth);
  EXPECT_EQ(req.error().code, "credential_unavailable");
  EXPECT_NE(req.error().message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST(BedrockProvider, TypeCapabilitiesAndDefaultBaseUrl) {
  std::unique_ptr<Provider> p = make(settings(sigv4_config()));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type(), "bedrock");
  EXPECT_EQ(p->default_base_url(), "https://bedrock-runtime.us-east-1.amazonaws.com");
  const Capabilities& c = p->capabilities();
  EXPECT_TRUE(c.streaming && c.tool_calling && c.parallel_tool_calls && c.vision &&
              c.system_prompt && c.usage_in_stream);
  EXPECT_FALSE(c.json_mode);
  EXPECT_FALSE(c.json_schema);
  EXPECT_EQ(c.tools.schema, ToolRules::Schema::json_schema);
  EXPECT_EQ(c.tools.max_name_length, 64u);
  EXPECT_EQ(c.tools.name_extra_chars, "_-");
}

TEST(BedrockProvider, EncodesPathHeadersAndBody) {
  std::unique_ptr<Provider> p = make(settings(sigv4_config()));
  ASSERT_TRUE(p);
  const UpstreamRequest req = encode(*p, hello());
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path, "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
  EXPECT_FALSE(req.stream);
  const auto h = header_map(req.headers);
  EXPECT_EQ(h.at("content-type"), "application/json");
  EXPECT_EQ(h.at("accept"), "application/json");
  EXPECT_EQ(h.at("x-amz-date"), "20150830T123600Z");
  EXPECT_EQ(h.at("x-amz-content-sha256"), sigv4::sha256_hex(req.body));
  EXPECT_EQ(h.count("x-amz-security-token"), 0u);
  EXPECT_EQ(h.count("x-request-id"), 0u);  // the HTTP client adds it
  EXPECT_EQ(h.count("host"), 0u);          // the HTTP client writes Host
  EXPECT_TRUE(bedrock_test::json_equivalent(json::parse(req.body),
                                            bedrock_test::fixture_json("converse.request.json")));
  EXPECT_EQ(h.at("authorization")
                .rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"
                       "us-east-1/bedrock/aws4_request, SignedHeaders=accept;"
                       "content-type;host;x-amz-content-sha256;x-amz-date, "
                       "Signature=",
                       0),
            0u)
      << h.at("authorization");
}

TEST(BedrockProvider, AuthorizationVerifiesWhenRecomputed) {
  std::unique_ptr<Provider> p = make(settings(sigv4_config()));
  ASSERT_TRUE(p);
  const UpstreamRequest req = encode(*p, hello());
  const sigv4::Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  EXPECT_EQ(header_map(req.headers).at("authorization"),
            recomputed_authorization(req, "bedrock-runtime.us-east-1.amazonaws.com", "", creds));
  // A server holding a different secret, or seeing a different body, disagrees.
  const sigv4::Credentials wrong{"AKIDEXAMPLE", "other", ""};
  EXPECT_NE(header_map(req.headers).at("authorization"),
            recomputed_authorization(req, "bedrock-runtime.us-east-1.amazonaws.com", "", wrong));
  UpstreamRequest tampered = req;
  tampered.body += " ";
  EXPECT_NE(
      header_map(req.headers).at("authorization"),
      recomputed_authorization(tampered, "bedrock-runtime.us-east-1.amazonaws.com", "", creds));
}

TEST(BedrockProvider, StreamingSessionTokenAndCustomBaseUrl) {
  json::object raw = sigv4_config();
  raw["session_token"] = "FwoGZXIvYXdzEXAMPLE";
  std::unique_ptr<Provider> p = make(settings(raw, "http://127.0.0.1:8080/bedrock"));
  ASSERT_TRUE(p);
  const UpstreamRequest req = encode(*p, hello(true));
  EXPECT_TRUE(req.stream);
  EXPECT_EQ(req.path, "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream");
  const auto h = header_map(req.headers);
  EXPECT_EQ(h.at("accept"), "application/vnd.amazon.eventstream");
  EXPECT_EQ(h.at("x-amz-security-token"), "FwoGZXIvYXdzEXAMPLE");
  EXPECT_NE(h.at("authorization").find("x-amz-security-token"), std::string::npos);
  const sigv4::Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                 "FwoGZXIvYXdzEXAMPLE"};
  // Signed for the Host the client sends (port kept) and the full path (prefix included).
  EXPECT_EQ(h.at("authorization"),
            recomputed_authorization(req, "127.0.0.1:8080", "/bedrock", creds));
  EXPECT_NE(h.at("authorization"), recomputed_authorization(req, "127.0.0.1:8080", "", creds));
}

TEST(BedrockProvider, DefaultPortsAreNotPartOfTheHost) {
  json::object raw = sigv4_config();
  std::unique_ptr<Provider> p = make(settings(raw, "https://bedrock.example.com:443/"));
  ASSERT_TRUE(p);
  const UpstreamRequest req = encode(*p, hello());
  const sigv4::Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  EXPECT_EQ(header_map(req.headers).at("authorization"),
            recomputed_authorization(req, "bedrock.example.com", "", creds));
}

TEST(BedrockProvider, ArnModelIdsStayOneSegment) {
  std::unique_ptr<Provider> p = make(settings(sigv4_config()));
  ASSERT_TRUE(p);
  Result<UpstreamRequest> req = p->encode(
      hello(), "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude",
      EncodeContext{"r", kNow});
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->path,
            "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus."
            "anthropic.claude/converse");
}

TEST(BedrockProvider, ApiKeyUsesBearerAndNoSignature) {
  std::unique_ptr<Provider> p = make(settings({{"region", "us-west-2"}, {"api_key", "ABSK-key"}}));
  ASSERT_TRUE(p);
  const auto h = header_map(encode(*p, hello()).headers);
  EXPECT_EQ(h.at("authorization"), "Bearer ABSK-key");
  EXPECT_EQ(h.count("x-amz-date"), 0u);
  EXPECT_EQ(p->default_base_url(), "https://bedrock-runtime.us-west-2.amazonaws.com");
}

TEST(BedrockProvider, EncodeErrorsPropagate) {
  std::unique_ptr<Provider> p = make(settings(sigv4_config()));
  ASSERT_TRUE(p);
  ChatRequest r = hello();
  ContentBlock img;
  img.type = BlockType::image;
  img.url = "https://example.com/x.png";
  r.messages[0].content.push_back(img);
  Result<UpstreamRequest> req = p->encode(r, kModel, EncodeContext{"r", kNow});
  ASSERT_FALSE(req.ok());
  EXPECT_EQ(req.error().kind, ErrorKind::provider_invalid_request);
}

TEST(BedrockProvider, DecodesErrorsWithTheManifestHeaders) {
  std::unique_ptr<Provider> p = make(settings(sigv4_config()));
  ASSERT_TRUE(p);
  for (const char* id : {"error-429", "error-400"}) {
    const json::object entry = bedrock_test::manifest_entry(id);
    const json::object& headers = entry.at("headers").as_object();
    const HeaderLookup lookup = [&headers](std::string_view name) -> std::string_view {
      const json::value* v = headers.if_contains(name);
      return v ? std::string_view(v->as_string()) : std::string_view();
    };
    const int status = static_cast<int>(entry.at("status").as_int64());
    const Error e =
        p->decode_error(status, lookup, fixture(std::string(entry.at("response").as_string())));
    EXPECT_EQ(e.kind, status == 429 ? ErrorKind::provider_rate_limited
                                    : ErrorKind::provider_invalid_request)
        << id;
    EXPECT_EQ(e.upstream_status, status);
  }
  const Error no_headers = p->decode_error(503, nullptr, "");
  EXPECT_EQ(no_headers.kind, ErrorKind::provider_unavailable);
}

TEST(BedrockProvider, DecodesResponsesAndStreams) {
  std::unique_ptr<Provider> p = make(settings(sigv4_config()));
  ASSERT_TRUE(p);
  Result<ChatResponse> r = p->decode_response(fixture("converse.response.json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->usage.output_tokens, 30);
  std::unique_ptr<StreamDecoder> d = p->make_stream_decoder();
  const bedrock_test::StreamResult s =
      bedrock_test::decode_stream(*d, fixture("converse-stream.eventstream"));
  ASSERT_FALSE(s.error);
  EXPECT_EQ(s.events.back().usage.output_tokens, 82);
}

}  // namespace
}  // namespace gw
