// The addon's entry point: the NativeTensor handle class and every group of ops of the table
// (ops.def), each registered by the file that holds its bodies.
#include "common.h"

// The op table this addon was compiled from, a "name<TAB>signature<LF>" line per row in the
// table's order (adjacent string literals). src/torch/native.ts compares its SHA-256 with the one
// native-api.ts was generated with, so an addon built from other sources (a checkout updated
// without `node native/build.mjs`) fails at load with one clear message, not at some later call.
#define CS_TABLE_ROW(name, signature) #name "\t" signature "\n"
#define OPS_TENSOR CS_TABLE_ROW
#define OPS_MATH CS_TABLE_ROW
#define OPS_NN CS_TABLE_ROW
#define OPS_RNG CS_TABLE_ROW
#define OPS_DIST CS_TABLE_ROW
static const char kOpTable[] =
#include "ops.def"
    "";
#undef CS_TABLE_ROW

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeTensor", cs::TensorHandle::Init(env));
  exports.Set("opTable", Napi::String::New(env, kOpTable));
  cs::registerOpsTensor(env, exports);
  cs::registerOps(env, exports);
  cs::registerOpsNN(env, exports);
  cs::registerOpsRng(env, exports);
  cs::registerOpsDist(env, exports);
  return exports;
}

NODE_API_MODULE(contraseg, Init)
