/** The tests' one polling loop (scripts/test-support/eventually.ts). */
import { eventually, NotYetError } from '../test-support/eventually.ts';

describe('eventually', () => {
  it('when the probe reaches the awaited value, then it resolves with that value', async () => {
    let calls = 0;
    const value = await eventually('three calls', () => ++calls, { until: (n) => n >= 3, intervalMs: 1 });
    expect(value).toBe(3);
    expect(calls).toBe(3);
  });

  it('when the deadline passes, then it fails naming what was awaited and the last value', async () => {
    const waiting = eventually('meeting m1 synced', () => ({ state: 'queued' }), {
      until: (m) => m.state === 'synced',
      timeoutMs: 30,
      intervalMs: 5,
    });
    await expect(waiting).rejects.toThrow(NotYetError);
    await expect(waiting).rejects.toThrow(
      'meeting m1 synced did not happen within 30 ms; last seen: {"state":"queued"}',
    );
  });

  it('when the probe throws, then the wait ends with that error', async () => {
    let calls = 0;
    const failing = eventually('never', () => {
      calls += 1;
      throw new Error('org unreachable');
    });
    await expect(failing).rejects.toThrow('org unreachable');
    expect(calls).toBe(1);
  });
});
