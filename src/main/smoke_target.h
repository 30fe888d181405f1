// Which live provider `smoke` talks to: per provider type, the environment variables that hold
// its credentials and address and the cheap model to try, turned into the ProviderSettings an
// adapter is built from — or the reason to skip (the variable that is missing).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "spi/provider_settings.h"

namespace gw {

struct SmokeTarget {
  ProviderSettings settings;  // name = type; base_url may be empty (the adapter's default)
  std::string model;
  std::vector<std::string> secrets;  // every credential value, to scrub from printed errors
};

struct SmokeSetup {
  std::optional<SmokeTarget> target;
  std::string skip_reason;  // when there is no target: "OPENAI_API_KEY is not set"
};

struct SmokeOverrides {
  std::string model;     // --model
  std::string base_url;  // --base-url
};

// Reads an environment variable; nullopt when unset or empty.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup process_env();

// The provider types smoke knows how to reach, in display order.
std::vector<std::string_view> smoke_provider_types();

// Builds the target for `type`. A variable the overrides make unnecessary (AZURE_OPENAI_ENDPOINT
// with --base-url, AZURE_OPENAI_DEPLOYMENT with --model, OLLAMA_HOST with --base-url) is not
// required. An unknown type is caller_invalid_request listing the known ones.
Result<SmokeSetup> smoke_setup(std::string_view type, const SmokeOverrides& overrides,
                               const EnvLookup& env);

}  // namespace gw
