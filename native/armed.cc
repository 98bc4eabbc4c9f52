#include "armed.h"

#include <errno.h>
#include <sys/socket.h>
#include <time.h>

#include "socket.h"

int64_t RealtimeNow() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

bool ArmedList::Fire(Napi::Env env, int64_t* start_ns, std::vector<SendOutcome>* out) {
  if (!guard.IsEmpty()) {
    Napi::Uint32Array cell = guard.Value();
    if (cell.ElementLength() < 1 || cell[0] != expect) return false;
    // Claim the generation: lists armed alongside this one (other members' plans) are stale now.
    cell[0] = expect + 1;
  }
  (void)env;
  *start_ns = RealtimeNow();
  out->reserve(sends.size());
  for (auto& s : sends) {
    int fd = s.target->fd();
    ssize_t n;
    if (fd < 0) {
      out->push_back({RealtimeNow(), EBADF, -1});
      continue;
    }
    const sockaddr* to = s.addr.empty() ? nullptr : reinterpret_cast<const sockaddr*>(s.addr.data());
    do {
      n = sendto(fd, s.data.data(), s.data.size(), 0, to, static_cast<socklen_t>(s.addr.size()));
    } while (n < 0 && errno == EINTR);
    int err = n < 0 ? errno : 0;
    out->push_back({RealtimeNow(), err, static_cast<int64_t>(n)});
  }
  return true;
}
