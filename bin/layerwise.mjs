#!/usr/bin/env node
// The `layerwise` command: runs the TypeScript CLI through tsx's loader, so plain `node` runs it after npm install.
import { register } from 'tsx/esm/api';

register();
// A reader that stops early (`layerwise data ... --json | head -c 5`) closes the pipe: the rest of the output has
// nowhere to go, which is the reader's choice, not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
