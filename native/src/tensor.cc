// The Tensor handle, argument conversion helpers, and tensor-level bindings (creation, data
// access, autograd, dtype/device, seeds, threads, memory).
#include "common.h"
#include <c10/core/GradMode.h>
#include <ATen/Parallel.h>
#include <malloc.h>
#include <torch/version.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <cmath>
#include <cstring>
#include <sstream>

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

static std::string position(size_t i) { return "argument " + std::to_string(i); }

at::Tensor& argTensor(const Napi::CallbackInfo& info, size_t i) {
  if (!isTensor(info[i])) throw ArgError(position(i) + " is not a Tensor");
  TensorHandle* h = Napi::ObjectWrap<TensorHandle>::Unwrap(info[i].As<Napi::Object>());
  if (h->disposed()) throw ArgError(position(i) + ": tensor was already disposed");
  return h->tensor("tensor");
}

c10::optional<at::Tensor> argOptTensor(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || info[i].IsUndefined() || info[i].IsNull()) return c10::nullopt;
  return argTensor(info, i);
}

std::vector<at::Tensor> argTensorList(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsArray()) throw ArgError(position(i) + " is not an array of Tensors");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    if (!isTensor(v)) throw ArgError(position(i) + "[" + std::to_string(k) + "] is not a Tensor");
    TensorHandle* h = Napi::ObjectWrap<TensorHandle>::Unwrap(v.As<Napi::Object>());
    if (h->disposed()) throw ArgError(position(i) + "[" + std::to_string(k) + "]: tensor was already disposed");
    out.push_back(h->tensor("tensor"));
  }
  return out;
}

int64_t argInt(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) throw ArgError(position(i) + " is not a number");
  double d = info[i].As<Napi::Number>().DoubleValue();
  if (d != static_cast<double>(static_cast<int64_t>(d))) {
    throw ArgError(position(i) + " must be an integer, got " + std::to_string(d));
  }
  return static_cast<int64_t>(d);
}

c10::optional<int64_t> argOptInt(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || info[i].IsUndefined() || info[i].IsNull()) return c10::nullopt;
  return argInt(info, i);
}

double argDouble(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) throw ArgError(position(i) + " is not a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

c10::optional<double> argOptDouble(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || info[i].IsUndefined() || info[i].IsNull()) return c10::nullopt;
  return argDouble(info, i);
}

bool argBool(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsBoolean()) throw ArgError(position(i) + " is not a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

std::vector<int64_t> argInts(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsNumber()) return {argInt(info, i)};
  if (!info[i].IsArray()) throw ArgError(position(i) + " is not an array of integers");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) throw ArgError(position(i) + "[" + std::to_string(k) + "] is not a number");
    double d = v.As<Napi::Number>().DoubleValue();
    if (!(std::fabs(d) < 9.3e18) || d != std::trunc(d)) {
      throw ArgError(position(i) + "[" + std::to_string(k) + "] must be an integer, got " + std::to_string(d));
    }
    out[k] = static_cast<int64_t>(d);
  }
  return out;
}

std::string argString(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsString()) throw ArgError(position(i) + " is not a string");
  return info[i].As<Napi::String>().Utf8Value();
}

at::Scalar argScalar(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsBoolean()) return at::Scalar(info[i].As<Napi::Boolean>().Value());
  if (!info[i].IsNumber()) throw ArgError(position(i) + " is not a number");
  double d = info[i].As<Napi::Number>().DoubleValue();
  // JavaScript has one number type: integral values become integer scalars (as Python ints do), so
  // `intTensor.add(1)` stays int64 while `x.mul(0.5)` promotes; -0 stays a double to keep its sign.
  if (d == std::trunc(d) && std::fabs(d) <= 9007199254740991.0 && !(d == 0 && std::signbit(d))) {
    return at::Scalar(static_cast<int64_t>(d));
  }
  return at::Scalar(d);
}

