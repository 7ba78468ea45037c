// Addresses in tfjs-wasm's heap past 2 GB: Emscripten's _malloc returns them as negative 32-bit integers, which a typed
// array view rejects ("Start offset -2144885336 is outside the bounds", seen on BERT-base at batch 32 x 128).
import { expect, test } from 'vitest';
import { malloc, type WasmHeap } from '../../../src/engine/backend/kernels/wasm-module';

test('malloc reads the address unsigned', () => {
  const heap = { _malloc: () => -2144885336, _free: () => undefined } as WasmHeap;
  expect(malloc(heap, 16)).toBe(2 ** 32 - 2144885336);
  expect(malloc({ ...heap, _malloc: () => 4096 }, 16)).toBe(4096);
});
