// `execution-platform providers [--markdown]`: every registered adapter type (and each
// openai_compatible flavor as its own row) with its default capabilities, as JSON or as the
// "## Adapter capabilities" markdown table the conformance suite appends to
// docs/PROVIDER_PARITY_MATRIX.md.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "common/result.h"
#include "providers/registry.h"
#include "spi/provider.h"

namespace gw {

struct AdapterRow {
  std::string label;   // "openai", "openai_compatible (vllm)"
  std::string type;    // registered type
  std::string flavor;  // openai_compatible only
  Capabilities capabilities;
};

// One row per registered type, built from minimal settings (bedrock gets a region,
// openai_compatible one row per embedded config/providers.d flavor). An adapter that cannot be
// built is an error naming it.
Result<std::vector<AdapterRow>> adapter_rows(const ProviderRegistry& registry);

std::string adapters_json(const std::vector<AdapterRow>& rows);
std::string adapters_markdown(const std::vector<AdapterRow>& rows);

int providers_command(bool markdown, std::ostream& out, std::ostream& err);

}  // namespace gw
