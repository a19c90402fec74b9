// lightning/graphql for the browser preview: answers the component's query with the sample data
// the page was given (window.__SALESCALING_PREVIEW__), as the platform's wire adapter would; or, when
// the page was started against a local org (`graphql: true`), POSTs the component's exact query,
// variables and operation name to the preview server's /graphql, which forwards it to the local org's
// UI API GraphQL endpoint as the viewer user (the token stays in the server).
export class graphql {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
  }

  update(config) {
    const preview = window.__SALESCALING_PREVIEW__ || {};
    window.__SALESCALING_PREVIEW_LAST_CONFIG__ = config;
    if (!config || !config.query || !config.variables) return;
    if (preview.graphql) {
      fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: config.query,
          variables: config.variables,
          operationName: config.operationName,
        }),
      })
        .then((res) => res.json())
        .then((body) => this.dataCallback({ data: body.errors ? undefined : body.data, errors: body.errors }))
        .catch((error) => this.dataCallback({ data: undefined, errors: [{ message: String(error) }] }));
      return;
    }
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
