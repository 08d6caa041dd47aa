// The Helm chart, checked without Helm: every value the templates read is declared in values.yaml and in
// values.schema.json, values.yaml passes the schema (and a typo does not), and deploy/clusterdns.yaml (the
// chart rendered with its defaults) is valid Kubernetes and carries what the templates and values set.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { API_RESOURCES } from '../../../src/kube-api/api-resources.js';
import { CHART_DIR, REPO_ROOT, chartRbacRules, chartSchema, chartTemplates, chartValues, manifestObjects, type Json } from '../../helpers/chart-files.js';

const values = chartValues();
const schema = chartSchema();
const templates = chartTemplates();
const manifest = manifestObjects('deploy/clusterdns.yaml');
const chart = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as Json;

/** `.Values.a.b` paths the templates read (range bodies use relative `.x`, which are checked through the schema of servers). */
function valuesPaths(): string[] {
  const paths = new Set<string>();
  for (const text of templates.values()) for (const m of text.matchAll(/\.Values\.([A-Za-z0-9_.]+)/g)) paths.add(m[1].replace(/\.$/, ''));
  return [...paths].sort();
}

function lookup(root: unknown, path: string): { found: boolean; value: unknown } {
  let node = root;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || !(key in (node as Json))) return { found: false, value: undefined };
    node = (node as Json)[key];
  }
  return { found: true, value: node };
}

function schemaHas(path: string): boolean {
  let node = schema;
  for (const key of path.split('.')) {
    const properties = node.properties as Record<string, Json> | undefined;
    if (!properties?.[key]) return false;
    node = properties[key];
  }
  return true;
}

function object(kind: string, name?: string): Json {
  const found = manifest.find((o) => o.kind === kind && (name === undefined || (o.metadata as Json).name === name));
  if (!found) throw new Error(`deploy/clusterdns.yaml has no ${kind}${name ? ` ${name}` : ''}`);
  return found;
}

const at = (o: unknown, path: string): unknown => lookup(o, path).value;

/** The Corefile the configmap template builds from `servers` (coredns/helm's layout). */
function corefileOf(servers: Json[]): string {
  const blocks = servers.map((server) => {
    const port = server.port as number;
    const zones = (server.zones as Json[]).map((z) => `${(z.scheme as string | undefined) ?? ''}${(z.zone as string | undefined) ?? '.'}:${port}`);
    const lines = [`${zones.join(' ')} {`];
    for (const plugin of server.plugins as Json[]) {
      const head = `    ${String(plugin.name)}${plugin.parameters !== undefined ? ` ${String(plugin.parameters)}` : ''}`;
      if (plugin.configBlock === undefined) lines.push(head);
      else lines.push(`${head} {`, ...String(plugin.configBlock).split('\n').map((l) => `        ${l}`), '    }');
    }
    lines.push('}');
    return lines.join('\n');
  });
  return blocks.join('\n');
}

/**
 * The literal lines of a template that render with the default values: lines inside `{{ with .Values.x }}`
 * render only when x is set, so they count only then.
 */
