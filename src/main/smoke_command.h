// `execution-platform smoke --provider NAME`: a short live check of a real provider whose
// credentials are in the environment (skipped, exit 0, when they are not). Exit 0 when every
// call passed, 1 when one failed (its typed error printed, secrets scrubbed), 2 on usage errors.
#pragma once

#include <ostream>
#include <string>

#include "main/smoke_target.h"

namespace gw {

struct SmokeOptions {
  std::string
      provider;       // a provider type: openai, anthropic, gemini, azure_openai, bedrock, ollama
  std::string model;  // overrides the type's default model
  std::string base_url;  // overrides the base URL (tests point it at the mock provider)
  int rounds = 3;
};

int smoke_command(const SmokeOptions& options, const EnvLookup& env, std::ostream& out,
                  std::ostream& err);

}  // namespace gw
