// Bindings for deep-learning ops (convolution, normalisation, pooling, resampling, losses,
// spatial transforms) and the fused optimiser kernels.
#include "common.h"
#include <c10/core/GradMode.h>
#include <cmath>

using namespace cs;

// conv2d(x, w, b?, stride, padding, dilation, groups)
OP(op_conv2d) {
  return wrap(info.Env(), at::conv2d(argTensor(info, 0), argTensor(info, 1), argOptTensor(info, 2), argInts(info, 3),
                                     argInts(info, 4), argInts(info, 5), argInt(info, 6)));
}
// convTranspose2d(x, w, b?, stride, padding, outputPadding, groups, dilation)
OP(op_convTranspose2d) {
  return wrap(info.Env(), at::conv_transpose2d(argTensor(info, 0), argTensor(info, 1), argOptTensor(info, 2),
                                               argInts(info, 3), argInts(info, 4), argInts(info, 5), argInt(info, 6),
                                               argInts(info, 7)));
}
// pad(x, [left, right, top, bottom, ...], value): constant padding, last dimension first (F.pad).
OP(op_pad) { return wrap(info.Env(), at::constant_pad_nd(argTensor(info, 0), argInts(info, 1), argScalar(info, 2))); }
// padMode(x, [left, right, top, bottom], 'reflect' | 'replicate'): 2-D reflect/replicate padding.
OP(op_padMode) {
  int64_t mode = argChoice(info, 2, "padding mode", {"reflect", "replicate"});
  at::Tensor& x = argTensor(info, 0);
  auto p = argInts(info, 1);
  if (mode == 0) return wrap(info.Env(), at::reflection_pad2d(x, p));
  return wrap(info.Env(), at::replication_pad2d(x, p));
}
// batchNorm(x, weight?, bias?, runningMean?, runningVar?, training, momentum, eps)
OP(op_batchNorm) {
  return wrap(info.Env(), at::batch_norm(argTensor(info, 0), argOptTensor(info, 1), argOptTensor(info, 2),
                                         argOptTensor(info, 3), argOptTensor(info, 4), argBool(info, 5),
                                         argDouble(info, 6), argDouble(info, 7), true));
}
OP(op_relu) { return wrap(info.Env(), at::relu(argTensor(info, 0))); }
OP(op_leakyRelu) { return wrap(info.Env(), at::leaky_relu(argTensor(info, 0), argScalar(info, 1))); }
OP(op_dropout) { return wrap(info.Env(), at::dropout(argTensor(info, 0), argDouble(info, 1), argBool(info, 2))); }
// maxPool2d(x, kernel, stride, padding, dilation, ceilMode)
OP(op_maxPool2d) {
  return wrap(info.Env(), at::max_pool2d(argTensor(info, 0), argInts(info, 1), argInts(info, 2), argInts(info, 3),
                                         argInts(info, 4), argBool(info, 5)));
}
OP(op_avgPool2d) {
  return wrap(info.Env(), at::avg_pool2d(argTensor(info, 0), argInts(info, 1), argInts(info, 2), argInts(info, 3),
                                         argBool(info, 4), argBool(info, 5)));
}
// interpolate(x, [outH, outW], mode, alignCorners, scaleH?, scaleW?): with scale factors given, the
// source coordinates use 1/scale (F.interpolate(scale_factor=...)), else in/out sizes.
OP(op_interpolate) {
  at::Tensor& x = argTensor(info, 0);
  auto size = argInts(info, 1);
  int64_t mode = argChoice(info, 2, "interpolation mode", {"nearest", "bilinear", "bicubic"});
  bool align = argBool(info, 3);
  auto sh = argOptDouble(info, 4), sw = argOptDouble(info, 5);
  if (x.dim() != 4) throw std::invalid_argument("expected a 4-D (N, C, H, W) input, got " + std::to_string(x.dim()) + "-D");
  if (mode == 0) return wrap(info.Env(), at::upsample_nearest2d(x, size, sh, sw));
  if (mode == 1) return wrap(info.Env(), at::upsample_bilinear2d(x, size, align, sh, sw));
  return wrap(info.Env(), at::upsample_bicubic2d(x, size, align, sh, sw));
}
OP(op_softmax) { return wrap(info.Env(), at::softmax(argTensor(info, 0), argInt(info, 1))); }
OP(op_logSoftmax) { return wrap(info.Env(), at::log_softmax(argTensor(info, 0), argInt(info, 1))); }
OP(op_oneHot) { return wrap(info.Env(), at::one_hot(argTensor(info, 0), argInt(info, 1))); }
// A loss's reduction: 'none' | 'mean' | 'sum', as at::Reduction (None 0, Mean 1, Sum 2).
static int64_t argReduction(const Napi::CallbackInfo& info, size_t i) {
  static_assert(at::Reduction::None == 0 && at::Reduction::Mean == 1 && at::Reduction::Sum == 2,
                "at::Reduction's values");
  return argChoice(info, i, "reduction", {"none", "mean", "sum"});
}
// crossEntropy(logits, target, weight?, reduction, ignoreIndex, labelSmoothing)
OP(op_crossEntropy) {
  return wrap(info.Env(), at::cross_entropy_loss(argTensor(info, 0), argTensor(info, 1), argOptTensor(info, 2),
                                                 argReduction(info, 3), argInt(info, 4), argDouble(info, 5)));
}
// nllLoss(logProbs, target, weight?, reduction, ignoreIndex)
OP(op_nllLoss) {
  return wrap(info.Env(), at::nll_loss_nd(argTensor(info, 0), argTensor(info, 1), argOptTensor(info, 2),
                                          argReduction(info, 3), argInt(info, 4)));
}
// affineGrid(theta (N,2,3), [N, C, H, W], alignCorners)
OP(op_affineGrid) {
  return wrap(info.Env(), at::affine_grid_generator(argTensor(info, 0), argInts(info, 1), argBool(info, 2)));
}
// gridSample(x, grid, mode, paddingMode, alignCorners): the choices' indices are the values of
// ATen's GridSamplerInterpolation (Bilinear 0, Nearest 1, Bicubic 2) and GridSamplerPadding
// (Zeros 0, Border 1, Reflection 2).
OP(op_gridSample) {
  return wrap(info.Env(), at::grid_sampler(argTensor(info, 0), argTensor(info, 1),
                                           argChoice(info, 2, "grid sampling mode", {"bilinear", "nearest", "bicubic"}),
                                           argChoice(info, 3, "padding mode", {"zeros", "border", "reflection"}),
                                           argBool(info, 4)));
}

