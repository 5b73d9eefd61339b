// The tensor handle class (NativeTensor in JavaScript) and the wrapping of tensors in handles.
#include "handle.h"
#include "args.h"

namespace cs {

int64_t g_live_handles = 0;
int64_t g_live_bytes = 0;

static const napi_type_tag kTensorTag = {0x636f6e7472617365ULL, 0x672d74656e736f72ULL};
static Napi::FunctionReference* g_ctor = nullptr;
static at::Tensor* g_pending = nullptr;

Napi::Function TensorHandle::Init(Napi::Env env) {
  Napi::Function f = DefineClass(env, "NativeTensor",
                                 {InstanceMethod("dispose", &TensorHandle::Dispose),
                                  InstanceAccessor("disposed", &TensorHandle::IsDisposed, nullptr),
                                  InstanceAccessor("shape", &TensorHandle::Shape, nullptr),
                                  InstanceAccessor("dtype", &TensorHandle::Dtype, nullptr),
                                  InstanceAccessor("device", &TensorHandle::Device, nullptr)});
  g_ctor = new Napi::FunctionReference(Napi::Persistent(f));
  return f;
}

TensorHandle::TensorHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorHandle>(info) {
  napi_type_tag_object(info.Env(), info.This(), &kTensorTag);
  env_ = info.Env();
  if (g_pending == nullptr) {
    throw Napi::TypeError::New(info.Env(), "NativeTensor cannot be constructed from JavaScript");
  }
  t_ = std::move(*g_pending);
  g_pending = nullptr;
  bytes_ = t_.defined() ? static_cast<int64_t>(t_.numel() * t_.element_size()) : 0;
  g_live_handles++;
  g_live_bytes += bytes_;
  if (bytes_ > 0) Napi::MemoryManagement::AdjustExternalMemory(info.Env(), bytes_);
}

void TensorHandle::release(Napi::Env env) {
  if (released_) return;
  released_ = true;
  t_ = at::Tensor();
  g_live_handles--;
  g_live_bytes -= bytes_;
  if (bytes_ > 0) Napi::MemoryManagement::AdjustExternalMemory(env, -bytes_);
}

TensorHandle::~TensorHandle() {
  if (!released_) release(Napi::Env(env_));
}

at::Tensor& TensorHandle::tensor(const char* what) {
  if (released_) {
    throw std::runtime_error(std::string(what) + ": tensor was already disposed");
  }
  return t_;
}

Napi::Value TensorHandle::Dispose(const Napi::CallbackInfo& info) {
  release(info.Env());
  return info.Env().Undefined();
}
Napi::Value TensorHandle::IsDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), released_);
}
Napi::Value TensorHandle::Shape(const Napi::CallbackInfo& info) {
  if (released_) throw Napi::Error::New(info.Env(), "shape: tensor was already disposed");
  auto sizes = t_.sizes();
  Napi::Array a = Napi::Array::New(info.Env(), sizes.size());
  for (size_t i = 0; i < sizes.size(); i++) a.Set(i, Napi::Number::New(info.Env(), sizes[i]));
  return a;
}
Napi::Value TensorHandle::Dtype(const Napi::CallbackInfo& info) {
  if (released_) throw Napi::Error::New(info.Env(), "dtype: tensor was already disposed");
  return Napi::String::New(info.Env(), dtypeName(t_.scalar_type()));
}
Napi::Value TensorHandle::Device(const Napi::CallbackInfo& info) {
  if (released_) throw Napi::Error::New(info.Env(), "device: tensor was already disposed");
  return Napi::String::New(info.Env(), t_.device().str());
}

Napi::Value wrap(Napi::Env env, at::Tensor t) {
  at::Tensor holder = std::move(t);
  g_pending = &holder;
  Napi::Object obj = g_ctor->New({});
  return obj;
}

Napi::Value wrapList(Napi::Env env, const std::vector<at::Tensor>& ts) {
  Napi::Array a = Napi::Array::New(env, ts.size());
  for (size_t i = 0; i < ts.size(); i++) a.Set(i, wrap(env, ts[i]));
  return a;
}

bool isTensor(const Napi::Value& v) {
  if (!v.IsObject()) return false;
  bool ok = false;
  napi_check_object_type_tag(v.Env(), v, &kTensorTag, &ok);
  return ok;
}

}  // namespace cs
