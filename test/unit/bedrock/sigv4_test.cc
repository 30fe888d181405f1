// SigV4 against AWS's published vectors. Sources:
//  - the Signature Version 4 test suite (aws-sig-v4-test-suite, formerly
//    docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html), as carried by
//    aws/aws-sdk-js-v3 packages/signature-v4/src/suite.fixture.ts @ 0574f9a135c9 (requests with
//    their expected Authorization) and awslabs/aws-c-auth
//    tests/aws-signing-test-suite/v4/get-vanilla-with-session-token @ 4ec99f28fa66;
//  - the S3 API reference example "GET Object" (sig-v4-header-based-auth.html), which also signs
//    X-Amz-Content-Sha256;
//  - the signing-key derivation example of the General Reference (secret
//    wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215, us-east-1, iam).
#include "providers/bedrock/sigv4.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace gw::sigv4 {
namespace {

const Credentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const Scope kSuiteScope{"us-east-1", "service"};
constexpr const char* kSuiteDate = "20150830T123600Z";
constexpr const char* kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kSuitePrefix =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ";

std::string hex_of(const std::string& raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
  }
  return out;
}

struct SuiteCase {
  const char* name;
  const char* method;
  const char* path;  // as the request sends it
  QueryParams query;
  HeaderList extra_headers;  // besides host and x-amz-date
  const char* body;
  const char* expected;  // after kSuitePrefix
};

std::ostream& operator<<(std::ostream& os, const SuiteCase& c) {
  return os << c.name;
}

class SigV4Suite : public testing::TestWithParam<SuiteCase> {};

TEST_P(SigV4Suite, AuthorizationMatchesThePublishedValue) {
  const SuiteCase& c = GetParam();
  CanonicalInput in;
  in.method = c.method;
  in.canonical_uri = canonical_uri(c.path);
  in.query = c.query;
  in.headers = c.extra_headers;
  in.headers.emplace_back("host", "example.amazonaws.com");
  in.headers.emplace_back("x-amz-date", kSuiteDate);
  in.payload_hash = sha256_hex(c.body);
  const Signature sig = sign(in, kSuiteCredentials, kSuiteScope, kSuiteDate);
  EXPECT_EQ(sig.authorization, std::string(kSuitePrefix) + c.expected);
}

