// One generic non-blocking datagram socket for JavaScript, read with uv_poll on the
// calling environment's loop. It knows nothing of netlink, ARP or ICMP: addresses travel
// as raw sockaddr bytes and payloads as Buffers; all protocol work is done in TypeScript.
#pragma once

#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "armed.h"

class Socket : public Napi::ObjectWrap<Socket> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Socket(const Napi::CallbackInfo& info);
  ~Socket() override;

  int fd() const { return fd_; }
  // The sender thread saw this socket readable (ArmedMutex() held): fire, keep for the report.
  void FireFromThread(int64_t woke);

 private:
  Napi::Value Fd(const Napi::CallbackInfo& info);
  Napi::Value Bind(const Napi::CallbackInfo& info);
  Napi::Value Connect(const Napi::CallbackInfo& info);
  Napi::Value SendTo(const Napi::CallbackInfo& info);
  Napi::Value SetOption(const Napi::CallbackInfo& info);
  Napi::Value GetOption(const Napi::CallbackInfo& info);
  Napi::Value GetSockName(const Napi::CallbackInfo& info);
  Napi::Value SetReadSize(const Napi::CallbackInfo& info);
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Arm(const Napi::CallbackInfo& info);
  Napi::Value Disarm(const Napi::CallbackInfo& info);
  Napi::Value Armed(const Napi::CallbackInfo& info);

  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnHandleClosed(uv_handle_t* handle);
  static void CleanupHook(void* arg);

  void Drain();
  void DeliverError(int err, const char* syscall);
  void CloseNow();
  void ThrowIfClosed(Napi::Env env) const;
  // With ArmedMutex() held: drops the armed list and this socket's back-links from its targets.
  void DisarmLocked();
  void ForgetSource(Socket* source);
  void Unlink(ArmedList& list);
  // Tells JavaScript about a fired (or stale) list. False when the callback threw.
  bool ReportFire(Napi::Env env, std::unique_ptr<ArmedList> list, Napi::Value stamp);

  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;
  bool referenced_ = true;
  bool cleanup_registered_ = false;
  napi_env env_ = nullptr;
  std::vector<uint8_t> readbuf_;
  Napi::FunctionReference on_message_;
  Napi::FunctionReference on_error_;
  Napi::ObjectReference self_;
  Napi::AsyncContext* async_context_ = nullptr;
  std::unique_ptr<ArmedList> armed_;
  // Fired by the sender thread, reported by the next Drain (the triggering datagram is
  // still queued then: the thread never reads it).
  std::unique_ptr<ArmedList> fired_;
  uint64_t watch_id_ = 0;
  int64_t woke_ns_ = 0;
  // Sockets whose armed lists send on this one: closing this socket disarms them, so a
  // reused descriptor number can never receive a send meant for this socket.
  std::vector<Socket*> armed_sources_;
};

// Builds a JS Error carrying the errno name in `code`, the number in `errno` and the syscall.
Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall);
