// Argument conversion of the bindings and the translation of C++ errors into JavaScript errors.
// Every conversion throws ArgError naming the argument's position on misuse; rethrowAsJs (called
// by the OP macro of common.h) turns that into a TypeError and a LibTorch error into an Error whose
// message starts with the op's name and lists the dtypes and shapes of its tensor arguments.
#pragma once
#define NAPI_VERSION 8
#include <napi.h>
#include <ATen/ATen.h>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

namespace cs {

/** A misuse of a binding's arguments (wrong type, disposed tensor); becomes a JS TypeError. */
struct ArgError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

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
/**
 * A mode argument: a string that must be one of `choices` (PyTorch's names, e.g. reduction
 * 'none' | 'mean' | 'sum'); returns its index, which is the value of ATen's enum where one exists.
 * `what` names the argument in the error ("reduction", "interpolation mode").
 */
int64_t argChoice(const Napi::CallbackInfo& info, size_t i, const char* what,
                  std::initializer_list<const char*> choices);
at::ScalarType parseDtype(const std::string& name);
std::string dtypeName(at::ScalarType t);
at::Device parseDevice(const std::string& name);
at::TensorOptions argOptions(const Napi::CallbackInfo& info, size_t dtypeIdx, size_t deviceIdx);

/** Rethrows the exception in flight as a JS Error that names the op and its tensor arguments. */
[[noreturn]] void rethrowAsJs(const char* op, const Napi::CallbackInfo& info);

}  // namespace cs
