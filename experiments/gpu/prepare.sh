#!/usr/bin/env bash
# Prepares what a GPU machine needs and cannot fetch (it has no network and no Node) in the
# ignored folder .devtools/:
#   node.xz        this machine's Node binary, stripped
#   nm.tar.xz      the runtime node_modules (the packages dist/ imports, with their dependencies)
#   node-include/  the N-API headers the addon compiles against
#   data.pack.xz   ../shared/data, compacted by pack-data.mjs
#   dist.tar.xz    the compiled JavaScript (dist/src, dist/bench), rebuilt every time
# Usage: bash experiments/gpu/prepare.sh [dataRoot]   (after `npm run build`; reruns keep the
# rest). The device tool then carries `.devtools` alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:-../shared/data}
mkdir -p .devtools
if [ ! -f .devtools/node.xz ]; then
  strip -o .devtools/node "$(command -v node)"
  xz -T0 -9 -f .devtools/node
fi
# Packages imported at run time (the CLI loads onnxruntime, esbuild and playwright lazily).
roots=(cli-progress commander h5wasm node-addon-api pngjs protobufjs zod)
if [ ! -f .devtools/nm.tar.xz ]; then
  node -e '
    const { readFileSync, existsSync } = require("node:fs");
    const seen = new Set();
    const visit = (name) => {
      if (seen.has(name)) return;
      const manifest = `node_modules/${name}/package.json`;
      if (!existsSync(manifest)) throw new Error(`${name} is not installed`);
      seen.add(name);
      const deps = JSON.parse(readFileSync(manifest, "utf8")).dependencies ?? {};
      Object.keys(deps).forEach(visit);
    };
    process.argv.slice(1).forEach(visit);
    console.log([...seen].map((n) => `node_modules/${n}`).join("\n"));
  ' "${roots[@]}" >.devtools/modules.txt
  tar -cJf .devtools/nm.tar.xz -T .devtools/modules.txt
fi
if [ ! -d .devtools/node-include ]; then
  mkdir -p .devtools/node-include
  cp /usr/include/node/{node_api.h,node_api_types.h,js_native_api.h,js_native_api_types.h} .devtools/node-include/
fi
[ -f .devtools/data.pack.xz ] || node experiments/gpu/pack-data.mjs "$data" .devtools/data.pack.xz
tar -cJf .devtools/dist.tar.xz --exclude='*.map' --exclude='*.d.ts' dist/src dist/bench
du -sh .devtools/*
