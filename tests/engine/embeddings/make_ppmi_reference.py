# Reference values for ppmi.test.ts with numpy (dense, exact SVD): windowed co-occurrence + PPMI of a tiny hand corpus,
# the top-10 SVD of a random sparse nonnegative 300x300 matrix, and the whole PPMI-SVD pipeline on a 2-topic corpus.
# The pipeline is the numpy prototype of src/engine/embeddings/ppmi.ts, written for a corpus given as sentences.
# Run: /usr/bin/python3 tests/engine/embeddings/make_ppmi_reference.py  (writes ppmi-reference.json)
import json
import os

import numpy as np


def cooccurrence(sentences, V, W, special):
    ids = np.array([t for s in sentences for t in s], dtype=np.int64)
    sent = np.array([i for i, s in enumerate(sentences) for _ in s])
    is_special = np.zeros(V, bool)
    is_special[list(special)] = True
    X = np.zeros((V, V))
    for d in range(1, W + 1):
        a, b = ids[:-d], ids[d:]
        ok = (sent[:-d] == sent[d:]) & ~is_special[a] & ~is_special[b]
        np.add.at(X, (a[ok], b[ok]), 1.0 / d)
        np.add.at(X, (b[ok], a[ok]), 1.0 / d)
    return X


def ppmi(X, alpha):
    total = X.sum()
    pw = X.sum(1)
    pc = X.sum(0) ** alpha
    pc = pc / pc.sum() * total
    M = np.zeros_like(X)
    nz = X > 0
    r, c = np.nonzero(nz)
    pmi = np.log(X[r, c] * total / (pw[r] * pc[c]))
    keep = pmi > 0
    M[r[keep], c[keep]] = pmi[keep]
    return M


def top_svd(M, k):
    U, S, _ = np.linalg.svd(M)
    U, S = U[:, :k], S[:k]
    big = U[np.argmax(np.abs(U), 0), np.arange(k)]  # sign: each column's largest-magnitude entry positive
    return U * np.sign(big), S


def embeddings(M, dim, power=0.5, scale=0.02):
    U, S = top_svd(M, dim)
    E = U * S**power
    covered = (M != 0).any(1)
    E[covered] = E[covered] / np.linalg.norm(E[covered], axis=1, keepdims=True) * scale * np.sqrt(dim)
    E[~covered] = 0
    return E, covered, S


def csr(M):
    indptr, indices, data = [0], [], []
    for row in M:
        nz = np.nonzero(row)[0]
        indices += nz.tolist()
        data += row[nz].tolist()
        indptr.append(len(indices))
    return {'rows': M.shape[0], 'cols': M.shape[1], 'indptr': indptr, 'indices': indices, 'data': data}


out = {}

# 1. Tiny hand corpus: specials 0-4 take up positions but form no pairs; id 11 never occurs; W = 2.
tiny = [[2, 5, 6, 7, 3], [2, 6, 8, 5, 1, 9, 3], [2, 10, 5, 3, 0, 0], [2, 7, 7, 6, 3], [2, 9, 3]]
V = 12
X = cooccurrence(tiny, V, 2, range(5))
out['tiny'] = {
    'sentences': tiny,
    'vocabSize': V,
    'window': 2,
    'specialIds': [0, 1, 2, 3, 4],
    'counts': X.tolist(),
    'ppmi': {str(a): ppmi(X, a).tolist() for a in (0.75, 1.0)},
}

# 2. Random sparse nonnegative 300 x 300, density 5%, values on a 1e-3 grid; its exact top 10.
rng = np.random.RandomState(0)
A = np.where(rng.rand(300, 300) < 0.05, np.round(rng.rand(300, 300), 3), 0.0)
U, S = top_svd(A, 10)
out['svd'] = {'matrix': csr(A), 'k': 10, 's': S.tolist(), 'u': np.round(U, 9).tolist()}

# 3. Two topics: words 5-24 and 25-44, function words 45-49 in both, 50-51 never used; [CLS] ... [SEP] sentences.
# Seed 14 separates the top 8 singular values (and the 8th from the 9th), so each column of U is defined up to sign.
rng = np.random.RandomState(14)
zipf = 1.0 / np.arange(1, 21)
zipf /= zipf.sum()
sentences = []
for i in range(400):
    base = 5 if i % 2 == 0 else 25
    words = [int(45 + rng.randint(5)) if rng.rand() < 0.3 else int(base + rng.choice(20, p=zipf)) for _ in range(rng.randint(6, 11))]
    sentences.append([2] + words + [3])
V, dim = 52, 8
M = ppmi(cooccurrence(sentences, V, 5, range(5)), 0.75)
E, covered, S = embeddings(M, dim)
full = np.linalg.svd(M, compute_uv=False)
assert full[dim - 1] / full[dim] > 1.1 and np.all(S[:-1] / S[1:] > 1.03), 'top singular values must be separated'
out['pipeline'] = {
    'sentences': sentences,
    'vocabSize': V,
    'dim': dim,
    'specialIds': [0, 1, 2, 3, 4],
    'pairs': int((M != 0).sum()),
    'singularValues': S.tolist(),
    'covered': covered.astype(int).tolist(),
    'vectors': np.round(E, 12).tolist(),
}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ppmi-reference.json')
with open(path, 'w') as f:
    json.dump(out, f, separators=(',', ':'))
print('wrote', path, os.path.getsize(path), 'bytes; pipeline singular values', np.round(full[: dim + 2], 4).tolist())
