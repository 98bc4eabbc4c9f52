// Module entry: the Socket class plus the few constants and clocks TypeScript needs and
// cannot read from Node itself.
#include <napi.h>

#include <sys/socket.h>
#include <time.h>

#include "armed.h"
#include "socket.h"

namespace {

Napi::Value RealtimeNs(const Napi::CallbackInfo& info) {
  // Same clock as SO_TIMESTAMPNS, so user-space trigger times and kernel receive
  // stamps can be subtracted directly in benchmarks.
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return Napi::BigInt::New(info.Env(), static_cast<int64_t>(static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec));
}

Napi::Value MonotonicNs(const Napi::CallbackInfo& info) {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return Napi::BigInt::New(info.Env(), static_cast<int64_t>(static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec));
}

// The armed-send thread's state: { started, realtime, error? } (see armed.h).
Napi::Value ArmedSenderStatus(const Napi::CallbackInfo& info) {
  int err;
  {
    std::lock_guard<std::mutex> lock(ArmedMutex());
    err = ArmedSenderRealtimeError();
  }
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("started", Napi::Boolean::New(env, err != -1));
  o.Set("realtime", Napi::Boolean::New(env, err == 0));
  if (err > 0) o.Set("error", Napi::String::New(env, uv_err_name(-err)));
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Socket", Socket::Init(env));
  exports.Set("realtimeNs", Napi::Function::New(env, RealtimeNs, "realtimeNs"));
  exports.Set("monotonicNs", Napi::Function::New(env, MonotonicNs, "monotonicNs"));
  exports.Set("armedSenderStatus", Napi::Function::New(env, ArmedSenderStatus, "armedSenderStatus"));
  return exports;
}

}  // namespace

NODE_API_MODULE(ipmpd_socket, Init)
