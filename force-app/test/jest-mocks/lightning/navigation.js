// lightning/navigation for Jest, in the lwc-recipes shape: records the last page reference a
// component navigated to, so a test can assert where a click leads.
import { createTestWireAdapter } from '@salesforce/wire-service-jest-util';

export const CurrentPageReference = createTestWireAdapter(jest.fn());

let navigatedTo;

const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');
export const NavigationMixin = (Base) =>
  class extends Base {
    [Navigate](pageReference, replace) {
      navigatedTo = { pageReference, replace };
    }

    [GenerateUrl](pageReference) {
      return Promise.resolve(`/lightning/r/${pageReference.attributes.recordId}/view`);
    }
  };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;

export const getNavigateCalledWith = () => navigatedTo;
export const resetNavigate = () => {
  navigatedTo = undefined;
};
