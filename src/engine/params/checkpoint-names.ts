// The one table of checkpoint-name repairs at the loader edge (DESIGN.md "Names are the checkpoint's names"):
// each rename or dropped tensor is reported to the user, never silent (RELIABILITY R4, M19). Mirrors what
// transformers' from_pretrained does with legacy names, base-model checkpoints, buffers and tied weights.

export interface NameContext {
  /** The family's base-model attribute, e.g. `bert` (parameters are `bert.embeddings...`). */
  basePrefix: string;
  /** Parameters of the model for the task being loaded, by checkpoint name. */
  expected: ReadonlyMap<string, readonly number[]>;
  /** Parameters that only the family's other task heads have (the pooler, the MLM head, ...). */
  otherHeads: ReadonlySet<string>;
  /** config.tie_word_embeddings: the MLM decoder is the word embedding matrix. */
  tieWordEmbeddings: boolean;
  /** The family's tied MLM decoder tensors (ModelFamily.tiedDecoder). */
  tiedDecoder: { weight: string; bias: string | null };
  /** Module prefixes of the family's pre-training heads (ModelFamily.pretrainingHeads). */
  pretrainingHeads: readonly string[];
}

export interface NameRule {
  /** Stable code of the loader message that reports the tensors this rule touched. */
  code: string;
  /** What was done and why, as the user reads it. */
  reason: string;
}

interface RenameRule extends NameRule {
  rename(name: string, ctx: NameContext): string | null;
}

interface DropRule extends NameRule {
  drops(name: string, ctx: NameContext): boolean;
}

/** Renames, tried in this order and composed (a legacy name in a base-model checkpoint gets both). */
export const RENAME_RULES: readonly RenameRule[] = [
  {
    code: 'CHECKPOINT_RENAMED_LEGACY_LAYERNORM',
    reason: 'legacy LayerNorm parameter names (gamma, beta) read as weight, bias',
    rename: (name) => (/\.(gamma|beta)$/.test(name) ? name.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias') : null),
  },
  {
    code: 'CHECKPOINT_ADDED_BASE_PREFIX',
    reason: 'a base-model checkpoint without the model prefix: names read with the prefix added',
    rename: (name, ctx) => (name.startsWith(`${ctx.basePrefix}.`) ? null : `${ctx.basePrefix}.${name}`),
  },
];

/** Tensors in the file that are not parameters of this model, and are dropped with a note. */
export const DROP_RULES: readonly DropRule[] = [
  {
    code: 'CHECKPOINT_DROPPED_BUFFERS',
    reason: 'buffers that transformers saves but that are not parameters (position and token type id tables)',
    drops: (name) => /(^|\.)(position_ids|token_type_ids)$/.test(name),
  },
  {
    code: 'CHECKPOINT_DROPPED_TIED',
    reason: 'tied copies (decoder = word embeddings, decoder bias = head bias), which transformers ties again on load',
    drops: (name, ctx) => name === ctx.tiedDecoder.bias || (ctx.tieWordEmbeddings && name === ctx.tiedDecoder.weight),
  },
  {
    code: 'CHECKPOINT_DROPPED_OTHER_HEAD',
    reason: 'weights of a head that this task does not use (another task or pre-training)',
    drops: (name, ctx) => ctx.otherHeads.has(name) || ctx.pretrainingHeads.some((head) => name.startsWith(`${head}.`)),
  },
];

export type NameResolution =
  | { kind: 'param'; target: string; renames: readonly RenameRule[] }
  | { kind: 'drop'; rule: DropRule }
  | { kind: 'unexpected' };

/**
 * What a tensor name in the file is for this model: a parameter (possibly renamed), a tensor to drop, or
 * unexpected. A rename is taken only when it yields a parameter of the model, so no rule can invent names.
 */
export function resolveCheckpointName(name: string, ctx: NameContext): NameResolution {
  let tries: { name: string; renames: RenameRule[] }[] = [{ name, renames: [] }];
  for (const rule of RENAME_RULES) {
    const more = tries.flatMap((t) => {
      const renamed = rule.rename(t.name, ctx);
      return renamed === null ? [] : [{ name: renamed, renames: [...t.renames, rule] }];
    });
    tries = [...tries, ...more];
  }
  for (const t of tries) {
    if (ctx.expected.has(t.name)) return { kind: 'param', target: t.name, renames: t.renames };
  }
  for (const rule of DROP_RULES) {
    if (tries.some((t) => rule.drops(t.name, ctx))) return { kind: 'drop', rule };
  }
  return { kind: 'unexpected' };
}
