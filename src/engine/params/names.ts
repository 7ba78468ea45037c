// Checkpoint parameter names: the dotted Hugging Face names are the parameters' names everywhere (DESIGN.md).
// A prefix selects whole dotted segments, as transformers' module paths do.

/**
 * True when prefix names `name` itself or a module above it: `bert.encoder.layer.1` covers
 * `bert.encoder.layer.1.output.dense.weight`, never `bert.encoder.layer.10.output.dense.weight`.
 * A trailing dot in the prefix is ignored; the empty prefix covers every name.
 */
export function matchesPrefix(name: string, prefix: string): boolean {
  const p = prefix.endsWith('.') ? prefix.slice(0, -1) : prefix;
  if (p === '') return true;
  return name === p || (name.startsWith(p) && name.charCodeAt(p.length) === 46 /* '.' */);
}
