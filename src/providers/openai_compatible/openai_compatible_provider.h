// Provider type "openai_compatible": servers that speak the OpenAI Chat Completions wire format
// with their own quirks (vLLM, Ollama's /v1, …). A server is data, not code: its quirks live in
// config/providers.d/<flavor>.json (embedded in the binary) and the adapter is OpenAIProvider
// built with the options that file describes. Adding such a server is adding one data file.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "providers/openai/openai_provider.h"
#include "spi/provider.h"
#include "spi/provider_settings.h"

namespace gw {

// One config/providers.d/<flavor>.json file.
struct OpenAICompatibleFlavor {
  std::string name;
  std::string description;
  OpenAIDialectOptions dialect;  // type "openai_compatible"
};

// Parses a flavor data file. Fields: name, description, chat_path, auth ("bearer" | "none"),
// default_base_url, max_tokens_field ("max_tokens" | "max_completion_tokens"), stream_usage,
// capabilities {streaming, tool_calling, parallel_tool_calls, json_mode, vision,
// usage_in_stream}, drop_fields [top-level request fields the server rejects]. Unknown fields
// are an error (a misspelt quirk must not be silently ignored).
Result<OpenAICompatibleFlavor> parse_openai_compatible_flavor(std::string_view json_text);

// The embedded config/providers.d/<flavor>.json, parsed.
Result<OpenAICompatibleFlavor> load_openai_compatible_flavor(std::string_view flavor);

// settings.raw["flavor"] names the data file; a missing or unknown flavor fails here, at config
// load. An empty settings.base_url falls back to the flavor's default_base_url.
Result<std::unique_ptr<Provider>> make_openai_compatible_provider(const ProviderSettings& settings);

}  // namespace gw
