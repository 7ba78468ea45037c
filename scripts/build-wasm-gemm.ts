// Assembles the wasm backend's matrix product (src/engine/backend/kernels/wasm-gemm-wat.ts) into
// wasm-gemm-binary.ts, one module per variant, base64. Run after editing the WAT: `npx tsx scripts/build-wasm-gemm.ts`
// (tests/engine/backend/wasm-gemm.test.ts fails while the committed binary is stale). wabt is the WebAssembly
// Binary Toolkit's own assembler, compiled to JavaScript.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assembleGemm, GEMM_BINARY_FILE, renderGemmBinaryFile } from './wasm-gemm-assemble';

const target = fileURLToPath(new URL(`../${GEMM_BINARY_FILE}`, import.meta.url));
writeFileSync(target, renderGemmBinaryFile(await assembleGemm()));
console.log(`wrote ${GEMM_BINARY_FILE}`);