// ---- optimiser kernels (torch.optim single-tensor algorithms, PyTorch 1.13) --------------------

/**
 * adamStep(params, grads, expAvg, expAvgSq, step, lr, beta1, beta2, eps, weightDecay): one Adam
 * update of every parameter, exactly as torch.optim.Adam (amsgrad=False, maximize=False).
 */
OP(op_adamStep) {
  auto params = argTensorList(info, 0), grads = argTensorList(info, 1);
  auto m = argTensorList(info, 2), v = argTensorList(info, 3);
  double step = argDouble(info, 4), lr = argDouble(info, 5), b1 = argDouble(info, 6), b2 = argDouble(info, 7);
  double eps = argDouble(info, 8), wd = argDouble(info, 9);
  if (grads.size() != params.size() || m.size() != params.size() || v.size() != params.size()) {
    throw std::invalid_argument("params, grads and state lists differ in length");
  }
  at::NoGradGuard guard;
  double bc1 = 1 - std::pow(b1, step), bc2sqrt = std::sqrt(1 - std::pow(b2, step));
  for (size_t i = 0; i < params.size(); i++) {
    at::Tensor g = wd != 0 ? grads[i].add(params[i], wd) : grads[i];
    m[i].mul_(b1).add_(g, 1 - b1);
    v[i].mul_(b2).addcmul_(g, g, 1 - b2);
    at::Tensor denom = (v[i].sqrt() / bc2sqrt).add_(eps);
    params[i].addcdiv_(m[i], denom, -lr / bc1);
  }
  return info.Env().Undefined();
}

/**
 * sgdStep(params, grads, buffers, first, lr, momentum, dampening, weightDecay, nesterov): one step
 * of torch.optim.SGD; on the first step the momentum buffer is the gradient itself.
 */
OP(op_sgdStep) {
  auto params = argTensorList(info, 0), grads = argTensorList(info, 1), bufs = argTensorList(info, 2);
  bool first = argBool(info, 3);
  double lr = argDouble(info, 4), mom = argDouble(info, 5), damp = argDouble(info, 6), wd = argDouble(info, 7);
  bool nesterov = argBool(info, 8);
  at::NoGradGuard guard;
  for (size_t i = 0; i < params.size(); i++) {
    at::Tensor d = wd != 0 ? grads[i].add(params[i], wd) : grads[i];
    if (mom != 0) {
      if (first) bufs[i].copy_(d);
      else bufs[i].mul_(mom).add_(d, 1 - damp);
      d = nesterov ? d.add(bufs[i], mom) : bufs[i];
    }
    params[i].add_(d, -lr);
  }
  return info.Env().Undefined();
}

namespace cs {
void registerOpsNN(Napi::Env env, Napi::Object exports) {
#define OPS_NN CS_EXPORT
#include "ops.def"
}
}  // namespace cs
