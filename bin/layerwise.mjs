#!/usr/bin/env node
// The `layerwise` command: runs the TypeScript CLI through tsx's loader, so plain `node` runs it after npm install.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
