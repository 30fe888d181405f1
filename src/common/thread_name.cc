#include "common/thread_name.h"

#include <pthread.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace gw {

void name_this_thread(const char* name) {
  // The kernel keeps 15 bytes and a NUL; a longer name would make the call fail.
  std::string cut(name, std::min<std::size_t>(std::strlen(name), 15));
  (void)pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace gw
