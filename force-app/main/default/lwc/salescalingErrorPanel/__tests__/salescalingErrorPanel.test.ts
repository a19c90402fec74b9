import SalescalingErrorPanel from 'c/salescalingErrorPanel';
import { flushPromises, mount, resetDom } from '../../../../../test/jest-utils';

// What the recordings card passes when loading fails: an LDS 503 twice and a GraphQL validation error.
const loadErrors = require('./data/loadErrors.json');

const inner = (element: HTMLElement, id: string) =>
  element.shadowRoot!.querySelector(`[data-id="${id}"]`) as HTMLElement | null;
const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

describe('c-salescaling-error-panel', () => {
  afterEach(resetDom);

  it('when given errors and a sentence, then the sentence shows as an alert and the details stay folded', async () => {
    const element = mount('c-salescaling-error-panel', SalescalingErrorPanel, {
      errors: loadErrors,
      friendlyMessage: 'Ask your admin for the Salescaling Recordings Viewer permission set.',
    });
    await flushPromises();

    expect(inner(element, 'error-panel')!.getAttribute('role')).toBe('alert');
    expect(text(inner(element, 'error-message'))).toBe(
      'Ask your admin for the Salescaling Recordings Viewer permission set.',
    );
    expect(inner(element, 'error-details')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('when a person shows and hides the details, then the messages appear and disappear and aria-expanded follows', async () => {
    const element = mount('c-salescaling-error-panel', SalescalingErrorPanel, {
      errors: [{ body: { message: 'first' } }, new Error('second'), 'first'],
    });
    await flushPromises();
    const toggle = inner(element, 'error-toggle')!;
    expect(text(toggle)).toBe('Show details');

    toggle.click();
    await flushPromises();
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(text(toggle)).toBe('Hide details');
    expect(Array.from(inner(element, 'error-details')!.querySelectorAll('li')).map((li) => text(li))).toEqual(
      ['first', 'second'],
    );
    await expect(element).toBeAccessible();

    toggle.click();
    await flushPromises();
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(inner(element, 'error-details')).toBeNull();
  });

  it('when the load failed in the org and in the query, then the details list each message once, in order', async () => {
    const element = mount('c-salescaling-error-panel', SalescalingErrorPanel, {
      errors: loadErrors,
      friendlyMessage: "Recorded meetings couldn't be loaded right now.",
    });
    await flushPromises();
    inner(element, 'error-toggle')!.click();
    await flushPromises();

    expect(text(inner(element, 'error-message'))).toBe("Recorded meetings couldn't be loaded right now.");
    expect(Array.from(inner(element, 'error-details')!.querySelectorAll('li')).map((li) => text(li))).toEqual(
      [
        'The Salesforce server is temporarily unavailable.',
        "Cannot query field 'Salescaling_Summary_Preview__c' on type 'Event'",
      ],
    );
  });

  it('when the button has focus on the red alert, then it is a neutral (light) button, not inverse text', async () => {
    const element = mount('c-salescaling-error-panel', SalescalingErrorPanel, { errors: ['x'] });
    await flushPromises();
    const toggle = inner(element, 'error-toggle')!;

    // slds-button_neutral keeps a white background with brand text in every state, focus included;
    // slds-text-color_inverse on a bare button turned dark on red when focused.
    expect(toggle.classList.contains('slds-button_neutral')).toBe(true);
    expect(toggle.classList.contains('slds-text-color_inverse')).toBe(false);
    expect(toggle.getAttribute('type')).toBe('button');
  });

  it('when there is no message to show, then only the sentence shows, with the default wording', async () => {
    const element = mount('c-salescaling-error-panel', SalescalingErrorPanel, { errors: [null, {}] });
    await flushPromises();

    expect(text(inner(element, 'error-message'))).toBe('Something went wrong');
    expect(inner(element, 'error-toggle')).toBeNull();
  });
});
