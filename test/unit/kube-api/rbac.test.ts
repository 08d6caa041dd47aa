// deploy/rbac.yaml grants exactly what the reflectors request: list and watch of every collection they use,
// nothing more (a read-only DNS server).
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { API_RESOURCES } from '../../../src/kube-api/api-resources.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

describe('deploy/rbac.yaml', () => {
  const docs = parseAllDocuments(readFileSync(new URL('../../../deploy/rbac.yaml', import.meta.url), 'utf8'));
  const objects = docs.map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as { kind: string; metadata: { name: string; namespace?: string }; rules?: Rule[]; roleRef?: { name: string }; subjects?: Array<{ name: string; namespace: string }> };
  });

  it('has a ServiceAccount, a ClusterRole and a binding between them', () => {
    expect(objects.map((o) => o.kind)).toEqual(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding']);
    const [account, role, binding] = objects;
    expect(binding.roleRef?.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace }]);
  });

  it('allows list and watch of every resource the reflectors watch, and nothing else', () => {
    const rules = objects[1].rules ?? [];
    const granted = new Set(rules.flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.map((resource) => `${group}/${resource}`))));
    const needed = Object.values(API_RESOURCES).map((r) => `${r.groupVersion === '/api/v1' ? '' : r.groupVersion.split('/')[2]}/${r.plural}`);
    expect([...granted].sort()).toEqual(needed.sort());
    for (const rule of rules) expect([...rule.verbs].sort()).toEqual(['list', 'watch']);
  });
});
