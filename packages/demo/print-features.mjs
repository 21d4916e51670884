// Prints the demo's features and whether this build has them, for `npm run demo` (scripts/demo.sh).
import { readFileSync } from 'node:fs';

const { features } = JSON.parse(readFileSync(new URL('./features.json', import.meta.url), 'utf8'));
const lines = features.map(({ name, pages, live }) => `  ${live ? '[live]' : '[not yet]'} ${name} (${pages.join(', ')})`);
process.stdout.write(`\nDemo features:\n${lines.join('\n')}\n`);
