// Provider adapters register by type name; adding a provider is its own folder plus one line in
// register_all_providers() (registry.cc). No static constructors the linker could drop.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "spi/provider.h"
#include "spi/provider_settings.h"

namespace gw {

using ProviderFactory = std::function<Result<std::unique_ptr<Provider>>(const ProviderSettings&)>;

class ProviderRegistry {
 public:
  void add(std::string type, ProviderFactory factory);
  const ProviderFactory* find(const std::string& type) const;
  std::vector<std::string> types() const;

 private:
  std::map<std::string, ProviderFactory> factories_;
};

void register_all_providers(ProviderRegistry& registry);

// The registry with every built-in provider, built once.
const ProviderRegistry& builtin_providers();

}  // namespace gw
