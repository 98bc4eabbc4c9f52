// The armed-send list of one Socket: datagrams prepared in advance, each for another Socket
// (and optionally a raw sockaddr), sent from the uv_poll callback the moment a datagram
// arrives on the armed socket — before any JavaScript runs. One-shot: firing disarms.
// An optional guard (a Uint32Array cell shared with JavaScript) must still hold the value
// armed with; firing bumps it, so every other list armed with that value goes stale too.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>
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
  Napi::Reference<Napi::Uint32Array> guard;
  uint32_t expect = 0;

  // Checks the guard and sends everything. Returns false (nothing sent) when stale.
  bool Fire(Napi::Env env, int64_t* start_ns, std::vector<SendOutcome>* out);
};

int64_t RealtimeNow();
