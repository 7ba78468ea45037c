// The memory planner against measured peaks on the cpu backend (tfjs keeps one backend per process: one file per backend).
import { beforeAll } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { describeMemoryPlan } from './memory-plan';

beforeAll(() => useNodeBackend('cpu'));
describeMemoryPlan('cpu');
