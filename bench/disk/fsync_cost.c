// What one durable commit costs this machine: N times, append 8 KiB to a file and fdatasync it
// (the ledger's WAL sync), reporting wall time and the calling thread's CPU time per call; run
// with sync=0 for the write alone. bench/README.md ("What the disk costs") quotes it.
//   cc -O2 -o /tmp/fsync_cost bench/disk/fsync_cost.c && /tmp/fsync_cost /tmp/x 1000 1
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double cpu_us(void) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  return r.ru_utime.tv_sec * 1e6 + r.ru_utime.tv_usec + r.ru_stime.tv_sec * 1e6 +
         r.ru_stime.tv_usec;
}

static double wall_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s FILE COUNT SYNC(0|1)\n", argv[0]);
    return 2;
  }
  const char* path = argv[1];
  const int n = atoi(argv[2]);
  const int sync = atoi(argv[3]);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || n <= 0) {
    perror(path);
    return 1;
  }
  char buf[8192];
  memset(buf, 'x', sizeof buf);
  const double c0 = cpu_us(), t0 = wall_us();
  for (int i = 0; i < n; i++) {
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf || (sync && fdatasync(fd) != 0)) {
      perror(path);
      return 1;
    }
  }
  const double c1 = cpu_us(), t1 = wall_us();
  printf("%s sync=%d: wall %.0f us/call, cpu %.1f us/call\n", path, sync, (t1 - t0) / n,
         (c1 - c0) / n);
  close(fd);
  unlink(path);
  return 0;
}