at::ScalarType parseDtype(const std::string& n) {
  if (n == "float32") return at::kFloat;
  if (n == "float64") return at::kDouble;
  if (n == "float16") return at::kHalf;
  if (n == "bfloat16") return at::kBFloat16;
  if (n == "int64") return at::kLong;
  if (n == "int32") return at::kInt;
  if (n == "int16") return at::kShort;
  if (n == "int8") return at::kChar;
  if (n == "uint8") return at::kByte;
  if (n == "bool") return at::kBool;
  throw std::invalid_argument("unknown dtype '" + n + "'");
}

std::string dtypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kShort: return "int16";
    case at::kChar: return "int8";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return c10::toString(t);
  }
}

at::Device parseDevice(const std::string& name) { return at::Device(name); }

at::TensorOptions argOptions(const Napi::CallbackInfo& info, size_t dtypeIdx, size_t deviceIdx) {
  at::TensorOptions o = at::TensorOptions().dtype(at::kFloat);
  if (info.Length() > dtypeIdx && info[dtypeIdx].IsString()) o = o.dtype(parseDtype(argString(info, dtypeIdx)));
  if (info.Length() > deviceIdx && info[deviceIdx].IsString()) o = o.device(parseDevice(argString(info, deviceIdx)));
  return o;
}

static std::string describeArgs(const Napi::CallbackInfo& info) {
  std::ostringstream s;
  bool any = false;
  for (size_t i = 0; i < info.Length(); i++) {
    std::vector<at::Tensor> ts;
    if (isTensor(info[i])) {
      TensorHandle* h = Napi::ObjectWrap<TensorHandle>::Unwrap(info[i].As<Napi::Object>());
      if (!h->disposed()) ts.push_back(h->tensor("describe"));
    }
    for (auto& t : ts) {
      s << (any ? ", " : " (") << "arg" << i << ": " << dtypeName(t.scalar_type()) << t.sizes();
      any = true;
    }
    if (info[i].IsArray()) {  // a tensor list (cat, stack, einsum ...)
      Napi::Array a = info[i].As<Napi::Array>();
      std::ostringstream l;
      bool listed = false;
      for (uint32_t k = 0; k < a.Length(); k++) {
        Napi::Value v = a.Get(k);
        if (!isTensor(v)) continue;
        TensorHandle* h = Napi::ObjectWrap<TensorHandle>::Unwrap(v.As<Napi::Object>());
        if (h->disposed()) continue;
        const at::Tensor& t = h->tensor("describe");
        l << (listed ? ", " : "") << dtypeName(t.scalar_type()) << t.sizes();
        listed = true;
      }
      if (listed) {
        s << (any ? ", " : " (") << "arg" << i << ": [" << l.str() << "]";
        any = true;
      }
    }
  }
  if (any) s << ")";
  return s.str();
}

void rethrowAsJs(const char* op, const Napi::CallbackInfo& info) {
  std::string name(op);
  if (name.rfind("op_", 0) == 0) name = name.substr(3);
  try {
    throw;
  } catch (const ArgError& e) {
    throw Napi::TypeError::New(info.Env(), name + ": " + e.what());
  } catch (const c10::Error& e) {
    throw Napi::Error::New(info.Env(), name + ": " + e.what_without_backtrace() + describeArgs(info));
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), name + ": " + e.what() + describeArgs(info));
  }
}

}  // namespace cs

using namespace cs;

// ---- creation -------------------------------------------------------------------------------

OP(op_empty) { return wrap(info.Env(), at::empty(argInts(info, 0), argOptions(info, 1, 2))); }
OP(op_zeros) { return wrap(info.Env(), at::zeros(argInts(info, 0), argOptions(info, 1, 2))); }
OP(op_ones) { return wrap(info.Env(), at::ones(argInts(info, 0), argOptions(info, 1, 2))); }
OP(op_full) { return wrap(info.Env(), at::full(argInts(info, 0), argScalar(info, 1), argOptions(info, 2, 3))); }
OP(op_arange) {
  return wrap(info.Env(), at::arange(argScalar(info, 0), argScalar(info, 1), argScalar(info, 2), argOptions(info, 3, 4)));
}
OP(op_rand) { return wrap(info.Env(), at::rand(argInts(info, 0), argOptions(info, 1, 2))); }
OP(op_randn) { return wrap(info.Env(), at::randn(argInts(info, 0), argOptions(info, 1, 2))); }
OP(op_randint) {
  at::TensorOptions o = argOptions(info, 3, 4);
  if (!(info.Length() > 3 && info[3].IsString())) o = o.dtype(at::kLong);
  return wrap(info.Env(), at::randint(argInt(info, 0), argInt(info, 1), argInts(info, 2), o));
}
OP(op_randperm) { return wrap(info.Env(), at::randperm(argInt(info, 0), at::TensorOptions().dtype(at::kLong))); }

