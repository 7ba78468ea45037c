// Step events are batched to at most one report per REPORT_INTERVAL_MS (src/worker/step-batcher.ts), with a fake
// clock; and yieldToEventLoop lets a queued message be handled between two fast steps.
import { describe, expect, it } from 'vitest';
import type { StepTelemetry } from '../../src/protocol/train-events';
import { REPORT_INTERVAL_MS, StepBatcher, yieldToEventLoop } from '../../src/worker/step-batcher';

const step = (n: number) => ({ step: n }) as StepTelemetry;

describe('StepBatcher', () => {
  it('reports once the interval has passed, with every step since the last report', () => {
    let now = 0;
    const b = new StepBatcher(() => now);
    now = 10;
    expect(b.push(step(1))).toBeNull();
    now = 60;
    expect(b.push(step(2))).toBeNull();
    now = REPORT_INTERVAL_MS;
    expect(b.push(step(3))?.map((s) => s.step)).toEqual([1, 2, 3]);
    now = REPORT_INTERVAL_MS + 50;
    expect(b.push(step(4))).toBeNull();
    expect(b.flush().map((s) => s.step)).toEqual([4]);
    expect(b.flush()).toEqual([]);
  });

  it('a thousand steps in one second make at most ten reports', () => {
    let now = 0;
    const b = new StepBatcher(() => now);
    let reports = 0;
    for (let i = 1; i <= 1000; i++) {
      now = i;
      if (b.push(step(i))) reports++;
    }
    expect(reports).toBeLessThanOrEqual(10);
  });
});

describe('yieldToEventLoop', () => {
  it('lets a task that was queued before it run first', async () => {
    const order: string[] = [];
    setTimeout(() => order.push('timer'), 0);
    await new Promise((r) => setTimeout(r, 1));
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      order.push('message');
      channel.port1.close();
    };
    channel.port2.postMessage(null);
    await yieldToEventLoop();
    order.push('after yield');
    expect(order).toEqual(['timer', 'message', 'after yield']);
  });
});
