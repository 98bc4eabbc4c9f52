#include "socket.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <linux/filter.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace {

// Upper bound on datagrams handled per readiness so a busy socket cannot starve the loop.
constexpr int kMaxDatagramsPerWake = 64;
constexpr size_t kDefaultReadSize = 64 * 1024;

// Opens the socket inside another network namespace by switching only this thread for the
// duration of socket(2). The socket stays bound to that namespace for its whole life.
int SocketInNamespace(const std::string& netns, int domain, int type, int protocol, int* err) {
  int target = open(netns.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    *err = errno;
    return -1;
  }
  int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0) {
    *err = errno;
    close(target);
    return -1;
  }
  int fd = -1;
  if (setns(target, CLONE_NEWNET) < 0) {
    *err = errno;
  } else {
    fd = socket(domain, type, protocol);
    *err = fd < 0 ? errno : 0;
    // Staying in the wrong namespace would silently redirect every later socket of the
    // process; there is no safe way to continue.
    if (setns(self, CLONE_NEWNET) < 0) abort();
  }
  close(target);
  close(self);
  return fd;
}

Napi::Buffer<uint8_t> BufferArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsBuffer()) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a Buffer");
  }
  return info[i].As<Napi::Buffer<uint8_t>>();
}

int IntArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  }
  return info[i].As<Napi::Number>().Int32Value();
}

}  // namespace

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall) {
  const char* name = uv_err_name(-err);
  std::string msg = std::string(syscall) + " " + name + " (" + strerror(err) + ")";
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, name));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, syscall));
  return e;
}

Napi::Function Socket::Init(Napi::Env env) {
  Napi::Function ctor = DefineClass(env, "Socket",
                     {
                         InstanceAccessor<&Socket::Fd>("fd"),
                         InstanceMethod<&Socket::Bind>("bind"),
                         InstanceMethod<&Socket::Connect>("connect"),
                         InstanceMethod<&Socket::SendTo>("sendTo"),
                         InstanceMethod<&Socket::SetOption>("setOption"),
                         InstanceMethod<&Socket::GetOption>("getOption"),
                         InstanceMethod<&Socket::GetSockName>("getSockName"),
                         InstanceMethod<&Socket::SetReadSize>("setReadSize"),
                         InstanceMethod<&Socket::Start>("start"),
                         InstanceMethod<&Socket::Ref>("ref"),
                         InstanceMethod<&Socket::Unref>("unref"),
                         InstanceMethod<&Socket::Close>("close"),
                         InstanceMethod<&Socket::Arm>("arm"),
                         InstanceMethod<&Socket::Disarm>("disarm"),
                         InstanceAccessor<&Socket::Armed>("armed"),
                     });
  // arm() checks its targets against this constructor (per environment: worker threads).
  env.SetInstanceData<Napi::FunctionReference>(new Napi::FunctionReference(Napi::Persistent(ctor)));
  return ctor;
}

// new Socket(domain, type, protocol, netnsPath?)
Socket::Socket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Socket>(info), readbuf_(kDefaultReadSize) {
  Napi::Env env = info.Env();
  env_ = env;
  int domain = IntArg(info, 0, "domain");
  int type = IntArg(info, 1, "type") | SOCK_NONBLOCK | SOCK_CLOEXEC;
  int protocol = IntArg(info, 2, "protocol");
  int err = 0;
  if (info.Length() > 3 && info[3].IsString()) {
    fd_ = SocketInNamespace(info[3].As<Napi::String>().Utf8Value(), domain, type, protocol, &err);
  } else {
    fd_ = socket(domain, type, protocol);
    err = fd_ < 0 ? errno : 0;
  }
  if (fd_ < 0) throw ErrnoError(env, err, "socket");
  napi_add_env_cleanup_hook(env, CleanupHook, this);
  cleanup_registered_ = true;
}

Socket::~Socket() { CloseNow(); }

void Socket::ThrowIfClosed(Napi::Env env) const {
  if (fd_ < 0) throw ErrnoError(env, EBADF, "socket");
}

Napi::Value Socket::Fd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }

Napi::Value Socket::Bind(const Napi::CallbackInfo& info) {
  ThrowIfClosed(info.Env());
  auto addr = BufferArg(info, 0, "address");
  if (bind(fd_, reinterpret_cast<const sockaddr*>(addr.Data()), addr.Length()) < 0) {
    throw ErrnoError(info.Env(), errno, "bind");
  }
  return info.Env().Undefined();
}