function renderedLiteralLines(template: string): string[] {
  const open: boolean[] = [];
  const out: string[] = [];
  for (const raw of template.split('\n')) {
    const line = raw.trim();
    const withValue = /\{\{-? with \.Values\.([A-Za-z0-9_.]+)/.exec(line);
    if (withValue) open.push(Boolean(lookup(values, withValue[1]).value) && JSON.stringify(lookup(values, withValue[1]).value) !== '{}' && JSON.stringify(lookup(values, withValue[1]).value) !== '[]');
    else if (/\{\{-? (if|with|range) /.test(line)) open.push(true);
    if (/\{\{-? end/.test(line)) open.pop();
    if (line === '' || line.includes('{{') || line.startsWith('#') || line.endsWith('|-') || line === '}') continue;
    if (open.every(Boolean)) out.push(line);
  }
  return out;
}

describe('chart values', () => {
  it('every .Values path a template reads exists in values.yaml and in values.schema.json', () => {
    const paths = valuesPaths();
    expect(paths.length).toBeGreaterThan(40);
    expect(paths.filter((p) => !lookup(values, p).found)).toEqual([]);
    expect(paths.filter((p) => !schemaHas(p))).toEqual([]);
  });

  it('values.yaml validates against values.schema.json, and a misspelt key or a wrong type does not', () => {
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
    expect(validate(values), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...values, replicaCounts: 3 })).toBe(false);
    expect(validate({ ...values, replicaCount: 'two' })).toBe(false);
    expect(validate({ ...values, autoscaler: { ...(values.autoscaler as Json), coresPerReplica: 0 } })).toBe(false);
    expect(validate({ ...values, rbac: { create: true, namespaces: ['Team_A'] } })).toBe(false);
  });

  it('uses coredns/helm value names for what both charts have', () => {
    for (const path of ['replicaCount', 'image.repository', 'image.tag', 'image.pullPolicy', 'resources', 'service.clusterIP', 'servers', 'priorityClassName', 'serviceAccount.create', 'serviceAccount.name', 'rbac.create', 'podDisruptionBudget', 'hpa.enabled', 'autoscaler.enabled', 'autoscaler.coresPerReplica', 'autoscaler.nodesPerReplica', 'autoscaler.min', 'prometheus.monitor.enabled', 'livenessProbe', 'readinessProbe', 'tolerations', 'affinity', 'securityContext']) {
      expect(lookup(values, path).found, path).toBe(true);
    }
  });
});

describe('deploy/clusterdns.yaml', () => {
  it('holds exactly the objects the chart renders by default, each valid against the Kubernetes schemas', () => {
    expect(manifest.map((o) => `${String(o.kind)}/${String((o.metadata as Json).name)}`)).toEqual([
      'PodDisruptionBudget/clusterdns',
      'ServiceAccount/clusterdns',
      'ConfigMap/clusterdns',
      'ClusterRole/system:clusterdns',
      'ClusterRoleBinding/system:clusterdns',
      'Service/kube-dns',
      'Deployment/clusterdns',
    ]);
    const models: Record<string, new (data: never) => { validate(): void }> = {
      PodDisruptionBudget,
      ServiceAccount,
      ConfigMap,
      ClusterRole,
      ClusterRoleBinding,
      Service,
      Deployment,
    };
    for (const o of manifest) expect(() => new models[String(o.kind)](o as never).validate(), String(o.kind)).not.toThrow();
    // The validator is live: a wrong type is caught.
    const broken = structuredClone(object('Deployment'));
    (at(broken, 'spec') as Json).replicas = 'two';
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas/);
  });

  it('carries every literal line of the templates that render by default', () => {
    const rendered = new Map([
      ['poddisruptionbudget.yaml', 'PodDisruptionBudget'],
      ['serviceaccount.yaml', 'ServiceAccount'],
      ['configmap.yaml', 'ConfigMap'],
      ['clusterrole.yaml', 'ClusterRole'],
      ['clusterrolebinding.yaml', 'ClusterRoleBinding'],
      ['service.yaml', 'Service'],
      ['deployment.yaml', 'Deployment'],
    ]);
    const text = readFileSync(join(REPO_ROOT, 'deploy', 'clusterdns.yaml'), 'utf8');
    const sections = text.split(/^---$/m);
    for (const [file, kind] of rendered) {
      const section = sections.find((s) => s.includes(`# Source: clusterdns/templates/${file}`));
      expect(section, file).toBeDefined();
      expect(section).toContain(`kind: ${kind}`);
      const have = new Set(section!.split('\n').map((l) => l.trim()));
      const literal = renderedLiteralLines(templates.get(file)!);
      expect(literal.filter((l) => !have.has(l)), file).toEqual([]);
    }
    // The templates that are off by default render nothing into it.
    for (const kind of ['HorizontalPodAutoscaler', 'ServiceMonitor', 'Role', 'RoleBinding']) expect(manifest.some((o) => o.kind === kind)).toBe(false);
  });

  it('carries the default values the templates substitute', () => {
    const deployment = object('Deployment');
    const pod = at(deployment, 'spec.template.spec') as Json;
    const container = (pod.containers as Json[])[0];
    const image = values.image as Json;
    expect(at(deployment, 'spec.replicas')).toBe(values.replicaCount);
    expect(at(deployment, 'spec.strategy.rollingUpdate')).toEqual(values.rollingUpdate);
    expect(container.image).toBe(`${String(image.repository)}:${String(chart.appVersion)}`);
    expect(container.imagePullPolicy).toBe(image.pullPolicy);
    expect(container.args).toEqual(['serve', '--conf', '/etc/coredns/Corefile']);
    expect(container.resources).toEqual(values.resources);
    expect(container.securityContext).toEqual(values.securityContext);
    expect(pod.securityContext).toEqual(values.podSecurityContext);
    expect(pod.tolerations).toEqual(values.tolerations);
    expect(pod.nodeSelector).toEqual(values.nodeSelector);
    expect(pod.priorityClassName).toBe(values.priorityClassName);
    expect(pod.dnsPolicy).toBe(at(values, 'deployment.dnsPolicy'));
    expect(pod.terminationGracePeriodSeconds).toBe(values.terminationGracePeriodSeconds);
    for (const probe of ['livenessProbe', 'readinessProbe']) {
      const { enabled: _enabled, ...timings } = values[probe] as Json;
      expect(container[probe]).toMatchObject(timings);
    }
    expect(at(container, 'livenessProbe.httpGet')).toEqual({ path: '/health', port: 8080, scheme: 'HTTP' });
    expect(at(container, 'readinessProbe.httpGet')).toEqual({ path: '/ready', port: 8181, scheme: 'HTTP' });
    expect(at(object('PodDisruptionBudget'), 'spec.maxUnavailable')).toBe(at(values, 'podDisruptionBudget.maxUnavailable'));
    expect(at(object('Service'), 'metadata.annotations')).toEqual(at(values, 'service.annotations'));
    expect(at(object('ConfigMap'), 'data.Corefile')).toBe(corefileOf(values.servers as Json[]));
  });

  it('replaces kube-dns: the Service, its ports and labels, the pods it selects, 2 spread replicas as system-cluster-critical', () => {
    const service = object('Service');
    expect(at(service, 'metadata.namespace')).toBe('kube-system');
    expect(at(service, 'metadata.labels.k8s-app')).toBe('kube-dns');
    expect((at(service, 'spec.ports') as Json[]).map((p) => [p.name, p.port, p.protocol])).toEqual([
      ['dns', 53, 'UDP'],
      ['dns-tcp', 53, 'TCP'],
      ['metrics', 9153, 'TCP'],
    ]);
    const deployment = object('Deployment');
    const podLabels = at(deployment, 'spec.template.metadata.labels') as Json;
    expect(podLabels).toMatchObject(at(service, 'spec.selector') as Json);
    expect(podLabels).toMatchObject(at(deployment, 'spec.selector.matchLabels') as Json);
    expect(at(deployment, 'spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution.0.podAffinityTerm.topologyKey')).toBe('kubernetes.io/hostname');
    const ports = at(deployment, 'spec.template.spec.containers.0.ports') as Json[];
    for (const p of at(service, 'spec.ports') as Json[]) expect(ports.some((c) => c.name === p.targetPort && c.protocol === p.protocol)).toBe(true);
    expect(at(deployment, 'spec.template.spec.securityContext.runAsUser')).toBe(65532);
    expect(at(deployment, 'spec.template.spec.containers.0.securityContext.capabilities.add')).toEqual(['NET_BIND_SERVICE']);
  });

  it('grants list and watch of what the reflectors read, the rules of _helpers.tpl and deploy/rbac.yaml', () => {
    const rules = at(object('ClusterRole'), 'rules');
    expect(rules).toEqual(chartRbacRules());
    const granted = (rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>).flatMap((r) =>
      r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}:${[...r.verbs].sort().join(',')}`)),
    );
    const needed = Object.values(API_RESOURCES).map((r) => `${r.groupVersion === '/api/v1' ? '' : r.groupVersion.split('/')[2]}/${r.plural}:list,watch`);
    expect(granted.sort()).toEqual(needed.sort());
    const plain = manifestObjects('deploy/rbac.yaml').find((o) => o.kind === 'ClusterRole');
    const normalize = (list: unknown) => (list as Array<Record<string, string[]>>).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, [...v].sort()])));
    expect(normalize(plain?.rules)).toEqual(normalize(rules));
    expect(at(object('ClusterRoleBinding'), 'subjects')).toEqual([{ kind: 'ServiceAccount', name: 'clusterdns', namespace: 'kube-system' }]);
    expect(at(object('Deployment'), 'spec.template.spec.serviceAccountName')).toBe('clusterdns');
  });
});
