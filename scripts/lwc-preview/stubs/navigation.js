// lightning/navigation for the browser preview: remembers where the component asked to go.
const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');

export const NavigationMixin = (Base) =>
  class extends Base {
    [Navigate](pageReference) {
      window.__SALESCALING_PREVIEW_NAVIGATED__ = pageReference;
    }

    [GenerateUrl](pageReference) {
      return Promise.resolve(`/lightning/r/${pageReference.attributes.recordId}/view`);
    }
  };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;
