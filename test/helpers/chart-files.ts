// The Helm chart and the plain manifest as tests read them (Helm itself is not installed): values, schema,
// templates, the literal RBAC rules of _helpers.tpl, and the objects of deploy/clusterdns.yaml.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHART_DIR = join(REPO_ROOT, 'chart');

export type Json = Record<string, unknown>;

export function chartValues(): Json {
  return parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Json;
}

export function chartSchema(): Json {
  return JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as Json;
}

/** Template file name → its text (the helpers file included). */
export function chartTemplates(): Map<string, string> {
  const dir = join(CHART_DIR, 'templates');
  return new Map(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

/** The `clusterdns.rbacRules` definition of _helpers.tpl, which both the ClusterRole and the Roles include. */
export function chartRbacRules(): Json[] {
  const helpers = chartTemplates().get('_helpers.tpl') ?? '';
  const match = /\{\{- define "clusterdns\.rbacRules" -\}\}\n([\s\S]*?)\{\{- end -\}\}/.exec(helpers);
  if (!match) throw new Error('chart/templates/_helpers.tpl has no clusterdns.rbacRules definition');
  return parse(match[1]) as Json[];
}

/** Every object of a multi-document YAML file of the repository, in order. */
export function manifestObjects(relativePath: string): Json[] {
  const docs = parseAllDocuments(readFileSync(join(REPO_ROOT, relativePath), 'utf8'));
  for (const doc of docs) if (doc.errors.length > 0) throw new Error(`${relativePath}: ${doc.errors[0].message}`);
  return docs.map((doc) => doc.toJS() as Json).filter((o) => o !== null);
}

/** What chart/templates/role-namespaced.yaml renders for `rbac.namespaces` (release `clusterdns` in kube-system). */
export function namespacedRbacObjects(namespaces: string[], account = { namespace: 'kube-system', name: 'clusterdns' }): Json[] {
  return namespaces.flatMap((namespace) => [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'clusterdns', namespace }, rules: chartRbacRules() },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'clusterdns', namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'clusterdns' },
      subjects: [{ kind: 'ServiceAccount', ...account }],
    },
  ]);
}
