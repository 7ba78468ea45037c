#!/usr/bin/env bash
# Builds the .gpu/ payload of ../shared/GPU.md for `layerwise bench` on a lent GPU machine (no Node.js or network
# there): the bench bundled by esbuild, node and Dawn's dawn.node xz-compressed, the libvulkan1 .deb. .gpu/ is
# gitignored: carry it with the run (bench/gpu/run.sh). Usage (repo root): bash scripts/gpu-payload.sh
set -euo pipefail
cd "$(dirname "$0")/.."
GPU=.gpu
rm -rf "$GPU"
mkdir -p "$GPU/gl" "$GPU/node_modules/webgpu/dist"

# The bench as one ES module; `webgpu` stays external (it loads dawn.node beside itself). The banner gives the
# bundled CommonJS code (tfjs's Node builds, Emscripten) the require/__dirname it expects.
npx esbuild bench/gpu/entry.ts --bundle --platform=node --format=esm --target=node20 --external:webgpu \
  --outfile="$GPU/layerwise-bench.mjs" --log-level=warning \
  --banner:js="import { createRequire as __lwRequire } from 'node:module'; import { fileURLToPath as __lwPath } from 'node:url'; import { dirname as __lwDir } from 'node:path'; const require = __lwRequire(import.meta.url); const __filename = __lwPath(import.meta.url); const __dirname = __lwDir(__filename);"
# tfjs-backend-wasm finds its binaries next to the script (for a wasm run on that machine's CPUs).
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$GPU/"
# bench/torch_reference.py travels with the checkout; the bench finds it from the working directory.

xz -T2 -c "$(command -v node)" > "$GPU/node.xz"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$GPU/node_modules/webgpu/"
cp -r node_modules/webgpu/dist/linux-x64 "$GPU/node_modules/webgpu/dist/"
xz -T2 "$GPU/node_modules/webgpu/dist/linux-x64/dawn.node"

# The Vulkan loader (the driver's ICD comes with the NVIDIA driver there).
lists=$(mktemp -d)
apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists="$lists" -oDebug::NoLocking=1)
mkdir -p "$lists/partial"
apt-get "${apt_opts[@]}" update -qq
(cd "$GPU/gl" && apt-get "${apt_opts[@]}" download libvulkan1 -qq)
rm -rf "$lists"

du -sh "$GPU"
echo "payload ready: carry .gpu and run: bash bench/gpu/run.sh [--model base --backend webgpu]"
