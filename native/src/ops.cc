// Bindings for views, indexing, elementwise math, comparisons, reductions and linear algebra:
// one binding per ATen op, no logic beyond argument conversion.
#include "common.h"

using namespace cs;

// Second operand of a binary op: a Tensor or a number.
#define BINARY(name, fn)                                                     \
  OP(name) {                                                                 \
    at::Tensor& a = argTensor(info, 0);                                      \
    if (isTensor(info[1])) return wrap(info.Env(), fn(a, argTensor(info, 1))); \
    if (!info[1].IsNumber() && !info[1].IsBoolean())                         \
      throw ArgError("argument 1 is not a Tensor or a number");              \
    return wrap(info.Env(), fn(a, argScalar(info, 1)));                      \
  }
#define BINARY_INPLACE(name, method)                                        \
  OP(name) {                                                                 \
    at::Tensor& a = argTensor(info, 0);                                      \
    if (isTensor(info[1])) a.method(argTensor(info, 1));                     \
    else a.method(argScalar(info, 1));                                       \
    return info.Env().Undefined();                                           \
  }
#define UNARY(name, fn) \
  OP(name) { return wrap(info.Env(), fn(argTensor(info, 0))); }
#define UNARY_INPLACE(name, method) \
  OP(name) { argTensor(info, 0).method(); return info.Env().Undefined(); }

// ---- views and shape --------------------------------------------------------------------------
OP(op_reshape) { return wrap(info.Env(), argTensor(info, 0).reshape(argInts(info, 1))); }
OP(op_view) { return wrap(info.Env(), argTensor(info, 0).view(argInts(info, 1))); }
OP(op_permute) { return wrap(info.Env(), argTensor(info, 0).permute(argInts(info, 1))); }
OP(op_transpose) { return wrap(info.Env(), argTensor(info, 0).transpose(argInt(info, 1), argInt(info, 2))); }
OP(op_slice) {
  return wrap(info.Env(), argTensor(info, 0).slice(argInt(info, 1), argOptInt(info, 2), argOptInt(info, 3), argInt(info, 4)));
}
OP(op_select) { return wrap(info.Env(), argTensor(info, 0).select(argInt(info, 1), argInt(info, 2))); }
OP(op_narrow) { return wrap(info.Env(), argTensor(info, 0).narrow(argInt(info, 1), argInt(info, 2), argInt(info, 3))); }
OP(op_squeeze) {
  auto d = argOptInt(info, 1);
  return wrap(info.Env(), d ? argTensor(info, 0).squeeze(*d) : argTensor(info, 0).squeeze());
}
OP(op_unsqueeze) { return wrap(info.Env(), argTensor(info, 0).unsqueeze(argInt(info, 1))); }
OP(op_flatten) { return wrap(info.Env(), argTensor(info, 0).flatten(argInt(info, 1), argInt(info, 2))); }
OP(op_expand) { return wrap(info.Env(), argTensor(info, 0).expand(argInts(info, 1))); }
OP(op_repeat) { return wrap(info.Env(), argTensor(info, 0).repeat(argInts(info, 1))); }
OP(op_flip) { return wrap(info.Env(), argTensor(info, 0).flip(argInts(info, 1))); }
OP(op_roll) { return wrap(info.Env(), argTensor(info, 0).roll(argInts(info, 1), argInts(info, 2))); }
OP(op_cat) { return wrap(info.Env(), at::cat(argTensorList(info, 0), argInt(info, 1))); }
OP(op_stack) { return wrap(info.Env(), at::stack(argTensorList(info, 0), argInt(info, 1))); }
OP(op_split) { return wrapList(info.Env(), argTensor(info, 0).split_with_sizes(argInts(info, 1), argInt(info, 2))); }

