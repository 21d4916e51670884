import { ContextRoot } from '@lit/context';

let contextRoot: ContextRoot | undefined;

/**
 * Registers `constructor` as `name` unless that name is taken already (e.g. when two copies of
 * the SDK are bundled, or the module is evaluated twice). A server rendering the page (Lit SSR,
 * whose DOM shim has a custom element registry but no `document`) gets the elements registered
 * too, so that it renders them; where there is no registry at all (plain Node) it does nothing,
 * so importing the elements there is safe.
 *
 * Elements in static markup upgrade in registration order, so a consumer (say `<sb-danmaku>`)
 * may ask for the room before `<sb-room>` is defined. A context root on the document keeps such
 * unanswered requests and replays them when the provider appears.
 */
export function defineElement(name: string, constructor: CustomElementConstructor): void {
  if (typeof customElements === 'undefined') return;
  if (contextRoot === undefined && typeof document !== 'undefined') {
    contextRoot = new ContextRoot();
    contextRoot.attach(document.documentElement);
  }
  if (customElements.get(name) === undefined) customElements.define(name, constructor);
}
