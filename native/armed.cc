#include "armed.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>
#include <unordered_map>

#include "socket.h"

int64_t RealtimeNow() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

void ArmedList::Fire(int64_t woke) {
  woke_ns = woke;
  if (cell != nullptr) {
    uint32_t want = expect;
    // JavaScript writes the cell on its own thread; the claim must be one atomic step.
    if (!__atomic_compare_exchange_n(cell, &want, expect + 1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
      fired = false;
      start_ns = RealtimeNow();
      return;
    }
  }
  fired = true;
  start_ns = RealtimeNow();
  outcomes.reserve(sends.size());
  for (auto& s : sends) {
    int fd = s.target->fd();
    if (fd < 0) {
      outcomes.push_back({RealtimeNow(), EBADF, -1});
      continue;
    }
    const sockaddr* to = s.addr.empty() ? nullptr : reinterpret_cast<const sockaddr*>(s.addr.data());
    ssize_t n;
    do {
      n = sendto(fd, s.data.data(), s.data.size(), MSG_DONTWAIT, to, static_cast<socklen_t>(s.addr.size()));
    } while (n < 0 && errno == EINTR);
    outcomes.push_back({RealtimeNow(), n < 0 ? errno : 0, static_cast<int64_t>(n)});
  }
}

namespace {

// Process-wide: one epoll set and one thread for every armed socket of every environment.
// Never torn down (it blocks in epoll_wait and dies with the process); entries are looked up
// by id under the mutex, so an event for a socket disarmed or freed meanwhile is ignored.
struct Watcher {
  int epfd = -1;
  uint64_t next_id = 1;
  std::unordered_map<uint64_t, Socket*> sockets;
};

Watcher* watcher = nullptr;
// 0 once the thread runs at SCHED_FIFO, else the errno of the attempt (-1: not started).
int realtime_error = -1;

void Run(Watcher* w) {
  // The thread runs only for the microseconds of a fire: a realtime priority costs nothing
  // and keeps ordinary busy processes from delaying the sends (like keepalived's
  // vrrp_rt_priority). Without CAP_SYS_NICE it stays an ordinary thread.
  sched_param sp{};
  sp.sched_priority = 1;
  int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
  {
    std::lock_guard<std::mutex> lock(ArmedMutex());
    realtime_error = rc;
  }
  epoll_event events[32];
  for (;;) {
    int n = epoll_wait(w->epfd, events, 32, -1);
    int64_t woke = RealtimeNow();
    if (n < 0) {
      if (errno == EINTR) continue;
      abort();  // the epoll fd is ours and never closed: nothing else can fail here
    }
    std::lock_guard<std::mutex> lock(ArmedMutex());
    for (int i = 0; i < n; i++) {
      auto it = w->sockets.find(events[i].data.u64);
      if (it == w->sockets.end()) continue;
      it->second->FireFromThread(woke);  // unwatches itself
    }
  }
}

}  // namespace

std::mutex& ArmedMutex() {
  static std::mutex m;
  return m;
}

int ArmedSenderRealtimeError() { return realtime_error; }

uint64_t ArmedWatch(Socket* s, int fd) {
  if (watcher == nullptr) {
    auto* w = new Watcher;
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (w->epfd < 0) {
      delete w;
      return 0;  // the poll callback path still fires
    }
    std::thread(Run, w).detach();
    watcher = w;
  }
  uint64_t id = watcher->next_id++;
  epoll_event ev{};
  // One-shot: after an event the thread fires and forgets; re-arming adds the fd again.
  ev.events = EPOLLIN | EPOLLONESHOT;
  ev.data.u64 = id;
  if (epoll_ctl(watcher->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) return 0;
  watcher->sockets[id] = s;
  return id;
}

void ArmedUnwatch(uint64_t id, int fd) {
  if (watcher == nullptr || id == 0) return;
  watcher->sockets.erase(id);
  epoll_ctl(watcher->epfd, EPOLL_CTL_DEL, fd, nullptr);
}