// ---- indexing ---------------------------------------------------------------------------------
OP(op_indexSelect) { return wrap(info.Env(), argTensor(info, 0).index_select(argInt(info, 1), argTensor(info, 2))); }
OP(op_gather) { return wrap(info.Env(), argTensor(info, 0).gather(argInt(info, 1), argTensor(info, 2))); }
OP(op_scatter) {
  at::Tensor& a = argTensor(info, 0);
  if (isTensor(info[3])) return wrap(info.Env(), a.scatter(argInt(info, 1), argTensor(info, 2), argTensor(info, 3)));
  return wrap(info.Env(), a.scatter(argInt(info, 1), argTensor(info, 2), argScalar(info, 3)));
}
OP(op_scatterAdd) {
  return wrap(info.Env(), argTensor(info, 0).scatter_add(argInt(info, 1), argTensor(info, 2), argTensor(info, 3)));
}
// LibTorch 1.13 silently ignores a float mask in masked_fill (later versions reject it).
static const at::Tensor& boolMask(const at::Tensor& m) {
  if (m.scalar_type() != at::kBool && m.scalar_type() != at::kByte) {
    throw std::invalid_argument("the mask must be bool, got " + dtypeName(m.scalar_type()));
  }
  return m;
}
OP(op_maskedFill) {
  at::Tensor& a = argTensor(info, 0);
  boolMask(argTensor(info, 1));
  if (isTensor(info[2])) return wrap(info.Env(), a.masked_fill(argTensor(info, 1), argTensor(info, 2)));
  return wrap(info.Env(), a.masked_fill(argTensor(info, 1), argScalar(info, 2)));
}
OP(op_maskedSelect) { return wrap(info.Env(), argTensor(info, 0).masked_select(argTensor(info, 1))); }
OP(op_where) {
  at::Tensor& c = argTensor(info, 0);
  bool ta = isTensor(info[1]), tb = isTensor(info[2]);
  if (ta && tb) return wrap(info.Env(), at::where(c, argTensor(info, 1), argTensor(info, 2)));
  if (ta) return wrap(info.Env(), at::where(c, argTensor(info, 1), argScalar(info, 2)));
  if (tb) return wrap(info.Env(), at::where(c, argScalar(info, 1), argTensor(info, 2)));
  return wrap(info.Env(), at::where(c, argScalar(info, 1), argScalar(info, 2)));
}
OP(op_nonzero) { return wrap(info.Env(), argTensor(info, 0).nonzero()); }
OP(op_indexPut) {
  // indexPut(t, index (int64 along dim 0), values, accumulate) -> new tensor
  c10::List<c10::optional<at::Tensor>> idx;
  idx.push_back(argTensor(info, 1));
  return wrap(info.Env(), argTensor(info, 0).index_put(idx, argTensor(info, 2), argBool(info, 3)));
}

// ---- elementwise ------------------------------------------------------------------------------
BINARY(op_add, at::add)
BINARY(op_sub, at::sub)
BINARY(op_mul, at::mul)
BINARY(op_div, at::div)
BINARY(op_pow, at::pow)
BINARY(op_remainder, at::remainder)
BINARY(op_eq, at::eq)
BINARY(op_ne, at::ne)
BINARY(op_lt, at::lt)
BINARY(op_le, at::le)
BINARY(op_gt, at::gt)
BINARY(op_ge, at::ge)
OP(op_maximum) { return wrap(info.Env(), at::maximum(argTensor(info, 0), argTensor(info, 1))); }
OP(op_minimum) { return wrap(info.Env(), at::minimum(argTensor(info, 0), argTensor(info, 1))); }
OP(op_logicalAnd) { return wrap(info.Env(), at::logical_and(argTensor(info, 0), argTensor(info, 1))); }
OP(op_logicalOr) { return wrap(info.Env(), at::logical_or(argTensor(info, 0), argTensor(info, 1))); }
OP(op_logicalXor) { return wrap(info.Env(), at::logical_xor(argTensor(info, 0), argTensor(info, 1))); }
UNARY(op_logicalNot, at::logical_not)
OP(op_rsub) { return wrap(info.Env(), at::rsub(argTensor(info, 0), argScalar(info, 1))); }
UNARY(op_neg, at::neg)
UNARY(op_abs, at::abs)
UNARY(op_exp, at::exp)
UNARY(op_log, at::log)
UNARY(op_log1p, at::log1p)
UNARY(op_sqrt, at::sqrt)
UNARY(op_rsqrt, at::rsqrt)
UNARY(op_sigmoid, at::sigmoid)
UNARY(op_tanh, at::tanh)
UNARY(op_sin, at::sin)
UNARY(op_cos, at::cos)
UNARY(op_floor, at::floor)
UNARY(op_ceil, at::ceil)
UNARY(op_round, at::round)
UNARY(op_sign, at::sign)
UNARY(op_reciprocal, at::reciprocal)
UNARY(op_square, at::square)
UNARY(op_isnan, at::isnan)
UNARY(op_isfinite, at::isfinite)
// An optional Scalar argument (clamp bounds): integral numbers stay integers, see argScalar.
static c10::optional<at::Scalar> optScalarArg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || info[i].IsUndefined() || info[i].IsNull()) return c10::nullopt;
  return argScalar(info, i);
}
OP(op_clamp) {
  return wrap(info.Env(), at::clamp(argTensor(info, 0), optScalarArg(info, 1), optScalarArg(info, 2)));
}
OP(op_lerp) { return wrap(info.Env(), at::lerp(argTensor(info, 0), argTensor(info, 1), argScalar(info, 2))); }

// In-place (optimisers, running statistics). Return undefined; the JS side returns `this`.
BINARY_INPLACE(op_add_, add_)
BINARY_INPLACE(op_sub_, sub_)
BINARY_INPLACE(op_mul_, mul_)
BINARY_INPLACE(op_div_, div_)
UNARY_INPLACE(op_zero_, zero_)
UNARY_INPLACE(op_relu_, relu_)
UNARY_INPLACE(op_sqrt_, sqrt_)
OP(op_fill_) { argTensor(info, 0).fill_(argScalar(info, 1)); return info.Env().Undefined(); }
OP(op_copy_) { argTensor(info, 0).copy_(argTensor(info, 1)); return info.Env().Undefined(); }
OP(op_clamp_) {
  argTensor(info, 0).clamp_(optScalarArg(info, 1), optScalarArg(info, 2));
  return info.Env().Undefined();
}
OP(op_addScaled_) {
  // a += alpha * b
  argTensor(info, 0).add_(argTensor(info, 1), argScalar(info, 2));
  return info.Env().Undefined();
}
OP(op_addcmul_) {
  argTensor(info, 0).addcmul_(argTensor(info, 1), argTensor(info, 2), argScalar(info, 3));
  return info.Env().Undefined();
}
OP(op_addcdiv_) {
  argTensor(info, 0).addcdiv_(argTensor(info, 1), argTensor(info, 2), argScalar(info, 3));
  return info.Env().Undefined();
}
OP(op_maskedFill_) {
  argTensor(info, 0).masked_fill_(boolMask(argTensor(info, 1)), argScalar(info, 2));
  return info.Env().Undefined();
}