Napi::Value Socket::Connect(const Napi::CallbackInfo& info) {
  ThrowIfClosed(info.Env());
  auto addr = BufferArg(info, 0, "address");
  if (connect(fd_, reinterpret_cast<const sockaddr*>(addr.Data()), addr.Length()) < 0) {
    throw ErrnoError(info.Env(), errno, "connect");
  }
  return info.Env().Undefined();
}

// sendTo(data, address?) -> bytes sent. Non-blocking: EAGAIN is thrown like any error.
Napi::Value Socket::SendTo(const Napi::CallbackInfo& info) {
  ThrowIfClosed(info.Env());
  auto data = BufferArg(info, 0, "data");
  const sockaddr* to = nullptr;
  socklen_t tolen = 0;
  if (info.Length() > 1 && info[1].IsBuffer()) {
    auto addr = info[1].As<Napi::Buffer<uint8_t>>();
    to = reinterpret_cast<const sockaddr*>(addr.Data());
    tolen = addr.Length();
  }
  ssize_t n;
  do {
    n = sendto(fd_, data.Data(), data.Length(), 0, to, tolen);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw ErrnoError(info.Env(), errno, "sendto");
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

// setOption(level, name, value: number | Buffer); SO_ATTACH_FILTER takes the raw instructions.
Napi::Value Socket::SetOption(const Napi::CallbackInfo& info) {
  ThrowIfClosed(info.Env());
  int level = IntArg(info, 0, "level");
  int name = IntArg(info, 1, "name");
  int rc;
  if (info.Length() > 2 && info[2].IsBuffer() && level == SOL_SOCKET && name == SO_ATTACH_FILTER) {
    // Classic BPF: the buffer holds sock_filter instructions; the kernel wants a
    // sock_fprog pointing at them, which only native code can build.
    auto insns = info[2].As<Napi::Buffer<uint8_t>>();
    if (insns.Length() == 0 || insns.Length() % sizeof(sock_filter) != 0) {
      throw Napi::RangeError::New(info.Env(), "BPF program must be a non-empty array of 8-byte instructions");
    }
    sock_fprog prog{static_cast<unsigned short>(insns.Length() / sizeof(sock_filter)),
                    reinterpret_cast<sock_filter*>(insns.Data())};
    rc = setsockopt(fd_, level, name, &prog, sizeof(prog));
  } else if (info.Length() > 2 && info[2].IsBuffer()) {
    auto value = info[2].As<Napi::Buffer<uint8_t>>();
    rc = setsockopt(fd_, level, name, value.Data(), value.Length());
  } else {
    int value = IntArg(info, 2, "value");
    rc = setsockopt(fd_, level, name, &value, sizeof(value));
  }
  if (rc < 0) throw ErrnoError(info.Env(), errno, "setsockopt");
  return info.Env().Undefined();
}

// getOption(level, name) -> number; getOption(level, name, length) -> Buffer
Napi::Value Socket::GetOption(const Napi::CallbackInfo& info) {
  ThrowIfClosed(info.Env());
  int level = IntArg(info, 0, "level");
  int name = IntArg(info, 1, "name");
  if (info.Length() > 2 && info[2].IsNumber()) {
    std::vector<uint8_t> out(info[2].As<Napi::Number>().Uint32Value());
    socklen_t len = out.size();
    if (getsockopt(fd_, level, name, out.data(), &len) < 0) throw ErrnoError(info.Env(), errno, "getsockopt");
    return Napi::Buffer<uint8_t>::Copy(info.Env(), out.data(), len);
  }
  int value = 0;
  socklen_t len = sizeof(value);
  if (getsockopt(fd_, level, name, &value, &len) < 0) throw ErrnoError(info.Env(), errno, "getsockopt");
  return Napi::Number::New(info.Env(), value);
}

Napi::Value Socket::GetSockName(const Napi::CallbackInfo& info) {
  ThrowIfClosed(info.Env());
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) < 0) {
    throw ErrnoError(info.Env(), errno, "getsockname");
  }
  return Napi::Buffer<uint8_t>::Copy(info.Env(), reinterpret_cast<uint8_t*>(&ss), len);
}

