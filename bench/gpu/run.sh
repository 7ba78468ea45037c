#!/usr/bin/env bash
# Runs `layerwise bench` on a lent GPU machine from the .gpu/ payload of scripts/gpu-payload.sh: unpacks Node, Dawn and
# the Vulkan loader, points Vulkan at the NVIDIA driver, runs the bench (default: mini and base on webgpu against
# PyTorch CUDA fp32) into $OUT/bench.jsonl (or .gpu/) with the GPU facts in gpu-info.txt.
# Usage (repo root): bash bench/gpu/run.sh [bench flags...]
set -euo pipefail
cd "$(dirname "$0")/../.."
GPU=.gpu
OUT_DIR=${OUT:-$GPU}
[ -f "$GPU/layerwise-bench.mjs" ] || { echo "no $GPU payload: run scripts/gpu-payload.sh first and carry .gpu" >&2; exit 2; }

# Unpack once (a warm machine keeps the unpacked files).
if [ -f "$GPU/node.xz" ]; then xz -d -f "$GPU/node.xz"; fi
chmod +x "$GPU/node"
dawn="$GPU/node_modules/webgpu/dist/linux-x64/dawn.node"
if [ -f "$dawn.xz" ]; then xz -d -f "$dawn.xz"; fi
if ! ldconfig -p | grep -q libvulkan.so.1; then
  for deb in "$GPU"/gl/*.deb; do dpkg -x "$deb" /; done
  ldconfig
fi
if [ -z "${VK_ICD_FILENAMES:-}" ]; then
  VK_ICD_FILENAMES=$(find / -name 'nvidia_icd*.json' -not -path '/proc/*' 2>/dev/null | head -1 || true)
  export VK_ICD_FILENAMES
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
mkdir -p "$OUT_DIR"
{
  echo "VK_ICD_FILENAMES=$VK_ICD_FILENAMES"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || true
  nproc; grep -m1 'model name' /proc/cpuinfo || true; uptime
} > "$OUT_DIR/gpu-info.txt"

args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--model all --backend webgpu --profile)
"$GPU/node" "$GPU/layerwise-bench.mjs" "${args[@]}" --json | tee "$OUT_DIR/bench.jsonl"
