// `defaults` and persona `extends`: a persona's effective fields are
//   defaults ← extended persona (recursively, with its own extends) ← the persona itself,
// where objects (budget, routes) merge key by key and arrays and scalars replace.
// Each merged value remembers where in the document it came from, so a problem found in an
// inherited value points at the line that wrote it.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "config/config.h"

namespace gw::config {

struct MergedPersona {
  std::string pointer;         // the persona's own pointer ("/personas/backend_dev")
  boost::json::object fields;  // without "extends"
  // Relative pointer inside `fields` ("/fallback", "/budget/daily_usd") → absolute pointer of
  // the document value it was taken from.
  std::map<std::string, std::string> origins;

  // The document pointer of the value at `relative` (e.g. "/fallback/1").
  std::string pointer_of(std::string_view relative) const;
};

struct PersonaMerge {
  // Personas whose extends chain resolved; a persona with an unknown or cyclic extends is absent.
  std::map<std::string, MergedPersona> personas;
  std::vector<ConfigProblem> problems;
};

// defaults and personas may be null (absent or not objects: the schema reports that).
PersonaMerge merge_personas(const boost::json::object* defaults,
                            const boost::json::object* personas);

// Merges `source` (found at document pointer `source_pointer`) over `target`.
void merge_over(MergedPersona& target, const boost::json::object& source,
                const std::string& source_pointer);

}  // namespace gw::config
