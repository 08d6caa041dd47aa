// RBAC for the API emulator: which verbs, resources and namespaces a token may use, as the API server's RBAC
// authorizer decides it (kubernetes.io/docs/reference/access-authn-authz/rbac/): a ClusterRoleBinding grants
// its role's rules everywhere, a RoleBinding only inside its own namespace, so a request for a cluster-scoped
// collection (`/api/v1/namespaces`, `/api/v1/services`) is allowed by a ClusterRoleBinding alone.
import type { Json } from './emulator.js';

/** One rule a subject holds: where (namespace undefined = cluster-wide) and what. */
export interface RbacGrant {
  namespace?: string;
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** The RBAC table the emulator checks every request against: the token's user and what it may do. */
export interface RbacTable {
  /** The user name the API server reports in a 403, e.g. system:serviceaccount:kube-system:clusterdns. */
  user: string;
  grants: RbacGrant[];
}

/** A request's authorization attributes (verb, API group, resource, namespace; "" = cluster scope). */
export interface RbacRequest {
  verb: string;
  apiGroup: string;
  resource: string;
  namespace: string;
  name?: string;
}

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
}

/**
 * The table for a ServiceAccount from Role, ClusterRole, RoleBinding and ClusterRoleBinding objects (as a
 * manifest holds them; other kinds are ignored). A binding to a missing role grants nothing, as in a cluster.
 */
export function rbacTableFromObjects(objects: Json[], account: { namespace: string; name: string }): RbacTable {
  const meta = (o: Json): { name?: string; namespace?: string } => (o.metadata ?? {}) as { name?: string; namespace?: string };
  const rulesOf = (o: Json | undefined): PolicyRule[] => (o?.rules as PolicyRule[] | undefined) ?? [];
  const clusterRoles = new Map(objects.filter((o) => o.kind === 'ClusterRole').map((o) => [meta(o).name, o]));
  const roles = new Map(objects.filter((o) => o.kind === 'Role').map((o) => [`${meta(o).namespace}/${meta(o).name}`, o]));
  const grants: RbacGrant[] = [];
  for (const binding of objects) {
    if (binding.kind !== 'RoleBinding' && binding.kind !== 'ClusterRoleBinding') continue;
    const subjects = (binding.subjects as Array<{ kind: string; name: string; namespace?: string }> | undefined) ?? [];
    const bound = subjects.some((s) => s.kind === 'ServiceAccount' && s.name === account.name && s.namespace === account.namespace);
    if (!bound) continue;
    const ref = binding.roleRef as { kind: string; name: string };
    const where = binding.kind === 'ClusterRoleBinding' ? undefined : meta(binding).namespace ?? 'default';
    const role = ref.kind === 'ClusterRole' ? clusterRoles.get(ref.name) : roles.get(`${where}/${ref.name}`);
    for (const rule of rulesOf(role)) {
      grants.push({
        namespace: where,
        apiGroups: rule.apiGroups ?? [],
        resources: rule.resources ?? [],
        verbs: rule.verbs ?? [],
        resourceNames: rule.resourceNames,
      });
    }
  }
  return { user: `system:serviceaccount:${account.namespace}:${account.name}`, grants };
}

/** Whether the table allows the request (RBAC is additive: any matching grant allows). */
export function rbacAllows(table: RbacTable, request: RbacRequest): boolean {
  const has = (list: string[], value: string): boolean => list.includes('*') || list.includes(value);
  return table.grants.some(
    (g) =>
      (g.namespace === undefined || g.namespace === request.namespace) &&
      has(g.verbs, request.verb) &&
      has(g.apiGroups, request.apiGroup) &&
      has(g.resources, request.resource) &&
      (g.resourceNames === undefined || g.resourceNames.length === 0 || (request.name !== undefined && g.resourceNames.includes(request.name))),
  );
}

/** The API server's 403 message for a denied request. */
export function forbiddenMessage(table: RbacTable, request: RbacRequest): string {
  const scope = request.namespace === '' ? 'at the cluster scope' : `in the namespace "${request.namespace}"`;
  return `${request.resource} is forbidden: User "${table.user}" cannot ${request.verb} resource "${request.resource}" in API group "${request.apiGroup}" ${scope}`;
}
