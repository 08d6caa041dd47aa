// Checks for the Kubernetes flags (--namespaces, --labels, --autopath-namespace): a typo is a flag error at
// startup rather than an endless 400 from every list.

const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_NAME = '[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const LABEL_KEY = `(?:[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?${LABEL_NAME}`;
const LABEL_VALUE = `(?:${LABEL_NAME})?`;
const REQUIREMENT = new RegExp(
  [
    `^!?${LABEL_KEY}$`, // exists / does not exist
    `^${LABEL_KEY}\\s*(?:=|==|!=)\\s*${LABEL_VALUE}$`,
    `^${LABEL_KEY}\\s+(?:in|notin)\\s+\\(\\s*${LABEL_VALUE}(?:\\s*,\\s*${LABEL_VALUE})*\\s*\\)$`,
  ].join('|'),
);

/** Why `name` is not a namespace name (RFC 1123 label, as the API requires), or null when it is one. */
export function namespaceNameProblem(name: string): string | null {
  return NAMESPACE_NAME.test(name) ? null : `"${name}" is not a namespace name (lowercase RFC 1123 label)`;
}

/**
 * Why `selector` is not a label selector the API server accepts (the grammar of k8s.io/apimachinery
 * labels.Parse: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, comma-separated), or null.
 * Checked up front so a typo is a flag error rather than an endless 400 from every list.
 */
export function labelSelectorProblem(selector: string): string | null {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
    if (depth < 0 || depth > 1) return `unbalanced parentheses in "${selector}"`;
  }
  if (depth !== 0) return `unbalanced parentheses in "${selector}"`;
  terms.push(selector.slice(start));
  for (const raw of terms) {
    const term = raw.trim();
    if (term === '') return `empty requirement in "${selector}"`;
    if (!REQUIREMENT.test(term)) return `"${term}" is not a label requirement (k=v, k!=v, k, !k, k in (a,b), k notin (a,b))`;
  }
  return null;
}
