/**
 * CONTRACT §8 against the local org: an org out of API calls (REQUEST_LIMIT_EXCEEDED) pauses the
 * workspace (the meeting waits, no attempt counted), and once `/limits` shows room it is written
 * exactly once.
 */
import { meeting, processedEvent } from '../support/fixtures.ts';
import { sendWebhook } from '../support/service.ts';
import { orgQuery, seedAcme, startStack, type Stack } from '../support/stack.ts';

jest.setTimeout(60_000);

describe('faults (CONTRACT §8)', () => {
  let stack: Stack;
  afterEach(async () => {
    await stack?.dispose();
  });

  it('when the org has spent its daily API calls, then the meeting waits and is written once calls are allowed again', async () => {
    stack = await startStack({ org: { autoApprove: true }, service: { worker: { budgetCheckMs: 150 } } });
    await seedAcme(stack.org);
    await stack.connect();
    stack.org.setKnobs({ dailyApiLimit: 1 });

    expect((await sendWebhook(stack.svc.url, processedEvent(meeting({ id: 'm_limit' })))).status).toBe(202);
    const waiting = await stack.waitFor('m_limit', (m) =>
      String(m['lastError']).includes('REQUEST_LIMIT_EXCEEDED'),
    );
    expect(waiting).toMatchObject({ state: expect.stringMatching(/^(queued|syncing)$/), attempts: 0 });
    // (the org's admin cannot query now either: the limit holds for every caller)

    stack.org.setKnobs({ dailyApiLimit: 1_000_000 });
    expect(await stack.waitFor('m_limit', (m) => m['state'] === 'synced')).toMatchObject({ lastError: null });
    expect(
      await orgQuery(stack.org, `SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = 'm_limit'`),
    ).toHaveLength(1);
  });
});
