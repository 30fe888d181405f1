// DD-02 power-loss simulation (RELIABILITY.md DD-02, docs/adr/0009-ledger-durability-dd02.md).
//
// An LD_PRELOAD library that keeps every write to a file whose path contains $DD02_MATCH in an
// in-memory overlay — this process's stand-in for the kernel page cache — instead of the file.
// Only fsync/fdatasync on that file applies its overlay to the real file (then really syncs it).
// SIGKILL the process and the overlay vanishes: the disk holds exactly what was synced, as after
// a power cut. The process itself sees its own writes: reads, fstat/stat sizes, ftruncate and
// lseek(SEEK_END) go through the overlay. Closing a file keeps its overlay (unsynced data is still
// only "in the page cache"); overlays are keyed by (device, inode), so a reopen finds it.
//
// Covered: the file calls libsqlite3 3.40 imports (`nm -D --undefined-only libsqlite3.so.0`, and
// `strace -f` of the driver: openat, pread64, pwrite64, fdatasync, ftruncate, newfstatat,
// unlink) — open64, pread64, pwrite64, ftruncate64, fdatasync, fstat64, stat64, lstat64, unlink,
// close, read, write — plus their plain and *at variants, writev, lseek, fsync and dup/dup2/dup3
// (shells and dd dup2 a file onto stdout). Not covered: mmap (SQLite's mmap_size is 0 here; the
// driver checks), fcntl(F_DUPFD) and pwritev.
//
// Files ending in "-shm" are never overlaid: SQLite mmaps them, and the WAL index they hold is
// rebuilt from the WAL by the first connection after a crash.
//
// Simplifications: creating, renaming and unlinking a file take effect at once (directory
// metadata is treated as synced). A sync writes the overlay block by block in hash order, so a
// kill during a sync leaves some of its blocks on disk and not others, as a power cut during
// writeback can; a sync that returned is complete.
// DD02_TRACE=1 logs every sync to stderr.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum { kBlockSize = 4096, kBuckets = 1024, kMaxFd = 8192 };

// --- the real functions ------------------------------------------------------------------------

static void* next_symbol(const char* name) {
  void* p = dlsym(RTLD_NEXT, name);
  if (p == NULL) {
    fprintf(stderr, "dd02 shim: dlsym(%s) failed\n", name);
    abort();
  }
  return p;
}

// REAL(name) is the next definition of `name` (libasan's interceptor or libc's).
#define REAL(name)                                               \
  ({                                                             \
    static __typeof__(&name) real_##name##_ptr = NULL;           \
    if (real_##name##_ptr == NULL) {                             \
      real_##name##_ptr = (__typeof__(&name))next_symbol(#name); \
    }                                                            \
    real_##name##_ptr;                                           \
  })

// --- the overlay ------------------------------------------------------------------------------

struct block {
  off_t index;  // offset / kBlockSize
  struct block* next;
  unsigned char data[kBlockSize];  // the whole block as the process sees it
};

