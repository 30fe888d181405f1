// Shared test servers and helpers (see test_servers.h).
#include "support/test_servers.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <optional>

namespace gw::test {
namespace {

const std::string kScript = std::string(GW_SOURCE_DIR) + "/scripts/pg.sh";

}  // namespace

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::optional<std::string> run_command(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  if (::pclose(pipe) != 0) return std::nullopt;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

namespace {

struct Server {
  std::string url;
  std::string cluster_dir;  // set when this process started the cluster
  std::string error;
  bool tried = false;
};

Server& server() {
  static Server s;
  return s;
}

void start(Server& s) {
  if (const char* url = std::getenv("GW_TEST_PG_URL"); url != nullptr && *url != '\0') {
    s.url = url;
    return;
  }
  char dir[] = "/tmp/ep-unit-pg-XXXXXX";
  if (::mkdtemp(dir) == nullptr) {
    s.error = "mkdtemp failed";
    return;
  }
  for (int tries = 0; tries < 3 && s.url.empty(); ++tries) {
    auto url = run_command(kScript + " start " + dir + " " + std::to_string(free_port()));
    if (url && url->starts_with("postgresql://")) {
      s.url = *url;
      s.cluster_dir = dir;
    } else {
      (void)run_command(kScript + " stop " + dir + " 2>&1");
      ::mkdir(dir, 0700);
    }
  }
  if (s.url.empty()) s.error = "scripts/pg.sh start failed (see its stderr above)";
}

// Stops the cluster this process started, once every test has run.
class StopCluster : public ::testing::Environment {
 public:
  void TearDown() override {
    Server& s = server();
    if (!s.cluster_dir.empty()) (void)run_command(kScript + " stop " + s.cluster_dir);
    s = Server{};
  }
};

[[maybe_unused]] ::testing::Environment* const kStopCluster =
    ::testing::AddGlobalTestEnvironment(new StopCluster);

}  // namespace

std::string pg_server_url(std::string* error) {
  Server& s = server();
  if (!s.tried) {
    s.tried = true;
    start(s);
  }
  if (error != nullptr) *error = s.error;
  return s.url;
}

}  // namespace gw::test
