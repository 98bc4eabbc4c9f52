// The armed-send list of one Socket: datagrams prepared in advance, each for another Socket
// (and optionally a raw sockaddr), sent the moment a datagram arrives on the armed socket —
// before any JavaScript runs. One-shot: firing disarms.
//
// Two paths fire a list, whichever sees the datagram first, both under one mutex: a small
// sender thread that waits in epoll on every armed socket (so neither a busy event loop nor a
// garbage collection pause delays the sends), and the socket's own uv_poll callback. The
// thread never reads the datagram or touches JavaScript: the poll callback reports the fire.
//
// An optional guard (a Uint32Array cell shared with JavaScript) must still hold the value
// armed with; firing bumps it, so every other list armed with that value goes stale too.
#pragma once

#include <napi.h>

#include <cstdint>
#include <mutex>
#include <vector>

class Socket;

struct ArmedSend {
  Socket* target;
  Napi::ObjectReference keep;  // keeps the target's wrapper (and fd) alive while armed
  std::vector<uint8_t> data;
  std::vector<uint8_t> addr;  // empty: the target's connected/bound default
};

struct SendOutcome {
  int64_t ns;  // CLOCK_REALTIME just after sendto returned
  int err;     // 0 or errno
  int64_t bytes;
};

class ArmedList {
 public:
  std::vector<ArmedSend> sends;
  Napi::FunctionReference on_fired;
  Napi::Reference<Napi::Uint32Array> guard;  // keeps the cell's memory alive
  uint32_t* cell = nullptr;
  uint32_t expect = 0;

  // Set by Fire().
  bool fired = false;
  bool by_thread = false;
  int64_t woke_ns = 0;
  int64_t start_ns = 0;
  std::vector<SendOutcome> outcomes;

  // Checks and claims the guard, then sends everything (nothing when stale). Called with
  // ArmedMutex() held, from either thread; makes no Node-API calls.
  void Fire(int64_t woke);
};

// Guards every Socket's armed list, fired list and back-links.
std::mutex& ArmedMutex();

// With ArmedMutex() held: the sender thread starts watching `fd` for `s` (started on first
// use); returns the id to unwatch with. Unwatch is harmless after the thread fired it.
uint64_t ArmedWatch(Socket* s, int fd);
void ArmedUnwatch(uint64_t id, int fd);

int64_t RealtimeNow();

// With ArmedMutex() held: -1 before the sender thread started, 0 when it runs at SCHED_FIFO,
// else the errno that refused the realtime priority.
int ArmedSenderRealtimeError();
