// Thinning long series for charts and storage: a chart needs a few hundred points, however long the run.

/** Indices of at most `max` points spread over n, the first and last always kept. */
export function thinIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  const stride = (n - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(Math.round(i * stride));
  return out;
}