/** fromBuffer(typedArray, shape, dtype): copies the typed array's bytes into a new tensor. */
OP(op_fromBuffer) {
  if (!info[0].IsTypedArray()) throw ArgError("argument 0 is not a typed array");
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  std::vector<int64_t> shape = argInts(info, 1);
  at::ScalarType dt = parseDtype(argString(info, 2));
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dt));
  size_t need = t.numel() * t.element_size();
  if (ta.ByteLength() != need) {
    std::ostringstream s;
    s << "shape " << t.sizes() << " of " << dtypeName(dt) << " needs " << need
      << " bytes but the array holds " << ta.ByteLength();
    throw std::invalid_argument(s.str());
  }
  uint8_t* src = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  if (need > 0) std::memcpy(t.data_ptr(), src, need);
  return wrap(info.Env(), t);
}

/**
 * toBuffer(t, copy): the tensor's elements as an ArrayBuffer. With copy=false and a contiguous CPU
 * tensor, the buffer aliases the tensor's memory and keeps its storage alive (like .numpy()).
 */
OP(op_toBuffer) {
  at::Tensor t = argTensor(info, 0);
  bool copy = argBool(info, 1);
  if (!t.device().is_cpu()) t = t.cpu();
  if (!t.is_contiguous()) {
    t = t.contiguous();
    copy = false;  // already a private copy
  }
  size_t n = t.numel() * t.element_size();
  if (copy || n == 0) {
    Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(info.Env(), n);
    if (n > 0) std::memcpy(ab.Data(), t.data_ptr(), n);
    return ab;
  }
  auto* keep = new at::Tensor(t);
  return Napi::ArrayBuffer::New(info.Env(), t.data_ptr(), n, [](Napi::Env, void*, at::Tensor* k) { delete k; }, keep);
}

OP(op_item) {
  at::Tensor& t = argTensor(info, 0);
  if (t.numel() != 1) {
    throw std::invalid_argument("a tensor with " + std::to_string(t.numel()) + " elements cannot be converted to a number");
  }
  return Napi::Number::New(info.Env(), t.item().toDouble());
}

OP(op_to) {
  at::Tensor& t = argTensor(info, 0);
  at::TensorOptions o = t.options();
  if (info[1].IsString()) o = o.dtype(parseDtype(argString(info, 1)));
  if (info.Length() > 2 && info[2].IsString()) o = o.device(parseDevice(argString(info, 2)));
  return wrap(info.Env(), t.to(o));
}

OP(op_clone) { return wrap(info.Env(), argTensor(info, 0).clone()); }
OP(op_contiguous) { return wrap(info.Env(), argTensor(info, 0).contiguous()); }
OP(op_alias) { return wrap(info.Env(), argTensor(info, 0)); }
OP(op_isContiguous) { return Napi::Boolean::New(info.Env(), argTensor(info, 0).is_contiguous()); }
OP(op_toString) {
  std::ostringstream s;
  s << argTensor(info, 0);
  return Napi::String::New(info.Env(), s.str());
}

// ---- autograd -------------------------------------------------------------------------------

