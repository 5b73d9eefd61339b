// The state of LibTorch's default CPU generator, so that training runs can checkpoint and resume
// their random streams exactly (torch.get_rng_state / torch.set_rng_state).
#include "common.h"
#include <ATen/CPUGeneratorImpl.h>
#include <mutex>

using namespace cs;

OP(op_getRngState) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return wrap(info.Env(), gen.get_state());
}

OP(op_setRngState) {
  at::Tensor& state = argTensor(info, 0);
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
  return info.Env().Undefined();
}

namespace cs {
void registerOpsRng(Napi::Env env, Napi::Object exports) {
#define OPS_RNG CS_EXPORT
#include "ops.def"
}
}  // namespace cs
