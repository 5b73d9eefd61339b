// The addon's entry point: the NativeTensor handle class and every group of ops of the table
// (ops.def), each registered by the file that holds its bodies.
#include "common.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeTensor", cs::TensorHandle::Init(env));
  cs::registerOpsTensor(env, exports);
  cs::registerOps(env, exports);
  cs::registerOpsNN(env, exports);
  cs::registerOpsRng(env, exports);
  cs::registerOpsDist(env, exports);
  return exports;
}

NODE_API_MODULE(contraseg, Init)
