// The committed WebAssembly binaries are the assembly of the WAT sources they come from.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { assembleWasmKernels, BINARIES_FILE, renderBinariesFile } from '../../../scripts/wasm-assemble';

test(`${BINARIES_FILE} is the assembly of the wasm-*-wat.ts sources (else run: npx tsx scripts/build-wasm-kernels.ts)`, async () => {
  const committed = readFileSync(new URL(`../../../${BINARIES_FILE}`, import.meta.url), 'utf8');
  expect(committed).toBe(renderBinariesFile(await assembleWasmKernels()));
});
