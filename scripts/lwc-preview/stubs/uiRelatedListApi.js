// lightning/uiRelatedListApi for the browser preview: getRelatedListRecords answers with the contact
// roles the page was given (window.__SALESCALING_PREVIEW__.contactIds), as Lightning Data Service would.
export class getRelatedListRecords {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
  }

  update(config) {
    if (!config || !config.parentRecordId) return;
    const preview = window.__SALESCALING_PREVIEW__ || {};
    const records = (preview.contactIds || []).map((id) => ({ fields: { ContactId: { value: id } } }));
    setTimeout(() => this.dataCallback({ data: { records, count: records.length }, error: undefined }), 0);
  }

  connect() {}

  disconnect() {}
}
