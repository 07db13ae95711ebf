// Rewrites the generated sections of the docs from the built code (run `npm run build` first; `npm run
// docs:generate` does both): the configuration reference of docs/configuration.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withConfigReference } from '../dist/config/reference.js';

const configDoc = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
const before = readFileSync(configDoc, 'utf8');
const after = withConfigReference(before);
if (after !== before) writeFileSync(configDoc, after);
console.log(`${after === before ? 'unchanged' : 'rewrote'} docs/configuration.md`);
