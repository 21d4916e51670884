// The Custom Elements Manifest (custom-elements.json) that `npm run build` writes and the
// package ships (package.json `customElements`): editors, Storybook and framework tooling read
// each element's tag, attributes, properties, events, slots, CSS parts and custom properties.
//
// Two things the analyzer cannot know by itself, taught by the plugin below: the elements are
// registered through `defineElement(tag, Class)` (which skips a name already taken), not
// `customElements.define` directly; and the package ships the compiled `dist/*.js`, not `src/`.
export default {
  globs: ['src/elements/**/*.ts'],
  outdir: '.',
  litelement: true,
  // Silent, as tsc is: `npm pack --json` prints its result on the same stdout as the build.
  quiet: true,
  plugins: [switchboardElements()],
};

function switchboardElements() {
  // Class name -> the reactive properties declared `state: true`: internal, no attribute.
  const states = new Map();
  return {
    name: 'switchboard-elements',
    analyzePhase({ ts, node, moduleDoc }) {
      if (ts.isPropertyDeclaration(node) && node.name.getText() === 'properties' && node.initializer && ts.isObjectLiteralExpression(node.initializer)) {
        const internal = node.initializer.properties
          .filter((p) => ts.isPropertyAssignment(p) && /\bstate:\s*true\b/.test(p.initializer.getText()))
          .map((p) => p.name.getText());
        if (ts.isClassDeclaration(node.parent) && node.parent.name) states.set(node.parent.name.text, new Set(internal));
        return;
      }
      // defineElement('sb-room', SbRoom) at a module's top level names the class's tag.
      if (!ts.isCallExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== 'defineElement') return;
      const [tag, constructor] = node.arguments;
      if (!tag || !constructor || !ts.isStringLiteral(tag) || !ts.isIdentifier(constructor)) return;
      const declaration = moduleDoc.declarations?.find((d) => d.kind === 'class' && d.name === constructor.text);
      if (declaration === undefined) return;
      declaration.customElement = true;
      declaration.tagName = tag.text;
      moduleDoc.exports = [
        ...(moduleDoc.exports ?? []),
        { kind: 'custom-element-definition', name: tag.text, declaration: { name: constructor.text, module: moduleDoc.path } },
      ];
    },
    packageLinkPhase({ customElementsManifest }) {
      const shipped = (path) => path.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js');
      for (const moduleDoc of customElementsManifest.modules) {
        // defineElement's own `customElements.define(name, constructor)` defines no tag.
        moduleDoc.exports = moduleDoc.exports?.filter((e) => !(e.kind === 'custom-element-definition' && e.declaration.name === 'constructor'));
        for (const declaration of moduleDoc.declarations ?? []) {
          // Internal state (Lit `state: true`, private fields) is no attribute or API of the element.
          const hidden = new Set([
            ...(declaration.members ?? []).filter((m) => m.privacy === 'private' || m.privacy === 'protected').map((m) => m.name),
            ...(states.get(declaration.name) ?? []),
          ]);
          if (declaration.attributes) declaration.attributes = declaration.attributes.filter((a) => !hidden.has(a.fieldName));
          if (declaration.members) declaration.members = declaration.members.filter((m) => m.privacy !== 'private');
        }
      }
      // Every `module` reference, wherever it is, follows the path to the compiled file.
      const relink = (value) => {
        if (Array.isArray(value)) return value.forEach(relink);
        if (value === null || typeof value !== 'object') return;
        for (const [key, inner] of Object.entries(value)) {
          if ((key === 'module' || key === 'path') && typeof inner === 'string' && inner.startsWith('src/')) value[key] = shipped(inner);
          else relink(inner);
        }
      };
      relink(customElementsManifest.modules);
    },
  };
}
