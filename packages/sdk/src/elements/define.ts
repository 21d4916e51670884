import { ContextRoot } from '@lit/context';

let contextRoot: ContextRoot | undefined;

/**
 * Registers `constructor` as `name` unless that name is taken already (e.g. when two copies of
 * the SDK are bundled, or the module is evaluated twice). Where there is no custom element
 * registry (Node rendering a page on the server: Next, Astro) it does nothing, so importing the
 * elements there is safe; the browser defines them when the page's own script loads.
 *
 * Elements in static markup upgrade in registration order, so a consumer (say `<sb-danmaku>`)
 * may ask for the room before `<sb-room>` is defined. A context root on the document keeps such
 * unanswered requests and replays them when the provider appears.
 */
export function defineElement(name: string, constructor: CustomElementConstructor): void {
  if (typeof customElements === 'undefined' || typeof document === 'undefined') return;
  if (contextRoot === undefined) {
    contextRoot = new ContextRoot();
    contextRoot.attach(document.documentElement);
  }
  if (customElements.get(name) === undefined) customElements.define(name, constructor);
}
