// Entry point of the GPU payload (scripts/gpu-payload.sh bundles it into .gpu/layerwise-bench.mjs): `layerwise bench`
// alone, for a machine with a GPU but no Node.js toolchain (../shared/GPU.md). Same flags as `layerwise bench`.
import { run } from '../../src/cli/commands/bench';

process.exitCode = await run(process.argv.slice(2));
