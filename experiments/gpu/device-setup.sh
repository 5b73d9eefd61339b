# Sourced on a GPU machine (no network, no Node) from the repository root, with .devtools/
# carried (experiments/gpu/prepare.sh): puts Node on PATH, unpacks node_modules and dist/, builds
# the addon against the LibTorch inside Python's torch wheel (CUDA when the wheel has it).
# TORCH_DIR overrides the LibTorch (a folder with include/ and lib/).
mkdir -p /tmp/nodebin
xz -dc .devtools/node.xz >/tmp/nodebin/node && chmod +x /tmp/nodebin/node
export PATH=/tmp/nodebin:$PATH
tar -xJf .devtools/nm.tar.xz
tar -xJf .devtools/dist.tar.xz
T=${TORCH_DIR:-$(python3 -c "import torch, os; print(os.path.dirname(torch.__file__))")}
ABI=$(python3 -c "import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))" 2>/dev/null || echo 1)
cuda_libs=() cuda_flags=()
if [ -f "$T/lib/libtorch_cuda.so" ]; then
  cuda_libs=(-Wl,--no-as-needed -ltorch_cuda -lc10_cuda -Wl,--as-needed)
  cuda_flags=(-DCONTRASEG_CUDA)
  # nccl.h of the wheel's nvidia-nccl package gives c10d its NCCL backend (native/src/dist.cc);
  # its c10d headers also include the toolkit's cuda.h (missing on 2026-11-30, so dist.cc did not
  # compile there: docs/results.md, "GPU runs").
  nccl=$(python3 -c "import nvidia.nccl as n; print(list(n.__path__)[0])" 2>/dev/null)
  [ -f "$nccl/include/nccl.h" ] && cuda_flags+=("-I$nccl/include")
  for d in "${CUDA_HOME:-/usr/local/cuda}/include" \
    "$(python3 -c "import nvidia.cuda_runtime as n; print(list(n.__path__)[0])" 2>/dev/null)/include"; do
    [ -f "$d/cuda.h" ] && cuda_flags+=("-I$d") && break
  done
fi
build_addon() {
  local std=$1 objs=/tmp/addon-obj
  rm -rf "$objs" && mkdir -p "$objs" native/build/Release
  for f in native/src/*.cc; do
    g++ -O2 -std="$std" -fPIC -c "$f" -o "$objs/$(basename "$f").o" -DNAPI_CPP_EXCEPTIONS \
      -DNODE_ADDON_API_CPP_EXCEPTIONS_ALL -D_GLIBCXX_USE_CXX11_ABI="$ABI" "${cuda_flags[@]}" \
      -Inode_modules/node-addon-api -I.devtools/node-include -I"$T/include" \
      -I"$T/include/torch/csrc/api/include" -Wno-deprecated-declarations 2>&1 | grep -E "error" | head -20 &
  done
  wait
  # Every native/src/*.cc is compiled (addon.cc, handle.cc, args.cc, the binding files; they
  # include native/src/ops.def, the table of ops). c10d's API moves between LibTorch versions:
  # without dist.cc the addon still trains, and torch.distributed says it is not built (the stub
  # stands in for registerOpsDist, dist.cc's registration of its rows of the table).
  if [ ! -f "$objs/dist.cc.o" ]; then
    echo "native/src/dist.cc did not compile against $T: the addon is built without torch.distributed"
    cat >/tmp/dist-stub.cc <<'STUB'
#include <napi.h>
namespace cs {
// No c10d backend: torch.distributed reports that this build has none.
void registerOpsDist(Napi::Env env, Napi::Object exports) {
  exports.Set("dist_backends", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Array::New(info.Env());
  }));
}
}  // namespace cs
STUB
    g++ -std="$std" -fPIC -c /tmp/dist-stub.cc -o "$objs/dist.cc.o" -DNAPI_CPP_EXCEPTIONS \
      -Inode_modules/node-addon-api -I.devtools/node-include
  fi
  g++ -shared -o native/build/Release/contraseg.node "$objs"/*.o -L"$T/lib" -Wl,-rpath,"$T/lib" \
    "${cuda_libs[@]}" -ltorch -ltorch_cpu -lc10
}
t0=$(date +%s)
build_addon c++17 || build_addon c++20
echo "addon built in $(($(date +%s) - t0)) s against $T"
node -e "import('./dist/src/torch/index.js').then(t => console.log('addon: LibTorch', t.libtorchVersion(), 'cuda', t.cuda.isAvailable(), 'devices', t.cuda.deviceCount()))"
