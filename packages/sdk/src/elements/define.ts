/**
 * Registers `constructor` as `name` unless that name is taken already (e.g. when two copies of
 * the SDK are bundled, or the module is evaluated twice).
 */
export function defineElement(name: string, constructor: CustomElementConstructor): void {
  if (customElements.get(name) === undefined) customElements.define(name, constructor);
}
