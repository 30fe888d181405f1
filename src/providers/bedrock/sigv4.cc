// SigV4 per the AWS General Reference ("Create a signed AWS API request"); checked against the
// published test suite in test/unit/bedrock/sigv4_test.cc.
#include "providers/bedrock/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>
#include <map>

namespace gw::sigv4 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string hex(const unsigned char* data, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 0xF]);
  }
  return out;
}

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Trimmed, with every run of spaces inside collapsed to one (the suite's get-header-value-trim).
std::string canonical_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  return hex(out, len);
}

std::string amz_date(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[17];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string canonical_uri(std::string_view wire_path, bool encode_again) {
  if (wire_path.empty()) return "/";
  if (!encode_again) return std::string(wire_path);
  return uri_encode(wire_path, /*keep_slash=*/true);
}

std::string canonical_query(const QueryParams& params) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params.size());
  for (const auto& [k, v] : params) encoded.emplace_back(uri_encode(k), uri_encode(v));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
  const std::string k_date = hmac("AWS4" + std::string(secret), date);
  const std::string k_region = hmac(k_date, region);
  const std::string k_service = hmac(k_region, service);
  return hmac(k_service, "aws4_request");
}

Signature sign(const CanonicalInput& input, const Credentials& credentials, const Scope& scope,
               std::string_view amz_date) {
  std::map<std::string, std::string> headers;  // sorted by lower-case name
  for (const auto& [name, value] : input.headers) {
    std::string& slot = headers[lower(name)];
    if (!slot.empty()) slot.push_back(',');
    slot += canonical_value(value);
  }
  Signature sig;
  std::string canonical_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    if (!sig.signed_headers.empty()) sig.signed_headers.push_back(';');
    sig.signed_headers += name;
  }
  sig.canonical_request = input.method + "\n" + input.canonical_uri + "\n" +
                          canonical_query(input.query) + "\n" + canonical_headers + "\n" +
                          sig.signed_headers + "\n" + input.payload_hash;

  const std::string_view date = amz_date.substr(0, 8);
  const std::string credential_scope =
      std::string(date) + "/" + scope.region + "/" + scope.service + "/aws4_request";
  sig.string_to_sign = std::string(kAlgorithm) + "\n" + std::string(amz_date) + "\n" +
                       credential_scope + "\n" + sha256_hex(sig.canonical_request);
  const std::string key =
      signing_key(credentials.secret_access_key, date, scope.region, scope.service);
  const std::string mac = hmac(key, sig.string_to_sign);
  sig.signature = hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
  sig.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                      credential_scope + ", SignedHeaders=" + sig.signed_headers +
                      ", Signature=" + sig.signature;
  return sig;
}

HeaderList sign_request(const RequestToSign& request, const Credentials& credentials,
                        const Scope& scope, std::chrono::system_clock::time_point now,
                        const SigningOptions& options) {
  const std::string date = amz_date(now);
  const std::string payload_hash = sha256_hex(request.body);
  HeaderList added;
  added.emplace_back("X-Amz-Date", date);
  if (options.content_sha256_header) added.emplace_back("X-Amz-Content-Sha256", payload_hash);
  if (!credentials.session_token.empty()) {
    added.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }

  CanonicalInput input;
  input.method = request.method;
  input.canonical_uri = canonical_uri(request.wire_path, options.encode_path_again);
  input.query = request.query;
  input.headers = request.headers;
  input.headers.emplace_back("Host", request.host);
  input.headers.insert(input.headers.end(), added.begin(), added.end());
  input.payload_hash = payload_hash;
  added.emplace_back("Authorization", sign(input, credentials, scope, date).authorization);
  return added;
}

}  // namespace gw::sigv4
