// Which collections the reflectors watch for a configuration.
import { describe, expect, it } from 'vitest';
import { assumedNamespaces, collectionPath, reflectorTargets } from '../../../src/kube-api/api-resources.js';

describe('collectionPath', () => {
  it('builds cluster-wide and namespaced paths of the four resources', () => {
    expect(collectionPath('Service')).toBe('/api/v1/services');
    expect(collectionPath('EndpointSlice')).toBe('/apis/discovery.k8s.io/v1/endpointslices');
    expect(collectionPath('Pod', 'kube-system')).toBe('/api/v1/namespaces/kube-system/pods');
    expect(collectionPath('EndpointSlice', 'a')).toBe('/apis/discovery.k8s.io/v1/namespaces/a/endpointslices');
    expect(collectionPath('Namespace', 'ignored')).toBe('/api/v1/namespaces');
  });
});

describe('reflectorTargets', () => {
  it('watches every namespace by default, Pods only when asked, the label selector not on Namespaces', () => {
    expect(reflectorTargets({ watchPods: false, labelSelector: ' app=x ' })).toEqual([
      { kind: 'Service', path: '/api/v1/services', labelSelector: 'app=x', description: 'services' },
      {
        kind: 'EndpointSlice',
        path: '/apis/discovery.k8s.io/v1/endpointslices',
        labelSelector: 'app=x',
        description: 'endpointslices',
      },
      { kind: 'Namespace', path: '/api/v1/namespaces', description: 'namespaces' },
    ]);
    expect(reflectorTargets({ watchPods: true }).map((t) => t.kind)).toEqual(['Service', 'EndpointSlice', 'Pod', 'Namespace']);
    expect(reflectorTargets({ watchPods: true, labelSelector: '  ' })[0].labelSelector).toBeUndefined();
  });

  it('with namespaces, watches each namespace on its own paths and no Namespace collection (a Role cannot grant it)', () => {
    const targets = reflectorTargets({ watchPods: false, namespaces: ['a', 'a', ' b', ''] });
    expect(targets.map((t) => [t.path, t.fieldSelector ?? ''])).toEqual([
      ['/api/v1/namespaces/a/services', ''],
      ['/apis/discovery.k8s.io/v1/namespaces/a/endpointslices', ''],
      ['/api/v1/namespaces/b/services', ''],
      ['/apis/discovery.k8s.io/v1/namespaces/b/endpointslices', ''],
    ]);
    expect(assumedNamespaces(['a', 'a', ' b', ''])).toEqual(['a', 'b']);
  });
});
