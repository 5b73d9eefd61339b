#!/usr/bin/env bash
# Builds the addon against the CUDA LibTorch of the Python torch wheel on a GPU machine (no
# network, no Node install) and runs the engine benchmark and the demo on the GPU.
# Prepared beforehand in the checkout (ignored folder .devtools/): node.xz (a stripped Node 20
# binary), nm.tar.xz (production node_modules), node-include/ (node_api headers); dist/ built.
# Results go to $OUT.
set -uo pipefail
mkdir -p /tmp/nodebin && xz -dc .devtools/node.xz > /tmp/nodebin/node && chmod +x /tmp/nodebin/node
export PATH=/tmp/nodebin:$PATH
tar -xJf .devtools/nm.tar.xz
T=$(python3 -c "import torch,os;print(os.path.dirname(torch.__file__))")
ABI=$(python3 -c "import torch;print(int(torch._C._GLIBCXX_USE_CXX11_ABI))")
nvidia-smi -L; python3 -c "import torch;print('python torch', torch.__version__, torch.cuda.is_available())"; g++ --version | head -1
mkdir -p native/build/Release
# nccl.h of the wheel's nvidia-nccl package: the addon's c10d then has NCCL (native/src/dist.cc).
NCCL_DIR=$(python3 -c "import nvidia.nccl as n;print(list(n.__path__)[0])" 2>/dev/null)
NCCL_INC=""; [ -f "$NCCL_DIR/include/nccl.h" ] && NCCL_INC="-I$NCCL_DIR/include"
build() {
  for f in native/src/*.cc; do
    g++ -O2 -std=$1 -fPIC -c "$f" -o "/tmp/$(basename "$f").o" -DNAPI_CPP_EXCEPTIONS -DNODE_ADDON_API_CPP_EXCEPTIONS_ALL -DCONTRASEG_CUDA $NCCL_INC \
      -D_GLIBCXX_USE_CXX11_ABI="$ABI" -Inode_modules/node-addon-api -I.devtools/node-include -I"$T/include" \
      -I"$T/include/torch/csrc/api/include" -Wno-deprecated-declarations 2>&1 | grep -E "error" | head -20 &
  done
  wait
  g++ -shared -o native/build/Release/contraseg.node /tmp/*.cc.o -L"$T/lib" -Wl,-rpath,"$T/lib" \
    -Wl,--no-as-needed -ltorch_cuda -lc10_cuda -Wl,--as-needed -ltorch -ltorch_cpu -lc10
}
t0=$(date +%s); build c++17 || build c++20; echo "addon build $(( $(date +%s) - t0 )) s"
node -e "import('./dist/src/torch/index.js').then(t=>console.log('addon: LibTorch', t.libtorchVersion(), 'cuda', t.cuda.isAvailable(), 'devices', t.cuda.deviceCount()))" 2>&1 | tee "$OUT/cuda-check.txt"
node bin/contraseg.js bench engine --device cuda --python python3 --steps 20 --json 2>&1 | tee "$OUT/bench-cuda.json"
timeout 240 node bin/contraseg.js demo --device cuda --json 2>&1 | tail -5 | tee "$OUT/demo-cuda.json"
timeout 240 node bin/contraseg.js bench distributed --device cuda --json 2>&1 | tail -5 | tee "$OUT/bench-distributed-cuda.json"
