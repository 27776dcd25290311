/**
 * Writes schema/manifest.schema.json from the manifest's zod schema (`npm run schema`).
 * A test fails when the committed file differs from what this would write.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { manifestSchemaText } from '../lib/manifest/schema-file.js';

const out = fileURLToPath(new URL('../schema/manifest.schema.json', import.meta.url));
writeFileSync(out, manifestSchemaText());
process.stdout.write(`wrote ${out}\n`);
