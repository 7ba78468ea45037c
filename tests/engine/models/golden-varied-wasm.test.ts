// Varied golden inputs through the predict path on the wasm backend (tfjs keeps one backend per process: one file per backend).
import { beforeAll } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { describeGoldenVaried } from './golden-varied';

beforeAll(() => useNodeBackend('wasm'));
describeGoldenVaried('wasm');