OP(op_requiresGrad) { return Napi::Boolean::New(info.Env(), argTensor(info, 0).requires_grad()); }
OP(op_setRequiresGrad) {
  argTensor(info, 0).requires_grad_(argBool(info, 1));
  return info.Env().Undefined();
}
OP(op_isLeaf) { return Napi::Boolean::New(info.Env(), argTensor(info, 0).is_leaf()); }
OP(op_grad) {
  const at::Tensor& g = argTensor(info, 0).grad();
  if (!g.defined()) return info.Env().Null();
  return wrap(info.Env(), g);
}
OP(op_setGrad) {
  at::Tensor& t = argTensor(info, 0);
  auto g = argOptTensor(info, 1);
  t.mutable_grad() = g ? *g : at::Tensor();
  return info.Env().Undefined();
}
OP(op_backward) {
  at::Tensor& t = argTensor(info, 0);
  auto grad = argOptTensor(info, 1);
  bool retain = info.Length() > 2 && info[2].IsBoolean() && info[2].As<Napi::Boolean>().Value();
  t.backward(grad ? *grad : at::Tensor(), retain);
  return info.Env().Undefined();
}
OP(op_detach) { return wrap(info.Env(), argTensor(info, 0).detach()); }
/** setData(t, src): t's data becomes src's (Tensor.data = src in PyTorch), keeping t's identity. */
OP(op_setData) {
  argTensor(info, 0).set_data(argTensor(info, 1));
  return info.Env().Undefined();
}
OP(op_setGradEnabled) {
  c10::GradMode::set_enabled(argBool(info, 0));
  return info.Env().Undefined();
}
OP(op_isGradEnabled) { return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled()); }

// ---- control and memory ---------------------------------------------------------------------

OP(op_manualSeed) {
  at::manual_seed(static_cast<uint64_t>(argInt(info, 0)));
  return info.Env().Undefined();
}
OP(op_setNumThreads) {
  at::set_num_threads(static_cast<int>(argInt(info, 0)));
  return info.Env().Undefined();
}
OP(op_getNumThreads) { return Napi::Number::New(info.Env(), at::get_num_threads()); }
OP(op_cudaIsAvailable) { return Napi::Boolean::New(info.Env(), at::hasCUDA()); }
OP(op_cudaDeviceCount) {
  return Napi::Number::New(info.Env(), at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0);
}
OP(op_cudaSynchronize) {
  if (at::hasCUDA()) at::detail::getCUDAHooks().deviceSynchronize(at::detail::getCUDAHooks().current_device());
  return info.Env().Undefined();
}
OP(op_memoryStats) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("liveTensors", Napi::Number::New(info.Env(), static_cast<double>(g_live_handles)));
  o.Set("liveBytes", Napi::Number::New(info.Env(), static_cast<double>(g_live_bytes)));
  return o;
}
/** Returns freed heap pages to the OS (glibc malloc_trim); cheap between training steps. */
OP(op_mallocTrim) { return Napi::Boolean::New(info.Env(), malloc_trim(0) == 1); }
OP(op_libtorchVersion) { return Napi::String::New(info.Env(), TORCH_VERSION); }
OP(op_isTensor) { return Napi::Boolean::New(info.Env(), isTensor(info[0])); }

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeTensor", TensorHandle::Init(env));
  EXPORT(op_empty); EXPORT(op_zeros); EXPORT(op_ones); EXPORT(op_full); EXPORT(op_arange);
  EXPORT(op_rand); EXPORT(op_randn); EXPORT(op_randint); EXPORT(op_randperm);
  EXPORT(op_fromBuffer); EXPORT(op_toBuffer); EXPORT(op_item); EXPORT(op_to); EXPORT(op_clone);
  EXPORT(op_contiguous); EXPORT(op_alias); EXPORT(op_isContiguous); EXPORT(op_toString);
  EXPORT(op_requiresGrad); EXPORT(op_setRequiresGrad); EXPORT(op_isLeaf); EXPORT(op_grad);
  EXPORT(op_setGrad); EXPORT(op_backward); EXPORT(op_detach); EXPORT(op_setData); EXPORT(op_setGradEnabled);
  EXPORT(op_isGradEnabled); EXPORT(op_manualSeed); EXPORT(op_setNumThreads);
  EXPORT(op_getNumThreads); EXPORT(op_cudaIsAvailable); EXPORT(op_cudaDeviceCount);
  EXPORT(op_cudaSynchronize); EXPORT(op_memoryStats); EXPORT(op_mallocTrim);
  EXPORT(op_libtorchVersion); EXPORT(op_isTensor);
  registerOps(env, exports);
  registerOpsNN(env, exports);
  registerOpsRng(env, exports);
  registerOpsDist(env, exports);
  return exports;
}

NODE_API_MODULE(contraseg, Init)