Napi::Value Socket::SetReadSize(const Napi::CallbackInfo& info) {
  int size = IntArg(info, 0, "size");
  if (size < 64) throw Napi::RangeError::New(info.Env(), "read size must be at least 64 bytes");
  readbuf_.resize(static_cast<size_t>(size));
  return info.Env().Undefined();
}

// start(onMessage(data, from, truncated, timestampNs?), onError(err))
Napi::Value Socket::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ThrowIfClosed(env);
  if (poll_ != nullptr) throw Napi::Error::New(env, "socket already started");
  if (info.Length() < 2 || !info[0].IsFunction() || !info[1].IsFunction()) {
    throw Napi::TypeError::New(env, "start(onMessage, onError) needs two functions");
  }
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    throw Napi::Error::New(env, "no event loop for this environment");
  }
  poll_ = new uv_poll_t;
  int rc = uv_poll_init(loop, poll_, fd_);
  if (rc < 0) {
    delete poll_;
    poll_ = nullptr;
    throw ErrnoError(env, -rc, "uv_poll_init");
  }
  poll_->data = this;
  on_message_ = Napi::Persistent(info[0].As<Napi::Function>());
  on_error_ = Napi::Persistent(info[1].As<Napi::Function>());
  // Keep the wrapper alive while the kernel can still deliver to it.
  self_ = Napi::Persistent(Value());
  async_context_ = new Napi::AsyncContext(env, "ipmpd.Socket");
  if (!referenced_) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  rc = uv_poll_start(poll_, UV_READABLE, OnPoll);
  if (rc < 0) throw ErrnoError(env, -rc, "uv_poll_start");
  return env.Undefined();
}

Napi::Value Socket::Ref(const Napi::CallbackInfo& info) {
  referenced_ = true;
  if (poll_) uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

Napi::Value Socket::Unref(const Napi::CallbackInfo& info) {
  referenced_ = false;
  if (poll_) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

Napi::Value Socket::Close(const Napi::CallbackInfo& info) {
  CloseNow();
  return info.Env().Undefined();
}

void Socket::OnPoll(uv_poll_t* handle, int status, int /*events*/) {
  auto* self = static_cast<Socket*>(handle->data);
  // The earliest moment this thread knew, for sockets (netlink) the kernel does not stamp.
  self->woke_ns_ = RealtimeNow();
  if (status == UV_EBADF && self->fd_ >= 0) {
    // libuv reports POLLERR as EBADF and stops the handle. On a live socket that is a
    // pending socket error (e.g. ENETDOWN when a bound interface goes down): report the
    // real errno, clear it, and keep reading.
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(self->fd_, SOL_SOCKET, SO_ERROR, &err, &len) == 0) {
      if (err != 0) self->DeliverError(err, "recvmsg");
      if (self->poll_ != nullptr && self->fd_ >= 0) {
        int rc = uv_poll_start(self->poll_, UV_READABLE, OnPoll);
        if (rc < 0) self->DeliverError(-rc, "uv_poll_start");
        else self->Drain();
      }
      return;
    }
  }
  if (status < 0) {
    self->DeliverError(-status, "poll");
    return;
  }
  self->Drain();
}

void Socket::Drain() {
  Napi::Env env(env_);
  Napi::HandleScope scope(env);
  alignas(cmsghdr) uint8_t control[256];
  for (int i = 0; i < kMaxDatagramsPerWake && fd_ >= 0; i++) {
    sockaddr_storage from;
    iovec iov{readbuf_.data(), readbuf_.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof(from);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    // MSG_TRUNC makes packet and netlink sockets return the full datagram length.
    ssize_t n = recvmsg(fd_, &msg, MSG_TRUNC);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      DeliverError(errno, "recvmsg");
      return;
    }
    bool truncated = (msg.msg_flags & MSG_TRUNC) != 0 || static_cast<size_t>(n) > readbuf_.size();
    size_t len = static_cast<size_t>(n) > readbuf_.size() ? readbuf_.size() : static_cast<size_t>(n);
    Napi::Value stamp = env.Undefined();
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts;
        memcpy(&ts, CMSG_DATA(c), sizeof(ts));
        stamp = Napi::BigInt::New(env, static_cast<int64_t>(static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec));
      }
    }
    // The armed sends go out before anything else happens for this datagram — unless the
    // sender thread got there first, in which case this datagram is the one it fired for.
    std::unique_ptr<ArmedList> done;
    {
      std::lock_guard<std::mutex> lock(ArmedMutex());
      if (fired_) {
        done = std::move(fired_);
        // A list armed meanwhile waited for this report; it watches for the next datagram.
        if (armed_ && fd_ >= 0) watch_id_ = ArmedWatch(this, fd_);
      } else if (armed_) {
        ArmedUnwatch(watch_id_, fd_);
        watch_id_ = 0;
        armed_->Fire(woke_ns_);
        Unlink(*armed_);
        done = std::move(armed_);
      }
    }
    if (done && !ReportFire(env, std::move(done), stamp)) return;
    if (fd_ < 0 || on_message_.IsEmpty()) return;  // closed by the fired callback
    auto data = Napi::Buffer<uint8_t>::Copy(env, readbuf_.data(), len);
    auto source = Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<uint8_t*>(&from), msg.msg_namelen);
    try {
      on_message_.MakeCallback(Value(), {data, source, Napi::Boolean::New(env, truncated), stamp},
                               *async_context_);
    } catch (const Napi::Error& e) {
      // A throw in the JS handler becomes an ordinary uncaught exception, never a C++
      // exception unwinding through libuv.
      napi_fatal_exception(env_, e.Value());
      return;
    }
  }
}

