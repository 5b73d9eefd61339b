// Argument conversion and error translation (see args.h).
#include "args.h"
#include "handle.h"
#include <cmath>
#include <sstream>

namespace cs {

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

int64_t argChoice(const Napi::CallbackInfo& info, size_t i, const char* what,
                  std::initializer_list<const char*> choices) {
  if (!info[i].IsString()) throw ArgError(position(i) + " (" + what + ") is not a string");
  const std::string s = info[i].As<Napi::String>().Utf8Value();
  int64_t k = 0;
  std::string names;
  for (const char* c : choices) {
    if (s == c) return k;
    names += (k == 0 ? "" : k + 1 == static_cast<int64_t>(choices.size()) ? " or " : ", ") + std::string(c);
    k++;
  }
  throw ArgError("unknown " + std::string(what) + " '" + s + "' (" + names + ")");
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
