// Code blocks of docs/embedding.md, found by the HTML comment before them: <!-- example: NAME -->.
import { readFileSync } from 'node:fs';

export function docsBlock(name: string): string {
  const docs = readFileSync(new URL('../../docs/embedding.md', import.meta.url), 'utf8');
  const match = new RegExp(`<!-- example: ${name} -->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``).exec(docs);
  if (!match) throw new Error(`docs/embedding.md has no block marked <!-- example: ${name} -->`);
  return match[1]!;
}