void Socket::DeliverError(int err, const char* syscall) {
  if (on_error_.IsEmpty()) return;
  Napi::Env env(env_);
  Napi::HandleScope scope(env);
  try {
    on_error_.MakeCallback(Value(), {ErrnoError(env, err, syscall).Value()}, *async_context_);
  } catch (const Napi::Error& e) {
    napi_fatal_exception(env_, e.Value());
  }
}

void Socket::OnHandleClosed(uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); }

void Socket::CleanupHook(void* arg) {
  auto* self = static_cast<Socket*>(arg);
  self->cleanup_registered_ = false;
  self->CloseNow();
}

void Socket::CloseNow() {
  {
    std::lock_guard<std::mutex> lock(ArmedMutex());
    DisarmLocked();
    fired_.reset();
    // Sources armed to send on this socket would otherwise send on whatever reuses the fd;
    // the mutex also waits out a fire in progress on the sender thread.
    std::vector<Socket*> sources;
    sources.swap(armed_sources_);
    for (Socket* src : sources) src->DisarmLocked();
  }
  if (poll_ != nullptr) {
    // Stop polling before the descriptor goes away, as libuv requires.
    uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), OnHandleClosed);
    poll_ = nullptr;
  }
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  if (cleanup_registered_) {
    napi_remove_env_cleanup_hook(env_, CleanupHook, this);
    cleanup_registered_ = false;
  }
  on_message_.Reset();
  on_error_.Reset();
  if (async_context_ != nullptr) {
    delete async_context_;
    async_context_ = nullptr;
  }
  self_.Reset();
}

