// Unzips a downloaded export into a folder (what a user does before opening it again), with fflate.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { unzipSync } from 'fflate';

/** Returns the folder the zip held (its single top-level folder). */
export async function unzipTo(zipPath: string, into: string): Promise<string> {
  const files = unzipSync(new Uint8Array(await readFile(zipPath)));
  const tops = new Set<string>();
  for (const [name, bytes] of Object.entries(files)) {
    const target = normalize(join(into, name));
    if (!target.startsWith(normalize(into))) throw new Error(`zip entry ${name} leaves the folder`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
    tops.add(name.split('/')[0]);
  }
  if (tops.size !== 1) throw new Error(`expected one folder in the zip, found ${[...tops].join(', ')}`);
  return join(into, [...tops][0]);
}
