// The provider registry and the one place that lists the built-in adapters.
#include "providers/registry.h"

#include "providers/anthropic/anthropic_provider.h"
#include "providers/azure/azure_provider.h"
#include "providers/bedrock/bedrock_provider.h"
#include "providers/gemini/gemini_provider.h"
#include "providers/ollama/ollama_provider.h"
#include "providers/openai/openai_provider.h"
#include "providers/openai_compatible/openai_compatible_provider.h"

namespace gw {

void ProviderRegistry::add(std::string type, ProviderFactory factory) {
  factories_[std::move(type)] = std::move(factory);
}

const ProviderFactory* ProviderRegistry::find(const std::string& type) const {
  auto it = factories_.find(type);
  return it == factories_.end() ? nullptr : &it->second;
}

std::vector<std::string> ProviderRegistry::types() const {
  std::vector<std::string> out;
  out.reserve(factories_.size());
  for (const auto& kv : factories_) out.push_back(kv.first);
  return out;
}

void register_all_providers(ProviderRegistry& registry) {
  registry.add("openai", make_openai_provider);
  registry.add("mock", make_mock_provider);
  registry.add("openai_compatible", make_openai_compatible_provider);
  registry.add("azure_openai", make_azure_openai_provider);
  registry.add("anthropic", make_anthropic_provider);
  registry.add("gemini", make_gemini_provider);
  registry.add("bedrock", make_bedrock_provider);
  registry.add("ollama", make_ollama_provider);
}

const ProviderRegistry& builtin_providers() {
  static const ProviderRegistry registry = [] {
    ProviderRegistry r;
    register_all_providers(r);
    return r;
  }();
  return registry;
}

}  // namespace gw
