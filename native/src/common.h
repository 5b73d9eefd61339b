// What every binding file includes: the tensor handle (handle.h), argument conversion and error
// translation (args.h), the OP(name) macro that gives every binding uniform error handling, and
// the registration of each file's ops from the table of native ops (ops.def).
#pragma once
#include "handle.h"
#include "args.h"

namespace cs {

// One per binding file; each sets the ops of its group in ops.def on the addon's exports.
void registerOpsTensor(Napi::Env env, Napi::Object exports);  // tensor.cc
void registerOps(Napi::Env env, Napi::Object exports);        // ops.cc
void registerOpsNN(Napi::Env env, Napi::Object exports);      // ops_nn.cc
void registerOpsRng(Napi::Env env, Napi::Object exports);     // rng.cc
void registerOpsDist(Napi::Env env, Napi::Object exports);    // dist.cc

}  // namespace cs

// OP(name) { body returning Napi::Value } defines the binding `name`: c10 errors and argument
// misuse become JavaScript errors naming the op and its tensor arguments (so a bad shape never
// aborts the process). A binding is exported by its row in ops.def; a binding without a row is
// an unused static function (a compiler warning).
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

// Inside a register function: sets the binding `name` on `exports` under its own name.
#define CS_EXPORT(name, signature) exports.Set(#name, Napi::Function::New(env, name, #name));
