// Code blocks of the docs, found by the HTML comment before them: <!-- example: NAME -->.
import { readFileSync } from 'node:fs';

export function docsBlock(name: string, file = 'docs/embedding.md'): string {
  const docs = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
  const match = new RegExp(`<!-- example: ${name} -->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``).exec(docs);
  if (!match) throw new Error(`${file} has no block marked <!-- example: ${name} -->`);
  return match[1]!;
}
