// `apply`/`delete` input (plain Kubernetes objects, the builders' output, lists of them) → ClusterEvents
// for ClusterStore#apply. Everything is validated before anything is applied: a bad object rejects the
// whole call with a typed error and leaves the cluster unchanged.
import type { ClusterEvent, ClusterObjectKind } from '../cluster/objects.js';
import { isSupportedKind, trimObject, type TrimOptions } from '../cluster/trim.js';
import { EmbeddingErrorCodes, embeddingError } from './errors.js';
import type { KubernetesObject } from './object-types.js';

export type { KubernetesObject };

/** A `kind: List` (kubectl get -o json/yaml output). */
export interface KubernetesList {
  apiVersion?: string;
  kind: 'List';
  items: readonly KubernetesObject[];
}

/** One object, a List, or any (nested) array of them — headlessService() returns such an array. */
export type ObjectsInput = KubernetesObject | KubernetesList | readonly ObjectsInput[];

/** What `delete` needs: kind and name (namespace defaults to "default"; Namespaces have none). */
export interface ObjectRef {
  kind: 'Service' | 'EndpointSlice' | 'Pod' | 'Namespace';
  namespace?: string;
  name: string;
}

export type DeleteInput = ObjectRef | KubernetesObject | KubernetesList | readonly DeleteInput[];

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function* flatten(input: unknown, where: string): Generator<{ value: unknown; where: string }> {
  if (Array.isArray(input)) {
    for (let i = 0; i < input.length; i++) yield* flatten(input[i], `${where}[${i}]`);
  } else if (isRecord(input) && input.kind === 'List') {
    if (!Array.isArray(input.items)) throw embeddingError(EmbeddingErrorCodes.OBJECT_INVALID, `${where}: kind List without items`);
    for (let i = 0; i < input.items.length; i++) yield* flatten(input.items[i], `${where}.items[${i}]`);
  } else {
    yield { value: input, where };
  }
}

function describe(value: unknown): string {
  if (!isRecord(value)) return JSON.stringify(value) ?? String(value);
  const meta = isRecord(value.metadata) ? value.metadata : {};
  const ns = typeof meta.namespace === 'string' ? `${meta.namespace}/` : '';
  return `${String(value.kind ?? '(no kind)')} ${ns}${String(meta.name ?? '(no name)')}`;
}

/** Upsert events for `input`; throws CLUSTERDNS_ERR_OBJECT_INVALID / _UNSUPPORTED before returning any. */
export function upsertEvents(input: unknown, what = 'apply', trim?: TrimOptions): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  for (const { value, where } of flatten(input, what)) {
    if (!isRecord(value)) {
      throw embeddingError(EmbeddingErrorCodes.OBJECT_INVALID, `${where}: expected a Kubernetes object, got ${describe(value)}`);
    }
    if (typeof value.kind !== 'string' || value.kind === '') {
      throw embeddingError(EmbeddingErrorCodes.OBJECT_INVALID, `${where}: ${describe(value)} has no kind`);
    }
    let object;
    try {
      object = trimObject(value, undefined, trim);
    } catch (err) {
      throw embeddingError(EmbeddingErrorCodes.OBJECT_INVALID, `${where}: ${(err as Error).message}`, err);
    }
    if (object === null) {
      throw embeddingError(
        EmbeddingErrorCodes.OBJECT_UNSUPPORTED,
        `${where}: ${describe(value)} (apiVersion ${String(value.apiVersion ?? 'unset')}) is not a kind clusterdns reads; ` +
          'use v1 Service, Pod, Namespace or discovery.k8s.io/v1 EndpointSlice',
      );
    }
    events.push({ type: 'upsert', object });
  }
  return events;
}

/** Delete events for `input` (refs or whole objects); throws CLUSTERDNS_ERR_OBJECT_INVALID / _UNSUPPORTED. */
export function deleteEvents(input: unknown, what = 'delete'): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  for (const { value, where } of flatten(input, what)) {
    if (!isRecord(value)) {
      throw embeddingError(EmbeddingErrorCodes.OBJECT_INVALID, `${where}: expected an object or { kind, namespace, name }`);
    }
    const kind = value.kind;
    if (!isSupportedKind(kind)) {
      throw embeddingError(
        EmbeddingErrorCodes.OBJECT_UNSUPPORTED,
        `${where}: kind ${JSON.stringify(kind)} is not one of Service, EndpointSlice, Pod, Namespace`,
      );
    }
    const meta = isRecord(value.metadata) ? value.metadata : value;
    const name = meta.name;
    if (typeof name !== 'string' || name === '') {
      throw embeddingError(EmbeddingErrorCodes.OBJECT_INVALID, `${where}: ${kind} without a name`);
    }
    const namespace = meta.namespace ?? 'default';
    if (typeof namespace !== 'string' || namespace === '') {
      throw embeddingError(EmbeddingErrorCodes.OBJECT_INVALID, `${where}: ${kind} ${name}: namespace must be a non-empty string`);
    }
    events.push({
      type: 'delete',
      kind: kind as ClusterObjectKind,
      namespace: kind === 'Namespace' ? '' : namespace.toLowerCase(),
      name: name.toLowerCase(),
    });
  }
  return events;
}
