// Duplicate object keys in JSON text. JSON.parse silently keeps the last of two equal keys; files whose keys are
// names (a sharded index's weight_map, a tokenizer vocabulary) must refuse them instead (RELIABILITY M13, C4).

export interface DuplicateKey {
  /** Keys from the root to the object holding the duplicate (array positions as decimal strings). */
  path: string[];
  key: string;
  /** Character offset of the second occurrence. */
  offset: number;
}

interface Frame {
  /** null for an array. */
  keys: Set<string> | null;
  /** This container's key (or index) in its parent. */
  name: string;
  index: number;
  /** In an object: the next string is a key. */
  expectKey: boolean;
}

/** The first duplicate key of text that JSON.parse accepts (the scan assumes valid JSON), or null. */
export function findDuplicateKey(text: string): DuplicateKey | null {
  const stack: Frame[] = [];
  let pendingName = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i;
      for (i++; text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (top.keys.has(key)) return { path: stack.slice(1).map((f) => f.name), key, offset: start };
        top.keys.add(key);
        top.expectKey = false;
        pendingName = key;
      }
    } else if (c === 0x7b || c === 0x5b) {
      const top = stack[stack.length - 1];
      const name = top && top.keys === null ? String(top.index) : pendingName;
      stack.push({ keys: c === 0x7b ? new Set() : null, name, index: 0, expectKey: c === 0x7b });
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
    } else if (c === 0x2c) {
      const top = stack[stack.length - 1];
      if (top.keys) top.expectKey = true;
      else top.index++;
    }
  }
  return null;
}
