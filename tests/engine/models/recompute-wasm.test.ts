// Gradient checkpointing on the wasm backend (tfjs keeps one backend per process: one file per backend).
import { beforeAll } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { describeRecompute } from './recompute';

beforeAll(() => useNodeBackend('wasm'));
describeRecompute('wasm');
