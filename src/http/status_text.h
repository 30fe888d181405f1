#pragma once

#include <string_view>

namespace gw::http {

// Reason phrase for a status code ("Not Found"); "Unknown" for codes without one.
std::string_view status_text(int status);

}  // namespace gw::http
