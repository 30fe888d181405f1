// AWS Signature Version 4 (HMAC-SHA256 via OpenSSL): canonical request, string to sign, signing
// key, Authorization header. sign() is the algorithm on a fully described request (what the AWS
// test suite exercises); sign_request() is what an adapter calls: it adds X-Amz-Date,
// X-Amz-Content-Sha256 and X-Amz-Security-Token and signs every header it is given plus Host.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spi/provider.h"  // HeaderList

namespace gw::sigv4 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

struct Scope {
  std::string region;   // "us-east-1"
  std::string service;  // "bedrock" (Bedrock runtime signs as "bedrock")
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;  // decoded key, value

// Everything the signature covers, already in the form the server will see.
struct CanonicalInput {
  std::string method;
  std::string canonical_uri;  // see canonical_uri()
  QueryParams query;
  HeaderList headers;        // every signed header, Host and X-Amz-Date included
  std::string payload_hash;  // lower-case hex SHA-256 of the body
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;x-amz-date"
  std::string signature;       // lower-case hex
  std::string authorization;   // the Authorization header value
};

// Lower-case hex SHA-256.
std::string sha256_hex(std::string_view data);
// "20150830T123600Z" (UTC).
std::string amz_date(std::chrono::system_clock::time_point t);
// RFC 3986 percent-encoding as SigV4 wants it: A-Z a-z 0-9 - . _ ~ kept, every other byte %XX
// (upper-case hex); '/' kept only when keep_slash.
std::string uri_encode(std::string_view text, bool keep_slash = false);
// The canonical URI of a path as it goes on the wire (already percent-encoded once). Services
// other than S3 encode each segment a second time — a model id sent as "…v1%3A0" is signed as
// "…v1%253A0" — which is what encode_again selects; S3 signs the wire path as is. An empty path
// is "/". Dot segments are not normalised (no adapter sends them).
std::string canonical_uri(std::string_view wire_path, bool encode_again = true);
// key=value pairs, each side uri_encode()d, sorted by key then value, joined with '&'.
std::string canonical_query(const QueryParams& params);
// The signing key: HMAC chain over "AWS4"+secret, date (YYYYMMDD), region, service, aws4_request.
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);

// Header names are lower-cased, values trimmed with inner runs of spaces collapsed to one, and
// repeated names joined with ','. amz_date is the X-Amz-Date value (it fixes the scope date).
Signature sign(const CanonicalInput& input, const Credentials& credentials, const Scope& scope,
               std::string_view amz_date);

struct RequestToSign {
  std::string method = "POST";
  std::string host;       // the Host header the request is sent with ("host" or "host:port")
  std::string wire_path;  // percent-encoded path, base-URL prefix included
  QueryParams query;      // decoded
  HeaderList headers;     // the headers the request carries (all signed), Host excluded
  std::string_view body;
};

struct SigningOptions {
  bool content_sha256_header = true;  // send and sign X-Amz-Content-Sha256
  bool encode_path_again = true;      // false only for S3
};

// The headers to append to the request: X-Amz-Date, X-Amz-Content-Sha256 (per options),
// X-Amz-Security-Token (when the credentials have a session token), Authorization.
HeaderList sign_request(const RequestToSign& request, const Credentials& credentials,
                        const Scope& scope, std::chrono::system_clock::time_point now,
                        const SigningOptions& options = {});

}  // namespace gw::sigv4