struct file {
  dev_t dev;
  ino_t ino;
  off_t size;        // the size the process sees
  off_t real_valid;  // bytes of the real file still current (below every truncation since sync)
  struct block* buckets[kBuckets];
  size_t blocks;
  struct file* next;
  char path[256];
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct file* g_files = NULL;
static struct file* g_fd[kMaxFd];
static const char* g_match = NULL;
static int g_match_read = 0;
static int g_trace = 0;

static const char* match_pattern(void) {
  if (!g_match_read) {
    g_match = getenv("DD02_MATCH");
    if (g_match != NULL && g_match[0] == '\0') g_match = NULL;
    const char* trace = getenv("DD02_TRACE");
    g_trace = trace != NULL && trace[0] == '1';
    g_match_read = 1;
  }
  return g_match;
}

static int path_matches(const char* path) {
  const char* pattern = match_pattern();
  if (pattern == NULL || path == NULL || strstr(path, pattern) == NULL) return 0;
  size_t n = strlen(path);
  return !(n >= 4 && strcmp(path + n - 4, "-shm") == 0);
}

static struct file* find_file(dev_t dev, ino_t ino) {
  for (struct file* f = g_files; f != NULL; f = f->next) {
    if (f->dev == dev && f->ino == ino) return f;
  }
  return NULL;
}

static struct file* tracked(int fd) {
  return fd >= 0 && fd < kMaxFd ? g_fd[fd] : NULL;
}

static void free_blocks(struct file* f) {
  for (int b = 0; b < kBuckets; ++b) {
    struct block* blk = f->buckets[b];
    while (blk != NULL) {
      struct block* next = blk->next;
      free(blk);
      blk = next;
    }
    f->buckets[b] = NULL;
  }
  f->blocks = 0;
}

static struct block* find_block(struct file* f, off_t index) {
  for (struct block* b = f->buckets[index % kBuckets]; b != NULL; b = b->next) {
    if (b->index == index) return b;
  }
  return NULL;
}

// Reads real bytes [off, off+n) that are still current; zeros for the rest.
static void read_real(int fd, struct file* f, unsigned char* out, off_t off, size_t n) {
  memset(out, 0, n);
  if (off >= f->real_valid) return;
  size_t want = (size_t)(f->real_valid - off) < n ? (size_t)(f->real_valid - off) : n;
  size_t got = 0;
  while (got < want) {
    ssize_t r = REAL(pread64)(fd, out + got, want - got, off + (off_t)got);
    if (r <= 0) break;  // short real file: the rest reads as zeros
    got += (size_t)r;
  }
}

static struct block* dirty_block(int fd, struct file* f, off_t index) {
  struct block* b = find_block(f, index);
  if (b != NULL) return b;
  b = malloc(sizeof *b);
  if (b == NULL) return NULL;
  b->index = index;
  read_real(fd, f, b->data, index * kBlockSize, kBlockSize);  // real_valid <= size: a hole is 0s
  b->next = f->buckets[index % kBuckets];
  f->buckets[index % kBuckets] = b;
  ++f->blocks;
  return b;
}

static ssize_t overlay_write(int fd, struct file* f, const void* buf, size_t n, off_t off) {
  const unsigned char* src = buf;
  size_t done = 0;
  while (done < n) {
    off_t at = off + (off_t)done;
    off_t index = at / kBlockSize;
    size_t in_block = (size_t)(at % kBlockSize);
    size_t chunk = kBlockSize - in_block < n - done ? kBlockSize - in_block : n - done;
    struct block* b = dirty_block(fd, f, index);
    if (b == NULL) {
      errno = ENOMEM;
      return -1;
    }
    memcpy(b->data + in_block, src + done, chunk);
    done += chunk;
  }
  if (off + (off_t)n > f->size) f->size = off + (off_t)n;
  return (ssize_t)n;
}

static ssize_t overlay_read(int fd, struct file* f, void* buf, size_t n, off_t off) {
  if (off >= f->size) return 0;
  if ((off_t)n > f->size - off) n = (size_t)(f->size - off);
  unsigned char* dst = buf;
  size_t done = 0;
  while (done < n) {
    off_t at = off + (off_t)done;
    off_t index = at / kBlockSize;
    size_t in_block = (size_t)(at % kBlockSize);
    size_t chunk = kBlockSize - in_block < n - done ? kBlockSize - in_block : n - done;
    struct block* b = find_block(f, index);
    if (b != NULL) {
      memcpy(dst + done, b->data + in_block, chunk);
    } else {
      read_real(fd, f, dst + done, at, chunk);
    }
    done += chunk;
  }
  return (ssize_t)n;
}

static void overlay_truncate(struct file* f, off_t size) {
  for (int i = 0; i < kBuckets; ++i) {
    struct block** link = &f->buckets[i];
    while (*link != NULL) {
      struct block* b = *link;
      off_t start = b->index * kBlockSize;
      if (start >= size) {
        *link = b->next;
        free(b);
        --f->blocks;
        continue;
      }
      if (start + kBlockSize > size)
        memset(b->data + (size - start), 0, (size_t)(start + kBlockSize - size));
      link = &b->next;
    }
  }
  if (size < f->real_valid) f->real_valid = size;
  f->size = size;
}

// Applies the overlay to the real file (what the kernel does at fsync). fsync is per file, not
// per descriptor: a read-only descriptor syncs the file too (the ledger's WAL sync holds one), so
// the overlay is then written through a descriptor opened for it.
static int overlay_flush_to(int fd, struct file* f);
static int overlay_flush(int fd, struct file* f) {
  if ((fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDONLY) return overlay_flush_to(fd, f);
  int wfd = REAL(open64)(f->path, O_WRONLY | O_CLOEXEC);
  if (wfd < 0) return -1;
  int rc = overlay_flush_to(wfd, f);
  REAL(close)(wfd);
  return rc;
}

static int overlay_flush_to(int fd, struct file* f) {
  size_t blocks = f->blocks;
  for (int i = 0; i < kBuckets; ++i) {
    for (struct block* b = f->buckets[i]; b != NULL; b = b->next) {
      off_t start = b->index * kBlockSize;
      size_t len = f->size - start < kBlockSize ? (size_t)(f->size - start) : kBlockSize;
      size_t put = 0;
      while (put < len) {
        ssize_t w = REAL(pwrite64)(fd, b->data + put, len - put, start + (off_t)put);
        if (w < 0) return -1;
        put += (size_t)w;
      }
    }
  }
  if (REAL(ftruncate64)(fd, f->size) != 0) return -1;
  free_blocks(f);
  f->real_valid = f->size;
  if (g_trace) {
    fprintf(stderr, "dd02 shim: synced %s: %zu blocks, size %lld\n", f->path, blocks,
            (long long)f->size);
  }
  return 0;
}

// Starts tracking fd when its path matches; creates the file's overlay on first sight.
static void track(int fd, const char* path, int flags) {
  if (fd < 0 || !path_matches(path)) return;
  if (fd >= kMaxFd) {
    fprintf(stderr, "dd02 shim: fd %d beyond the table; %s is not simulated\n", fd, path);
    return;
  }
  struct stat64 st;
  if (REAL(fstat64)(fd, &st) != 0 || !S_ISREG(st.st_mode)) return;
  pthread_mutex_lock(&g_lock);
  struct file* f = find_file(st.st_dev, st.st_ino);
  if (f == NULL) {
    f = calloc(1, sizeof *f);
    if (f == NULL) {
      pthread_mutex_unlock(&g_lock);
      return;
    }
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->size = st.st_size;
    f->real_valid = st.st_size;
    snprintf(f->path, sizeof f->path, "%s", path);
    f->next = g_files;
    g_files = f;
  } else if (flags & O_TRUNC) {
    overlay_truncate(f, 0);  // the real open already truncated the file
    f->real_valid = 0;
  }
  g_fd[fd] = f;
  pthread_mutex_unlock(&g_lock);
}

static void adjust_stat(struct stat64* st) {
  pthread_mutex_lock(&g_lock);
  struct file* f = S_ISREG(st->st_mode) ? find_file(st->st_dev, st->st_ino) : NULL;
  if (f != NULL) {
    st->st_size = f->size;
    st->st_blocks = (f->size + 511) / 512;
  }
  pthread_mutex_unlock(&g_lock);
}

static mode_t mode_arg(int flags, va_list ap) {
  return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

// --- interposed functions ---------------------------------------------------------------------

int open(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  int fd = REAL(open)(path, flags, mode);
  track(fd, path, flags);
  return fd;
}

int open64(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  int fd = REAL(open64)(path, flags, mode);
  track(fd, path, flags);
  return fd;
}

int openat(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  int fd = REAL(openat)(dirfd, path, flags, mode);
  track(fd, path, flags);
  return fd;
}

int openat64(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  int fd = REAL(openat64)(dirfd, path, flags, mode);
  track(fd, path, flags);
  return fd;
}

int close(int fd) {
  if (fd >= 0 && fd < kMaxFd) {
    pthread_mutex_lock(&g_lock);
    g_fd[fd] = NULL;  // the overlay stays: closing does not sync
    pthread_mutex_unlock(&g_lock);
  }
  return REAL(close)(fd);
}

// A duplicate shares the file (shells and dd open a file and dup2 it onto stdout).
static int track_dup(int from, int to) {
  if (to >= 0 && to < kMaxFd) {
    pthread_mutex_lock(&g_lock);
    g_fd[to] = tracked(from);
    pthread_mutex_unlock(&g_lock);
  }
  return to;
}

int dup(int fd) {
  return track_dup(fd, REAL(dup)(fd));
}

int dup2(int fd, int to) {
  return track_dup(fd, REAL(dup2)(fd, to));
}

int dup3(int fd, int to, int flags) {
  return track_dup(fd, REAL(dup3)(fd, to, flags));
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t off) {
  pthread_mutex_lock(&g_lock);
  struct file* f = tracked(fd);
  if (f == NULL) {
    pthread_mutex_unlock(&g_lock);
    return REAL(pwrite64)(fd, buf, n, off);
  }
  ssize_t r = overlay_write(fd, f, buf, n, off);
  pthread_mutex_unlock(&g_lock);
  return r;
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
  return pwrite64(fd, buf, n, off);
}

ssize_t pread64(int fd, void* buf, size_t n, off64_t off) {
  pthread_mutex_lock(&g_lock);
  struct file* f = tracked(fd);
  if (f == NULL) {
    pthread_mutex_unlock(&g_lock);
    return REAL(pread64)(fd, buf, n, off);
  }
  ssize_t r = overlay_read(fd, f, buf, n, off);
  pthread_mutex_unlock(&g_lock);
  return r;
}

ssize_t pread(int fd, void* buf, size_t n, off_t off) {
  return pread64(fd, buf, n, off);
}

// write/read/writev on a tracked fd use the kernel's file position (moved with lseek).
static off_t position_for_write(int fd, struct file* f) {
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0 && (fl & O_APPEND)) return f->size;
  return REAL(lseek64)(fd, 0, SEEK_CUR);
}

ssize_t write(int fd, const void* buf, size_t n) {
  pthread_mutex_lock(&g_lock);
  struct file* f = tracked(fd);
  if (f == NULL) {
    pthread_mutex_unlock(&g_lock);
    return REAL(write)(fd, buf, n);
  }
  off_t pos = position_for_write(fd, f);
  ssize_t r = pos < 0 ? -1 : overlay_write(fd, f, buf, n, pos);
  if (r > 0) REAL(lseek64)(fd, pos + r, SEEK_SET);
  pthread_mutex_unlock(&g_lock);
  return r;
}

ssize_t writev(int fd, const struct iovec* iov, int count) {
  pthread_mutex_lock(&g_lock);
  struct file* f = tracked(fd);
  if (f == NULL) {
    pthread_mutex_unlock(&g_lock);
    return REAL(writev)(fd, iov, count);
  }
  off_t pos = position_for_write(fd, f);
  ssize_t total = pos < 0 ? -1 : 0;
  for (int i = 0; i < count && total >= 0; ++i) {
    ssize_t r = overlay_write(fd, f, iov[i].iov_base, iov[i].iov_len, pos + total);
    total = r < 0 ? -1 : total + r;
  }
  if (total > 0) REAL(lseek64)(fd, pos + total, SEEK_SET);
  pthread_mutex_unlock(&g_lock);
  return total;
}

ssize_t read(int fd, void* buf, size_t n) {
  pthread_mutex_lock(&g_lock);
  struct file* f = tracked(fd);
  if (f == NULL) {
    pthread_mutex_unlock(&g_lock);
    return REAL(read)(fd, buf, n);
  }
  off_t pos = REAL(lseek64)(fd, 0, SEEK_CUR);
  ssize_t r = pos < 0 ? -1 : overlay_read(fd, f, buf, n, pos);
  if (r > 0) REAL(lseek64)(fd, pos + r, SEEK_SET);
  pthread_mutex_unlock(&g_lock);
  return r;
}

off64_t lseek64(int fd, off64_t off, int whence) {
  pthread_mutex_lock(&g_lock);
  struct file* f = tracked(fd);
  if (f != NULL && whence == SEEK_END) {  // the kernel knows only the real size
    off = f->size + off;
    whence = SEEK_SET;
  }
  pthread_mutex_unlock(&g_lock);
  return REAL(lseek64)(fd, off, whence);
}

off_t lseek(int fd, off_t off, int whence) {
  return lseek64(fd, off, whence);
}

int ftruncate64(int fd, off64_t size) {
  pthread_mutex_lock(&g_lock);
  struct file* f = tracked(fd);
  if (f == NULL) {
    pthread_mutex_unlock(&g_lock);
    return REAL(ftruncate64)(fd, size);
  }
  if (size < 0) {
    pthread_mutex_unlock(&g_lock);
    errno = EINVAL;
    return -1;
  }
  overlay_truncate(f, size);
  pthread_mutex_unlock(&g_lock);
  return 0;
}

int ftruncate(int fd, off_t size) {
  return ftruncate64(fd, size);
}

static int sync_fd(int fd, int data_only) {
  pthread_mutex_lock(&g_lock);
  struct file* f = tracked(fd);
  int rc = f != NULL ? overlay_flush(fd, f) : 0;
  pthread_mutex_unlock(&g_lock);
  if (rc != 0) return -1;
  return data_only ? REAL(fdatasync)(fd) : REAL(fsync)(fd);
}

int fsync(int fd) {
  return sync_fd(fd, 0);
}

int fdatasync(int fd) {
  return sync_fd(fd, 1);
}

int fstat64(int fd, struct stat64* st) {
  int rc = REAL(fstat64)(fd, st);
  if (rc == 0) adjust_stat(st);
  return rc;
}

int fstat(int fd, struct stat* st) {
  return fstat64(fd, (struct stat64*)st);  // one layout on LP64
}

int stat64(const char* path, struct stat64* st) {
  int rc = REAL(stat64)(path, st);
  if (rc == 0) adjust_stat(st);
  return rc;
}

int stat(const char* path, struct stat* st) {
  return stat64(path, (struct stat64*)st);
}

int lstat64(const char* path, struct stat64* st) {
  int rc = REAL(lstat64)(path, st);
  if (rc == 0) adjust_stat(st);
  return rc;
}

int lstat(const char* path, struct stat* st) {
  return lstat64(path, (struct stat64*)st);
}

int fstatat64(int dirfd, const char* path, struct stat64* st, int flags) {
  int rc = REAL(fstatat64)(dirfd, path, st, flags);
  if (rc == 0) adjust_stat(st);
  return rc;
}

int fstatat(int dirfd, const char* path, struct stat* st, int flags) {
  return fstatat64(dirfd, path, (struct stat64*)st, flags);
}

// Unlinking drops the file's overlay, so a new file that reuses the inode starts clean.
int unlink(const char* path) {
  struct stat64 st;
  if (REAL(lstat64)(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1) {
    pthread_mutex_lock(&g_lock);
    for (struct file** link = &g_files; *link != NULL; link = &(*link)->next) {
      struct file* f = *link;
      if (f->dev != st.st_dev || f->ino != st.st_ino) continue;
      for (int fd = 0; fd < kMaxFd; ++fd) {
        if (g_fd[fd] == f) g_fd[fd] = NULL;
      }
      *link = f->next;
      free_blocks(f);
      free(f);
      break;
    }
    pthread_mutex_unlock(&g_lock);
  }
  return REAL(unlink)(path);
}