// arm(sends: {socket: Socket, data: Buffer, address?: Buffer}[], onFired(info), guard?: Uint32Array, expect?: number)
// Replaces any earlier list. See armed.h for the guard.
Napi::Value Socket::Arm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ThrowIfClosed(env);
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsFunction()) {
    throw Napi::TypeError::New(env, "arm(sends, onFired, guard?, expect?) needs an array and a function");
  }
  auto* ctor = env.GetInstanceData<Napi::FunctionReference>();
  auto list = std::make_unique<ArmedList>();
  Napi::Array arr = info[0].As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value v = arr.Get(i);
    if (!v.IsObject()) throw Napi::TypeError::New(env, "arm: each send must be an object");
    Napi::Object o = v.As<Napi::Object>();
    Napi::Value sock = o.Get("socket");
    if (!sock.IsObject() || ctor == nullptr || !sock.As<Napi::Object>().InstanceOf(ctor->Value())) {
      throw Napi::TypeError::New(env, "arm: send " + std::to_string(i) + ": socket must be a native Socket");
    }
    Socket* target = Socket::Unwrap(sock.As<Napi::Object>());
    if (target->fd_ < 0) throw ErrnoError(env, EBADF, "arm");
    Napi::Value data = o.Get("data");
    if (!data.IsBuffer()) throw Napi::TypeError::New(env, "arm: send " + std::to_string(i) + ": data must be a Buffer");
    auto d = data.As<Napi::Buffer<uint8_t>>();
    ArmedSend s{target, Napi::Persistent(sock.As<Napi::Object>()), std::vector<uint8_t>(d.Data(), d.Data() + d.Length()), {}};
    Napi::Value addr = o.Get("address");
    if (addr.IsBuffer()) {
      auto a = addr.As<Napi::Buffer<uint8_t>>();
      s.addr.assign(a.Data(), a.Data() + a.Length());
    } else if (!addr.IsUndefined()) {
      throw Napi::TypeError::New(env, "arm: send " + std::to_string(i) + ": address must be a Buffer");
    }
    list->sends.push_back(std::move(s));
  }
  list->on_fired = Napi::Persistent(info[1].As<Napi::Function>());
  if (info.Length() > 2 && !info[2].IsUndefined()) {
    if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
      throw Napi::TypeError::New(env, "arm: guard must be a Uint32Array");
    }
    auto cell = info[2].As<Napi::Uint32Array>();
    if (cell.ElementLength() < 1) throw Napi::RangeError::New(env, "arm: guard needs one element");
    list->guard = Napi::Persistent(cell);
    list->cell = cell.Data();
    list->expect = static_cast<uint32_t>(IntArg(info, 3, "expect"));
  }
  std::lock_guard<std::mutex> lock(ArmedMutex());
  DisarmLocked();
  for (auto& s : list->sends) {
    auto& back = s.target->armed_sources_;
    bool known = false;
    for (Socket* x : back) known = known || x == this;
    if (!known) back.push_back(this);
  }
  armed_ = std::move(list);
  // While a thread-fired list awaits its report, its datagram is still queued: the new list
  // starts watching only after that report (see Drain).
  if (!fired_) watch_id_ = ArmedWatch(this, fd_);
  return env.Undefined();
}

Napi::Value Socket::Disarm(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> lock(ArmedMutex());
  DisarmLocked();
  return info.Env().Undefined();
}

Napi::Value Socket::Armed(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> lock(ArmedMutex());
  return Napi::Boolean::New(info.Env(), armed_ != nullptr);
}

void Socket::ForgetSource(Socket* source) {
  auto& v = armed_sources_;
  for (size_t i = 0; i < v.size();) {
    if (v[i] == source) v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
    else i++;
  }
}

void Socket::Unlink(ArmedList& list) {
  for (auto& s : list.sends) s.target->ForgetSource(this);
}

void Socket::DisarmLocked() {
  if (!armed_) return;
  ArmedUnwatch(watch_id_, fd_);
  watch_id_ = 0;
  Unlink(*armed_);
  // References are released on this (the JavaScript) thread, as Node-API requires.
  armed_.reset();
}

void Socket::FireFromThread(int64_t woke) {
  ArmedUnwatch(watch_id_, fd_);
  watch_id_ = 0;
  if (!armed_) return;
  armed_->Fire(woke);
  armed_->by_thread = true;
  Unlink(*armed_);
  fired_ = std::move(armed_);
}

bool Socket::ReportFire(Napi::Env env, std::unique_ptr<ArmedList> list, Napi::Value stamp) {
  Napi::Object report = Napi::Object::New(env);
  report.Set("fired", Napi::Boolean::New(env, list->fired));
  report.Set("byThread", Napi::Boolean::New(env, list->by_thread));
  report.Set("receivedNs", stamp);
  report.Set("wokeNs", Napi::BigInt::New(env, list->woke_ns));
  report.Set("startNs", Napi::BigInt::New(env, list->start_ns));
  Napi::Array sends = Napi::Array::New(env, list->outcomes.size());
  for (size_t i = 0; i < list->outcomes.size(); i++) {
    const SendOutcome& out = list->outcomes[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("ns", Napi::BigInt::New(env, out.ns));
    o.Set("errno", Napi::Number::New(env, out.err));
    if (out.err != 0) o.Set("code", Napi::String::New(env, uv_err_name(-out.err)));
    o.Set("bytes", Napi::Number::New(env, static_cast<double>(out.bytes)));
    sends.Set(static_cast<uint32_t>(i), o);
  }
  report.Set("sends", sends);
  Napi::Function cb = list->on_fired.Value();
  list.reset();
  try {
    cb.MakeCallback(Value(), {report}, *async_context_);
  } catch (const Napi::Error& e) {
    napi_fatal_exception(env_, e.Value());
    return false;
  }
  return true;
}