// ---- reductions -------------------------------------------------------------------------------
// sum/mean(t, dims (empty = all), keepdim, dtype?)
OP(op_sum) {
  at::Tensor& t = argTensor(info, 0);
  auto dims = argInts(info, 1);
  c10::optional<at::ScalarType> dt;
  if (info.Length() > 3 && info[3].IsString()) dt = parseDtype(argString(info, 3));
  if (dims.empty()) return wrap(info.Env(), at::sum(t, dt));
  return wrap(info.Env(), at::sum(t, dims, argBool(info, 2), dt));
}
OP(op_mean) {
  at::Tensor& t = argTensor(info, 0);
  auto dims = argInts(info, 1);
  if (dims.empty()) return wrap(info.Env(), at::mean(t));
  return wrap(info.Env(), at::mean(t, dims, argBool(info, 2)));
}
OP(op_prod) { return wrap(info.Env(), at::prod(argTensor(info, 0))); }
OP(op_var) {
  at::Tensor& t = argTensor(info, 0);
  auto dims = argInts(info, 1);
  int64_t correction = argInt(info, 3);
  if (dims.empty()) return wrap(info.Env(), at::var(t, at::OptionalIntArrayRef(), correction, false));
  return wrap(info.Env(), at::var(t, at::OptionalIntArrayRef(dims), correction, argBool(info, 2)));
}
// max/min(t) -> scalar tensor; max/min(t, dim, keepdim) -> [values, indices]
OP(op_max) {
  at::Tensor& t = argTensor(info, 0);
  auto d = argOptInt(info, 1);
  if (!d) return wrap(info.Env(), t.max());
  auto r = at::max(t, *d, argBool(info, 2));
  return wrapList(info.Env(), {std::get<0>(r), std::get<1>(r)});
}
OP(op_min) {
  at::Tensor& t = argTensor(info, 0);
  auto d = argOptInt(info, 1);
  if (!d) return wrap(info.Env(), t.min());
  auto r = at::min(t, *d, argBool(info, 2));
  return wrapList(info.Env(), {std::get<0>(r), std::get<1>(r)});
}
OP(op_argmax) { return wrap(info.Env(), at::argmax(argTensor(info, 0), argOptInt(info, 1), argBool(info, 2))); }
OP(op_argmin) { return wrap(info.Env(), at::argmin(argTensor(info, 0), argOptInt(info, 1), argBool(info, 2))); }
OP(op_logsumexp) { return wrap(info.Env(), at::logsumexp(argTensor(info, 0), argInts(info, 1), argBool(info, 2))); }
OP(op_norm) {
  return wrap(info.Env(), at::norm(argTensor(info, 0), argScalar(info, 1), argInts(info, 2), argBool(info, 3)));
}
OP(op_cumsum) { return wrap(info.Env(), at::cumsum(argTensor(info, 0), argInt(info, 1))); }
OP(op_any) { return wrap(info.Env(), at::any(argTensor(info, 0))); }
OP(op_all) { return wrap(info.Env(), at::all(argTensor(info, 0))); }
OP(op_sort) {
  auto r = at::sort(argTensor(info, 0), argInt(info, 1), argBool(info, 2));
  return wrapList(info.Env(), {std::get<0>(r), std::get<1>(r)});
}
OP(op_topk) {
  auto r = at::topk(argTensor(info, 0), argInt(info, 1), argInt(info, 2), argBool(info, 3), true);
  return wrapList(info.Env(), {std::get<0>(r), std::get<1>(r)});
}
OP(op_quantile) {
  return wrap(info.Env(), at::quantile(argTensor(info, 0), argDouble(info, 1), argOptInt(info, 2), argBool(info, 3)));
}
OP(op_bincount) {
  return wrap(info.Env(), at::bincount(argTensor(info, 0), argOptTensor(info, 1), argInt(info, 2)));
}

// ---- linear algebra ---------------------------------------------------------------------------
OP(op_matmul) { return wrap(info.Env(), at::matmul(argTensor(info, 0), argTensor(info, 1))); }
OP(op_einsum) { return wrap(info.Env(), at::einsum(argString(info, 0), argTensorList(info, 1))); }

namespace cs {
void registerOps(Napi::Env env, Napi::Object exports) {
#define OPS_MATH CS_EXPORT
#include "ops.def"
}
}  // namespace cs
