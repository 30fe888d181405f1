// Secret references in the config: "env:NAME", "file:PATH", "vault:PATH#FIELD",
// "aws-sm:NAME#FIELD", or (local demos only) a plaintext value. Resolution never puts the
// secret into a message.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace gw::config {

enum class SecretOutcome {
  resolved,    // value holds the secret
  unresolved,  // a well-formed reference whose target is absent (unset variable, missing file)
  refused,     // not acceptable at all (plaintext without local_demo, unknown store, malformed)
};

struct SecretResolution {
  SecretOutcome outcome = SecretOutcome::refused;
  std::string value;       // the secret; only when resolved
  std::string problem;     // why it is not resolved; never contains the secret
  bool plaintext = false;  // the config held the secret itself
};

struct SecretContext {
  std::function<std::optional<std::string>(const std::string&)> getenv;
  std::string base_dir;  // relative file: paths start here ("" = working directory)
  bool allow_plaintext = false;
};

SecretResolution resolve_secret(std::string_view reference, const SecretContext& context);

}  // namespace gw::config
