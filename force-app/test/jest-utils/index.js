// Shared by every component test: mounting, waiting for re-render, and cleaning the DOM.
import { createElement } from '@lwc/engine-dom';

/** Lets LWC re-render after a wire emits or a property changes. */
export function flushPromises() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Creates the component, sets its public properties, and puts it in the document. */
export function mount(tagName, Component, props = {}) {
  const element = createElement(tagName, { is: Component });
  Object.assign(element, props);
  document.body.appendChild(element);
  return element;
}

/** The jsdom document is shared by the cases of one file: empty it after each. */
export function resetDom() {
  while (document.body.firstChild) {
    document.body.removeChild(document.body.firstChild);
  }
}
