// lightning/graphql for the browser preview: answers the component's query with the sample data
// the page was given (window.__SALESCALING_PREVIEW__), as the platform's wire adapter would.
export class graphql {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
  }

  update(config) {
    const preview = window.__SALESCALING_PREVIEW__ || {};
    window.__SALESCALING_PREVIEW_LAST_CONFIG__ = config;
    if (!config || !config.query || !config.variables) return;
    setTimeout(() => {
      if (preview.errors) this.dataCallback({ data: undefined, errors: preview.errors });
      else this.dataCallback({ data: preview.data, errors: undefined });
    }, preview.delayMs || 0);
  }

  connect() {}

  disconnect() {}
}

export const gql = (strings, ...values) =>
  strings.reduce((text, part, i) => text + part + (i < values.length ? String(values[i]) : ''), '');
