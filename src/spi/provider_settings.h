// A provider instance's settings as the config gives them, with secrets already resolved.
// Lives in spi/ so adapters can read it without depending on the config module.
#pragma once

#include <chrono>
#include <string>

#include <boost/json/object.hpp>

namespace gw {

struct UpstreamTimeouts {
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds first_byte{60000};
  std::chrono::milliseconds idle{120000};  // between data-bearing reads
  std::chrono::milliseconds total{600000};
};

struct ProviderSettings {
  std::string name;                 // instance name in the config ("openai", "local_vllm")
  std::string type;                 // registered adapter type ("openai", "openai_compatible")
  std::string base_url;             // origin plus optional path prefix
  std::string api_key;              // resolved secret; empty when the provider needs none
  bool credential_missing = false;  // the secret reference could not be resolved
  std::string credential_problem;   // why, without the secret ("env OPENAI_API_KEY is not set")
  UpstreamTimeouts timeouts;
  boost::json::object raw;  // the provider's whole config object, for type-specific fields
};

}  // namespace gw
