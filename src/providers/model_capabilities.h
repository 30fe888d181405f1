// Capabilities per provider and model: the adapter's defaults with the per-model data of
// config/capabilities/models.json (embedded in the binary) applied on top. The router filters
// targets with it at request time and check-config checks personas' `requires` with it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "spi/provider.h"
#include "spi/provider_settings.h"

namespace gw {

Capabilities model_capabilities(const Provider& adapter, std::string_view model);

// Capability names, as personas' `requires` and route errors spell them.
inline constexpr std::string_view kCapabilityNames[] = {
    "streaming",   "tool_calling", "parallel_tool_calls", "json_mode",
    "json_schema", "vision",       "system_prompt",       "usage_in_stream"};

bool has_capability(const Capabilities& caps, std::string_view name);
bool is_capability_name(std::string_view name);

// "name" for each capability `caps` lacks among `needs`.
std::vector<std::string> missing_capabilities(const Capabilities& caps,
                                              const std::vector<std::string>& needs);

// Which of `needs` the `model` of a configured provider lacks, building the provider's adapter
// from the built-in registry (for ConfigLoadOptions::missing_capabilities). An adapter that cannot
// be built reports nothing missing (the config loader reports the provider itself).
std::vector<std::string> missing_capabilities_for(const ProviderSettings& settings,
                                                  const std::string& model,
                                                  const std::vector<std::string>& needs);

}  // namespace gw
