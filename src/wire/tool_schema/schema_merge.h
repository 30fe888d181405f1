// Merging two compiled schemas that must both hold (allOf, a $ref with sibling keywords, an
// anyOf whose only non-null branch folds into its parent) into one schema.
#pragma once

#include <string>

#include <boost/json/object.hpp>

namespace gw::tool_schema {

// Merges `from` into `into`. Properties and items merge recursively, required lists are joined,
// bounds take the stricter value, enums intersect, integer ∧ number is integer, and `into` keeps
// its own title and description. Returns empty on success, else the keyword the two disagree on
// ("type", "properties/name/type", …); `into` is then partly merged and should be discarded.
std::string merge_schema(boost::json::object& into, const boost::json::object& from);

}  // namespace gw::tool_schema
