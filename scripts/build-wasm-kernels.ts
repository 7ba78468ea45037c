// Assembles the engine's WebAssembly kernels (src/engine/backend/kernels/wasm-*-wat.ts) into wasm-binaries.ts.
// Run after editing a WAT: `npx tsx scripts/build-wasm-kernels.ts` (tests/engine/backend/wasm-gemm.test.ts fails
// while the committed binaries are stale).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assembleWasmKernels, BINARIES_FILE, renderBinariesFile } from './wasm-assemble';

writeFileSync(fileURLToPath(new URL(`../${BINARIES_FILE}`, import.meta.url)), renderBinariesFile(await assembleWasmKernels()));
console.log(`wrote ${BINARIES_FILE}`);