const SuiteCase kSuite[] = {
    {"get-vanilla",
     "GET",
     "/",
     {},
     {},
     "",
     "SignedHeaders=host;x-amz-date, "
     "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"get-vanilla-query-order-key-case",
     "GET",
     "/",
     {{"Param2", "value2"}, {"Param1", "value1"}},
     {},
     "",
     "SignedHeaders=host;x-amz-date, "
     "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
    {"get-vanilla-empty-query-key",
     "GET",
     "/",
     {{"Param1", "value1"}},
     {},
     "",
     "SignedHeaders=host;x-amz-date, "
     "Signature=a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
    {"get-vanilla-query-unreserved",
     "GET",
     "/",
     {{"-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
       "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}},
     {},
     "",
     "SignedHeaders=host;x-amz-date, "
     "Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
    {"get-vanilla-utf8-query",
     "GET",
     "/",
     {{"\xE1\x88\xB4", "bar"}},
     {},
     "",
     "SignedHeaders=host;x-amz-date, "
     "Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
    {"get-unreserved",
     "GET",
     "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
     {},
     {},
     "",
     "SignedHeaders=host;x-amz-date, "
     "Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
    {"get-utf8",
     "GET",
     "/\xE1\x88\xB4",
     {},
     {},
     "",
     "SignedHeaders=host;x-amz-date, "
     "Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
    {"get-header-key-duplicate",
     "GET",
     "/",
     {},
     {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}},
     "",
     "SignedHeaders=host;my-header1;x-amz-date, "
     "Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
    {"get-header-value-order",
     "GET",
     "/",
     {},
     {{"My-Header1", "value4"},
      {"My-Header1", "value1"},
      {"My-Header1", "value3"},
      {"My-Header1", "value2"}},
     "",
     "SignedHeaders=host;my-header1;x-amz-date, "
     "Signature=08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
    {"get-header-value-trim",
     "GET",
     "/",
     {},
     {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}},
     "",
     "SignedHeaders=host;my-header1;my-header2;x-amz-date, "
     "Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
    {"post-vanilla",
     "POST",
     "/",
     {},
     {},
     "",
     "SignedHeaders=host;x-amz-date, "
     "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
    {"post-vanilla-query",
     "POST",
     "/",
     {{"Param1", "value1"}},
     {},
     "",
     "SignedHeaders=host;x-amz-date, "
     "Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
    {"post-vanilla-query-nonunreserved",
     "POST",
     "/",
     {{"@#$%^", ""}, {"+", "/,?><`\";:\\|][{}"}},
     {},
     "",
     "SignedHeaders=host;x-amz-date, "
     "Signature=66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e"},
    {"post-vanilla-query-space",
     "POST",
     "/",
     {{"p", ""}},
     {},
     "",
     "SignedHeaders=host;x-amz-date, "
     "Signature=e71688addb58a26418614085fb730ba3faa623b461c17f48f2fbdb9361b94a9b"},
    {"post-header-key-sort",
     "POST",
     "/",
     {},
     {{"My-Header1", "value1"}},
     "",
     "SignedHeaders=host;my-header1;x-amz-date, "
     "Signature=c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
    {"post-header-value-case",
     "POST",
     "/",
     {},
     {{"My-Header1", "VALUE1"}},
     "",
     "SignedHeaders=host;my-header1;x-amz-date, "
     "Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
    {"post-x-www-form-urlencoded",
     "POST",
     "/",
     {},
     {{"Content-Type", "application/x-www-form-urlencoded"}},
     "Param1=value1",
     "SignedHeaders=content-type;host;x-amz-date, "
     "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
    {"post-x-www-form-urlencoded-parameters",
     "POST",
     "/",
     {},
     {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}},
     "Param1=value1",
     "SignedHeaders=content-type;host;x-amz-date, "
     "Signature=1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"},
};

INSTANTIATE_TEST_SUITE_P(AwsTestSuite, SigV4Suite, testing::ValuesIn(kSuite),
                         [](const testing::TestParamInfo<SuiteCase>& info) {
                           std::string n = info.param.name;
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

TEST(SigV4, GetVanillaIntermediateSteps) {
  CanonicalInput in;
  in.method = "GET";
  in.canonical_uri = canonical_uri("/");
  in.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kSuiteDate}};
  in.payload_hash = sha256_hex("");
  const Signature sig = sign(in, kSuiteCredentials, kSuiteScope, kSuiteDate);
  // get-vanilla.creq and get-vanilla.sts of the suite.
  EXPECT_EQ(sig.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-"
            "date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sig.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(sig.signed_headers, "host;x-amz-date");
}

TEST(SigV4, SigningKeyDerivationExample) {
  EXPECT_EQ(hex_of(signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1",
                               "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(SigV4, SessionTokenIsSentAndSigned) {
  // aws-c-auth get-vanilla-with-session-token: the token header is part of SignedHeaders.
  RequestToSign req;
  req.method = "GET";
  req.host = "example.amazonaws.com";
  req.wire_path = "/";
  Credentials creds = kSuiteCredentials;
  creds.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
  const auto now = std::chrono::system_clock::from_time_t(1440938160);  // 2015-08-30T12:36:00Z
  const HeaderList added =
      sign_request(req, creds, kSuiteScope, now, {.content_sha256_header = false});
  const HeaderList expected = {
      {"X-Amz-Date", kSuiteDate},
      {"X-Amz-Security-Token", creds.session_token},
      {"Authorization",
       std::string(kSuitePrefix) +
           "SignedHeaders=host;x-amz-date;x-amz-security-token, "
           "Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"}};
  EXPECT_EQ(added, expected);
}

TEST(SigV4, S3GetObjectExampleWithContentSha256) {
  RequestToSign req;
  req.method = "GET";
  req.host = "examplebucket.s3.amazonaws.com";
  req.wire_path = "/test.txt";
  req.headers = {{"Range", "bytes=0-9"}};
  const Credentials creds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  const auto now = std::chrono::system_clock::from_time_t(1369353600);  // 2013-05-24T00:00:00Z
  const HeaderList added =
      sign_request(req, creds, {"us-east-1", "s3"}, now, {.encode_path_again = false});
  ASSERT_EQ(added.size(), 3u);
  EXPECT_EQ(added[0], (std::pair<std::string, std::string>{"X-Amz-Date", "20130524T000000Z"}));
  EXPECT_EQ(added[1], (std::pair<std::string, std::string>{"X-Amz-Content-Sha256", kEmptySha256}));
  EXPECT_EQ(added[2].second,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, CanonicalUriEncodesEachSegmentAgain) {
  EXPECT_EQ(canonical_uri("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"),
            "/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse");
  EXPECT_EQ(canonical_uri("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", false),
            "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
  EXPECT_EQ(canonical_uri(""), "/");
  EXPECT_EQ(canonical_uri("/a b"), "/a%20b");
}

TEST(SigV4, UriEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(uri_encode("arn:aws:bedrock:us-east-1:1:inference-profile/x"),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fx");
  EXPECT_EQ(uri_encode("a/b", true), "a/b");
  EXPECT_EQ(uri_encode("-._~"), "-._~");
  EXPECT_EQ(uri_encode("\xE1\x88\xB4"), "%E1%88%B4");
}

TEST(SigV4, AmzDateIsUtcBasicFormat) {
  EXPECT_EQ(amz_date(std::chrono::system_clock::from_time_t(1440938160)), "20150830T123600Z");
}

TEST(SigV4, AnyChangeChangesTheSignature) {
  RequestToSign req;
  req.host = "bedrock-runtime.us-east-1.amazonaws.com";
  req.wire_path = "/model/m/converse";
  req.headers = {{"Content-Type", "application/json"}};
  req.body = "{}";
  const auto now = std::chrono::system_clock::from_time_t(1440938160);
  const Scope scope{"us-east-1", "bedrock"};
  const std::string base = sign_request(req, kSuiteCredentials, scope, now).back().second;
  RequestToSign other = req;
  other.body = "{ }";
  EXPECT_NE(sign_request(other, kSuiteCredentials, scope, now).back().second, base);
  other = req;
  other.wire_path = "/model/n/converse";
  EXPECT_NE(sign_request(other, kSuiteCredentials, scope, now).back().second, base);
  EXPECT_NE(sign_request(req, kSuiteCredentials, {"eu-west-1", "bedrock"}, now).back().second,
            base);
  EXPECT_NE(
      sign_request(req, kSuiteCredentials, scope, now + std::chrono::seconds(1)).back().second,
      base);
}

}  // namespace
}  // namespace gw::sigv4
