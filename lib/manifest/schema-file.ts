/** The text of schema/manifest.schema.json, exactly as committed (generated from the zod schema). */
import { manifestJsonSchema } from './schema.js';

export function manifestSchemaText(): string {
  const schema = manifestJsonSchema();
  const { $schema, ...rest } = schema;
  const ordered = {
    $schema,
    $comment: 'Generated from lib/manifest/schema.ts by `npm run schema`; do not edit.',
    ...rest,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
