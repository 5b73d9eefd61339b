// Tensor-level bindings: creation, data access, autograd, dtype/device, seeds, threads, memory.
#include "common.h"
#include <c10/core/GradMode.h>
#include <ATen/Parallel.h>
#include <malloc.h>
#include <torch/version.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <cmath>
#include <cstring>
#include <sstream>

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

namespace cs {
void registerOpsTensor(Napi::Env env, Napi::Object exports) {
#define OPS_TENSOR CS_EXPORT
#include "ops.def"
}
}  // namespace cs
