// An Explanation as text: the answer as dig prints it, each record followed by its object and rule, then
// the reasons (and, for --from-pod, the pod's resolv.conf and every query of its search-path walk).
import type { ExplainedRecord, Explanation, RecordSource } from './explanation.js';

function objectName(source: RecordSource): string {
  const where = source.namespace === '' ? source.name : `${source.namespace}/${source.name}`;
  return `${source.kind}/${where}${source.resourceVersion ? ` (resourceVersion ${source.resourceVersion})` : ''}`;
}

function recordLines(records: readonly ExplainedRecord[]): string[] {
  return records.flatMap((r) => [r.record, `;;   from ${objectName(r.source)}: ${r.rule}`]);
}

export function formatExplanation(explanation: Explanation): string {
  const lines: string[] = [];
  const walk = explanation.walk;
  if (walk) {
    lines.push(`;; POD ${walk.pod.namespace}/${walk.pod.name}: its /etc/resolv.conf`);
    for (const ns of walk.resolvConf.nameservers) lines.push(`;;   nameserver ${ns}`);
    if (walk.resolvConf.search.length > 0) lines.push(`;;   search ${walk.resolvConf.search.join(' ')}`);
    lines.push(`;;   options ndots:${walk.resolvConf.ndots}`);
    lines.push(`;; SEARCH PATH for "${walk.asked}" (the queries its resolver sends, in order):`);
    walk.steps.forEach((step, i) => {
      const result = step.rcode === 'NOERROR' && step.answers.length === 0 ? 'NODATA' : step.rcode;
      lines.push(`;;   ${String(i + 1).padStart(2)}. ${step.name}. ${step.type} -> ${result}${step.answers.length > 0 ? `: ${step.answers.join(' | ')}` : ''}`);
    });
    const saved = walk.queries - walk.queriesWithAutopath;
    lines.push(
      walk.answeredBy === null
        ? `;; no candidate answered: ${walk.queries} queries`
        : `;; answered by ${walk.answeredBy}. after ${walk.queries} queries; with autopath ${walk.queriesWithAutopath} (${saved} round trip${saved === 1 ? '' : 's'} saved)`,
    );
    lines.push('');
  }
  const { name, type } = explanation.question;
  lines.push(`;; QUESTION: ${name === '' ? '.' : `${name.replace(/\.$/, '')}.`} IN ${type}`);
  lines.push(`;; ->>HEADER<<- status: ${explanation.rcode}${explanation.nodata ? ' (NODATA: the name exists, no records of this type)' : ''}`);
  if (explanation.answers.length > 0) lines.push(';; ANSWER SECTION:', ...recordLines(explanation.answers));
  const authority = explanation.others.filter((r) => r.section === 'authority');
  const additional = explanation.others.filter((r) => r.section === 'additional');
  if (authority.length > 0) lines.push(';; AUTHORITY SECTION:', ...recordLines(authority));
  if (additional.length > 0) lines.push(';; ADDITIONAL SECTION:', ...recordLines(additional));
  if (explanation.closestExisting !== null) lines.push(`;; closest name that exists: ${explanation.closestExisting}.`);
  const reasons = explanation.reasons.filter((r) => r.code !== 'search-path' || !walk || r.object !== undefined);
  if (reasons.length > 0) {
    lines.push(';; WHY:');
    for (const reason of reasons) lines.push(`;;   ${reason.code}: ${reason.message}`);
  }
  return `${lines.join('\n')}\n`;
}
