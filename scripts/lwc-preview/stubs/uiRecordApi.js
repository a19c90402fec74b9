// lightning/uiRecordApi for the browser preview: getRecord answers with the record fields the page
// was given (window.__SALESCALING_PREVIEW__.record, e.g. an Opportunity's CreatedDate and IsClosed),
// as Lightning Data Service would.
export class getRecord {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
  }

  update(config) {
    if (!config || !config.recordId) return;
    const preview = window.__SALESCALING_PREVIEW__ || {};
    const fields = preview.record || {};
    setTimeout(() => {
      this.dataCallback({
        data: { fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { value: v }])) },
        error: undefined,
      });
    }, 0);
  }

  connect() {}

  disconnect() {}
}
