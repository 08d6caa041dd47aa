// Object identity and the diff from a held state to a wanted one, shared by everything that keeps cluster
// objects (the cluster store, the multi-core fan-out).
import { isDeepStrictEqual } from 'node:util';
import type { ClusterEvent, ClusterObject } from './objects.js';

/** `kind/namespace/name`, the identity diffs go by (namespace "" for Namespaces). */
export function objectKey(object: ClusterObject): string {
  return object.kind === 'Namespace' ? `Namespace//${object.name}` : `${object.kind}/${object.namespace}/${object.name}`;
}

/** The key of the object a delete event names. */
export function deletedKey(event: Extract<ClusterEvent, { type: 'delete' }>): string {
  return `${event.kind}/${event.kind === 'Namespace' ? '' : event.namespace}/${event.name}`;
}

/** `kind/namespace/name` for log lines, also of objects too broken to have a key. */
export function describeObject(object: ClusterObject | undefined): string {
  if (object === null || typeof object !== 'object') return String(object);
  const { kind, name } = object as { kind?: unknown; name?: unknown };
  const namespace = (object as { namespace?: unknown }).namespace;
  return kind === 'Namespace' ? `Namespace/${String(name)}` : `${String(kind)}/${String(namespace)}/${String(name)}`;
}

/**
 * The events that turn `current` into `wanted`: deletes for what is gone, upserts for what is new or changed.
 * `onBadObject` hears about wanted objects that have no key; they are left out.
 */
export function diffObjects(
  current: Iterable<ClusterObject>,
  wanted: Iterable<ClusterObject>,
  onBadObject: (object: ClusterObject, err: unknown) => void,
): ClusterEvent[] {
  const next = new Map<string, ClusterObject>();
  for (const object of wanted) {
    try {
      next.set(objectKey(object), object);
    } catch (err) {
      onBadObject(object, err);
    }
  }
  const events: ClusterEvent[] = [];
  for (const held of current) {
    const k = objectKey(held);
    const object = next.get(k);
    if (object === undefined) {
      events.push({ type: 'delete', kind: held.kind, namespace: held.kind === 'Namespace' ? '' : held.namespace, name: held.name });
    } else {
      // Identity first: a reload hands back the very objects of the files that did not change.
      if (held !== object && !isDeepStrictEqual(held, object)) events.push({ type: 'upsert', object });
      next.delete(k);
    }
  }
  for (const object of next.values()) events.push({ type: 'upsert', object });
  return events;
}
