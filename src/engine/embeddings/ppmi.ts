// Word(-piece) embeddings from a token-id corpus by PPMI + truncated SVD, after Levy, Goldberg & Dagan 2015 (window
// weights 1/d, context-distribution smoothing 0.75, eigenvalue weighting U·S^p), with unit rows scaled so each
// component has the std of a fresh BERT init: a cheap way to seed word_embeddings before masked-LM pretraining.
import { LayerwiseError } from '../../lib/errors';
import { cooccurrence, ppmi } from './sparse';
import { truncatedSvd } from './svd';

export interface PpmiOptions {
  /** Embedding width (the model's hidden_size): the number of singular vectors kept. */
  dim: number;
  /** Pairs up to this many positions apart in one sentence count, with weight 1/distance. Default 5. */
  window?: number;
  /** Context-distribution smoothing: context counts are raised to alpha. Default 0.75. */
  alpha?: number;
  /** Eigenvalue weighting: rows of U·S^power before normalising. Default 0.5. */
  power?: number;
  /** Std of each component of the result (rows have norm scale·√dim). Default 0.02, BERT's initializer_range. */
  scale?: number;
  /** Seed of the randomized SVD. Default 0. */
  seed?: number;
  /** Ids that form no pairs and get no row ([PAD], [UNK], [CLS], [SEP], [MASK]...). Default none. */
  specialIds?: readonly number[];
  /** Subspace iterations of the randomized SVD. Default 4. */
  powerIterations?: number;
  /** Extra random directions of the randomized SVD. Default 10. */
  oversample?: number;
}

export interface PpmiEmbeddings {
  /** [vocabSize, dim] row-major; rows where covered is 0 are zero (the caller keeps its own init there). */
  vectors: Float32Array;
  /** [vocabSize]: 1 where a row was computed, i.e. the id has at least one positive-PMI context. */
  covered: Uint8Array;
  /** [dim] the top singular values of the PPMI matrix, descending. */
  singularValues: Float64Array;
  /** Nonzeros of the PPMI matrix. */
  pairs: number;
}

function check(ok: boolean, field: string, message: string): void {
  if (!ok) throw new LayerwiseError('PPMI_BAD_OPTION', message, { field });
}

const isCount = (v: number, min: number): boolean => Number.isInteger(v) && v >= min;

/** PPMI-SVD embeddings of every id of a vocabulary from sentences of token ids (one pass over the iterable). */
export function ppmiEmbeddings(
  sentences: Iterable<ArrayLike<number>>,
  vocabSize: number,
  options: PpmiOptions,
): PpmiEmbeddings {
  const { dim, window = 5, alpha = 0.75, power = 0.5, scale = 0.02, seed = 0, specialIds = [] } = options;
  const { powerIterations = 4, oversample = 10 } = options;
  check(isCount(vocabSize, 1), 'vocabSize', `The vocabulary size must be a positive integer, not ${vocabSize}.`);
  check(
    isCount(dim, 1) && dim <= vocabSize,
    'dim',
    `The embedding size must be an integer from 1 to the vocabulary size ${vocabSize}, not ${dim}.`,
  );
  check(isCount(window, 1), 'window', `The window must be a positive integer, not ${window}.`);
  check(Number.isFinite(alpha) && alpha > 0, 'alpha', `The smoothing exponent must be positive, not ${alpha}.`);
  check(Number.isFinite(power) && power >= 0, 'power', `The eigenvalue power must be a number >= 0, not ${power}.`);
  check(Number.isFinite(scale) && scale > 0, 'scale', `The scale must be a positive number, not ${scale}.`);
  check(Number.isFinite(seed), 'seed', `The seed must be a finite number, not ${seed}.`);
  check(isCount(powerIterations, 0), 'powerIterations', `powerIterations must be an integer >= 0, not ${powerIterations}.`);
  check(isCount(oversample, 0), 'oversample', `The oversampling must be an integer >= 0, not ${oversample}.`);
  for (const id of specialIds) {
    check(isCount(id, 0) && id < vocabSize, 'specialIds', `Special id ${id} is not in the vocabulary.`);
  }

  const counts = cooccurrence(sentences, vocabSize, { window, specialIds });
  if (counts.indptr[vocabSize] === 0) {
    throw new LayerwiseError(
      'PPMI_EMPTY_CORPUS',
      `No two non-special tokens are within ${window} positions of each other in one sentence: nothing to count.`,
    );
  }
  const m = ppmi(counts, alpha);
  const pairs = m.indptr[vocabSize];
  if (pairs === 0) {
    throw new LayerwiseError(
      'PPMI_EMPTY_CORPUS',
      'No pair of tokens co-occurs more often than chance (every PMI is <= 0): there is nothing to embed.',
    );
  }
  const { u, s } = truncatedSvd(m, dim, { oversample, powerIterations, seed });

  const weight = Array.from(s, (v) => v ** power);
  const vectors = new Float32Array(vocabSize * dim);
  const covered = new Uint8Array(vocabSize);
  const row = new Float64Array(dim);
  for (let i = 0; i < vocabSize; i++) {
    let norm = 0;
    for (let c = 0; c < dim; c++) {
      row[c] = u[i * dim + c] * weight[c];
      norm += row[c] * row[c];
    }
    // Rows of M that are empty (special, unseen, no positive PMI) are exactly zero in U: nothing to normalise.
    if (norm === 0) continue;
    covered[i] = 1;
    const f = (scale * Math.sqrt(dim)) / Math.sqrt(norm);
    for (let c = 0; c < dim; c++) vectors[i * dim + c] = row[c] * f;
  }
  return { vectors, covered, singularValues: s, pairs };
}
