// Shared helpers of the contraseg N-API addon: the Tensor handle class, argument conversion, and
// the OP(...) macro that turns every LibTorch error into a JavaScript Error naming the op and the
// shapes of its tensor arguments (so a bad shape never aborts the process).
#pragma once
#define NAPI_VERSION 8
#include <napi.h>
#include <ATen/ATen.h>
#include <string>
#include <stdexcept>
#include <vector>

namespace cs {

/** A JavaScript handle owning one reference to an at::Tensor. */
class TensorHandle : public Napi::ObjectWrap<TensorHandle> {
 public:
  static Napi::Function Init(Napi::Env env);
  static Napi::Value Wrap(Napi::Env env, at::Tensor t);
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

/** A misuse of a binding's arguments (wrong type, disposed tensor); becomes a JS TypeError. */
struct ArgError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

/** Live handle count and bytes reported to V8, for leak tests and memory reports. */
extern int64_t g_live_handles;
extern int64_t g_live_bytes;

// Argument conversion. Each throws a JS TypeError naming the argument position on misuse.
at::Tensor& argTensor(const Napi::CallbackInfo& info, size_t i);
c10::optional<at::Tensor> argOptTensor(const Napi::CallbackInfo& info, size_t i);
std::vector<at::Tensor> argTensorList(const Napi::CallbackInfo& info, size_t i);
int64_t argInt(const Napi::CallbackInfo& info, size_t i);
c10::optional<int64_t> argOptInt(const Napi::CallbackInfo& info, size_t i);
double argDouble(const Napi::CallbackInfo& info, size_t i);
c10::optional<double> argOptDouble(const Napi::CallbackInfo& info, size_t i);
bool argBool(const Napi::CallbackInfo& info, size_t i);
std::vector<int64_t> argInts(const Napi::CallbackInfo& info, size_t i);
std::string argString(const Napi::CallbackInfo& info, size_t i);
at::Scalar argScalar(const Napi::CallbackInfo& info, size_t i);
bool isTensor(const Napi::Value& v);
at::ScalarType parseDtype(const std::string& name);
std::string dtypeName(at::ScalarType t);
at::Device parseDevice(const std::string& name);
at::TensorOptions argOptions(const Napi::CallbackInfo& info, size_t dtypeIdx, size_t deviceIdx);

Napi::Value wrap(Napi::Env env, at::Tensor t);
Napi::Value wrapList(Napi::Env env, const std::vector<at::Tensor>& ts);

/** Runs body, converting c10 and std exceptions into JS Errors that name the op and arguments. */
[[noreturn]] void rethrowAsJs(const char* op, const Napi::CallbackInfo& info);

using Binding = Napi::Value (*)(const Napi::CallbackInfo&);
void registerOps(Napi::Env env, Napi::Object exports);
void registerOpsNN(Napi::Env env, Napi::Object exports);
void registerOpsRng(Napi::Env env, Napi::Object exports);
void registerOpsDist(Napi::Env env, Napi::Object exports);

}  // namespace cs

// OP(name) { body returning Napi::Value } defines cs_op_name with uniform error handling.
#define OP(name)                                                         \
  static Napi::Value name##_body(const Napi::CallbackInfo& info);        \
  static Napi::Value name(const Napi::CallbackInfo& info) {              \
    try {                                                                \
      return name##_body(info);                                          \
    } catch (const Napi::Error&) {                                       \
      throw;                                                             \
    } catch (...) {                                                      \
      cs::rethrowAsJs(#name, info);                                      \
    }                                                                    \
  }                                                                      \
  static Napi::Value name##_body(const Napi::CallbackInfo& info)

#define EXPORT(name) exports.Set(#name, Napi::Function::New(env, name, #name))
