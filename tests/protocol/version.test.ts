import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { LAYERWISE_VERSION } from '../../src/protocol/version';

test('LAYERWISE_VERSION is package.json\'s version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(LAYERWISE_VERSION).toBe(pkg.version);
});
