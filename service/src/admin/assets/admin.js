/* global document, fetch, setTimeout, CSS */
// The admin page's only script: sends a backfill file (the browser streams it from disk, the page
// never reads it into memory) and moves the progress bars of running backfills. Everything else on
// the page is plain forms and links.
const PAGE = '/settings/integrations';
const ACTIVE = ['receiving', 'running', 'paused'];

function watchBackfills() {
  for (const el of document.querySelectorAll('[data-id="backfill"]')) {
    if (ACTIVE.includes(el.dataset.state) && !el.dataset.watching) {
      el.dataset.watching = '1';
      poll(el.dataset.backfill);
    }
  }
}

async function poll(id) {
  const el = document.querySelector(`[data-id="backfill"][data-backfill="${CSS.escape(id)}"]`);
  if (!el) return;
  const res = await fetch(`${PAGE}/backfills/${encodeURIComponent(id)}`, {
    headers: { accept: 'application/json' },
  });
  if (!res.ok) return;
  const p = await res.json();
  if (p.state !== el.dataset.state) {
    // new state, new buttons: the server renders the row again
    el.insertAdjacentHTML('afterend', p.html);
    el.remove();
  } else {
    const bar = el.querySelector('[data-id="backfill-bar"]');
    bar.setAttribute('aria-valuenow', String(p.percent));
    bar.querySelector('.slds-progress-bar__value').style.width = `${p.percent}%`;
    el.querySelector('[data-id="backfill-counts"]').textContent = p.countsText;
  }
  if (ACTIVE.includes(p.state)) setTimeout(() => poll(id), 400);
}

const form = document.querySelector('[data-id="backfill-form"]');
if (form) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const dryRun = event.submitter && event.submitter.value === 'dry-run';
    const out = document.querySelector('[data-id="backfill-result"]');
    const file = form.querySelector('input[type=file]').files[0];
    if (!file) {
      out.textContent = 'Choose a file first.';
      return;
    }
    out.textContent = dryRun ? 'Checking the meetings against Salesforce…' : 'Uploading…';
    const type = /^\s*\[/.test(await file.slice(0, 64).text()) ? 'application/json' : 'application/x-ndjson';
    const res = await fetch(`${PAGE}/backfills?dryRun=${dryRun ? 'true' : 'false'}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': type, 'x-csrf-token': form.dataset.csrf },
      body: file,
    });
    const html = await res.text();
    if (dryRun || !res.ok) {
      out.innerHTML = html; // rendered and escaped by the server
      return;
    }
    out.textContent = 'Backfill started.';
    document.querySelector('[data-id="backfills"]').insertAdjacentHTML('afterbegin', html);
    watchBackfills();
  });
}
watchBackfills();
