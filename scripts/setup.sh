#!/usr/bin/env bash
# Idempotent setup, run by `npm test` and `npm run demo`: Debian packages (LibTorch, and
# python3-torch & co. for parity tests and benchmarks, python3-onnx for the ONNX checker), npm packages, the native addon, and the
# TypeScript build. Each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_pkgs=()
if [ -z "${LIBTORCH:-}" ] && [ ! -f /usr/include/ATen/ATen.h ]; then apt_pkgs+=(libtorch-dev); fi
# Gloo's headers: the addon's c10d process group (data-parallel training over Gloo on the CPU).
if [ -z "${LIBTORCH:-}" ] && [ ! -f /usr/include/gloo/algorithm.h ]; then apt_pkgs+=(libgloo-dev); fi
if ! /usr/bin/python3 -c 'import torch, numpy, scipy, nibabel, h5py, onnx' 2>/dev/null; then
  apt_pkgs+=(python3-torch python3-numpy python3-scipy python3-nibabel python3-h5py python3-onnx)
fi
# Headless Chromium renders the curve PNGs of `contraseg report` and runs the report tests.
if [ ! -x /usr/bin/chromium ]; then apt_pkgs+=(chromium); fi
if [ "${#apt_pkgs[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo=sudo; else
    echo "setup: please install these Debian packages first: ${apt_pkgs[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${apt_pkgs[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
fi

# onnxruntime-node's install hook would fetch CUDA libraries from NuGet; contraseg uses its CPU
# build, which the npm package carries (.npmrc says the same for a plain `npm ci`).
export ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL:-skip}"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund # its install hook builds the native addon
fi
addon=native/build/Release/contraseg.node
if [ ! -f "$addon" ] || [ -n "$(find native/src native/binding.gyp /usr/include/gloo/algorithm.h -newer "$addon" 2>/dev/null)" ]; then
  node native/build.mjs
fi
npx tsc -p tsconfig.json
# Type-checks the browser page of `contraseg view` (DOM types, no Node types); `view` bundles it.
npx tsc -p src/web/tsconfig.json
