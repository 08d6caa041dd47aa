// The checks for --namespaces and --labels: namespace names and the API server's label selector grammar.
import { describe, expect, it } from 'vitest';
import { labelSelectorProblem, namespaceNameProblem } from '../../../src/config/kubernetes-flags.js';

describe('flag checks', () => {
  it.each([
    ['default', null],
    ['kube-system', null],
    ['Team', /not a namespace name/],
    ['-a', /not a namespace name/],
    ['a'.repeat(64), /not a namespace name/],
  ])('namespace %s', (name, problem) => {
    const result = namespaceNameProblem(name);
    if (problem === null) expect(result).toBeNull();
    else expect(result).toMatch(problem);
  });

  it.each([
    'app=web',
    'app==web',
    'app!=web',
    'app',
    '!app',
    'app.kubernetes.io/name=web',
    'tier in (a, b),env notin (prod)',
    'app=',
    'environment in (production,qa),tier!=frontend',
  ])('accepts the label selector %s', (selector) => {
    expect(labelSelectorProblem(selector)).toBeNull();
  });

  it.each([
    ['app=web,', /empty requirement/],
    ['app in (a', /unbalanced/],
    ['app in a', /not a label requirement/],
    ['app = a b', /not a label requirement/],
    ['app>>1', /not a label requirement/],
    ['Bad_/x=1', /not a label requirement/],
  ])('rejects the label selector %s', (selector, problem) => {
    expect(labelSelectorProblem(selector)).toMatch(problem);
  });
});
