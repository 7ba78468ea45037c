// niceTicks on a range narrower than float resolution: a loss flat at ln 2 whose values differ in their last bits
// (a run that has not moved yet) froze the page in an endless tick loop; it is drawn as a flat line.
import { expect, it } from 'vitest';
import { niceTicks } from '../../src/ui/components/line-chart';

it('a range of one ulp gives a few ticks around the value, as an exactly flat one does', () => {
  const v = Math.LN2;
  const next = v + Number.EPSILON / 2;
  expect(next).toBeGreaterThan(v);
  const { ticks } = niceTicks(v, next);
  expect(ticks.length).toBeGreaterThanOrEqual(2);
  expect(ticks.length).toBeLessThan(20);
  expect(ticks[0]).toBeLessThanOrEqual(v);
  expect(ticks.at(-1)).toBeGreaterThanOrEqual(next);
  expect(niceTicks(v, next)).toEqual(niceTicks(v, v));
});
