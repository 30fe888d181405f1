// Boost.JSON's implementation compiled into the fuzz target itself, with the fuzzer's coverage
// instrumentation: linked from the prebuilt libboost_json the parser would be opaque to libFuzzer,
// which could then only mutate blindly. Same Boost 1.81 sources as the gateway links.
#include <boost/json/src.hpp>
