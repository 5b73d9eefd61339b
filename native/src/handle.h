// The tensor handle: a JavaScript object (class NativeTensor) owning one reference to an
// at::Tensor, with its bytes reported to V8 so that garbage collection sees native memory.
#pragma once
#define NAPI_VERSION 8
#include <napi.h>
#include <ATen/ATen.h>
#include <vector>

namespace cs {

/** A JavaScript handle owning one reference to an at::Tensor. */
class TensorHandle : public Napi::ObjectWrap<TensorHandle> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit TensorHandle(const Napi::CallbackInfo& info);
  ~TensorHandle() override;

  at::Tensor& tensor(const char* what);
  bool disposed() const { return !t_.defined() && released_; }
  void release(Napi::Env env);

 private:
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);
  Napi::Value Shape(const Napi::CallbackInfo& info);
  Napi::Value Dtype(const Napi::CallbackInfo& info);
  Napi::Value Device(const Napi::CallbackInfo& info);

  at::Tensor t_;
  int64_t bytes_ = 0;
  bool released_ = false;
  napi_env env_ = nullptr;
};

/** Live handle count and bytes reported to V8, for leak tests and memory reports. */
extern int64_t g_live_handles;
extern int64_t g_live_bytes;

/** A new handle owning t. */
Napi::Value wrap(Napi::Env env, at::Tensor t);
/** An array of new handles. */
Napi::Value wrapList(Napi::Env env, const std::vector<at::Tensor>& ts);
/** Whether v is a tensor handle of this addon (by its type tag). */
bool isTensor(const Napi::Value& v);

}  // namespace cs
