// Validates a config document against config/schema/gateway.schema.json (embedded in the
// binary) with valijson, and turns each valijson error into a ConfigProblem with a JSON pointer
// and a message a person can act on.
#pragma once

#include <vector>

#include <boost/json/value.hpp>

#include "config/config.h"

namespace gw::config {

// Every schema violation in the document; empty when it conforms.
std::vector<ConfigProblem> validate_against_schema(const boost::json::value& document);

}  // namespace gw::config
