// The --backend option of the commands that compute: wasm by default (about 30x faster than cpu under Node,
// DESIGN.md "Facts measured"), falling back to cpu with a note on stderr when wasm cannot start.
import { LayerwiseError } from '../lib/errors';
import { BACKEND_NAMES, type BackendName } from '../engine/backend/backend';
import { useNodeBackend } from './node-backend';

export const DEFAULT_CLI_BACKEND: BackendName = 'wasm';

/** Starts the backend named by --backend (default wasm) and returns the one in use. */
export async function startCliBackend(value: unknown, command: string): Promise<BackendName> {
  if (value !== undefined && !(BACKEND_NAMES as readonly unknown[]).includes(value)) {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--backend must be one of ${BACKEND_NAMES.join(', ')}, got "${String(value)}"`, {
      field: 'backend',
    });
  }
  if (value !== undefined) {
    await useNodeBackend(value as BackendName);
    return value as BackendName;
  }
  try {
    await useNodeBackend(DEFAULT_CLI_BACKEND);
    return DEFAULT_CLI_BACKEND;
  } catch (err) {
    console.error(`layerwise ${command}: note: the ${DEFAULT_CLI_BACKEND} backend did not start (${(err as Error).message}); using cpu`);
    await useNodeBackend('cpu');
    return 'cpu';
  }
}
