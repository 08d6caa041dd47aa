// `explain`: the server's own answer to a question, each record attributed to the object that made it, and the
// reasons behind a negative answer (docs/explain.md). The answer is asked of the server's handler chain (the
// same Chain and handlers that answer UDP and TCP), never recomputed here.
import type { ClusterStore } from '../cluster/cluster-store.js';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import type { HandlerResult } from '../pipeline/handler.js';
import { normalizeName } from '../wire/name.js';
import { formatRecord, typeName } from '../wire/presentation.js';
import { RCode, RRType, type ResourceRecord } from '../wire/types.js';
import { attributeRecord, type AttributionContext } from './record-attribution.js';
import { diagnose, type DiagnosisContext } from './diagnosis.js';
import type { ExplainSettings, ExplainedRecord, Explanation } from './explanation.js';
import { walkSearchPath } from './search-walk.js';

export interface ExplainerParts {
  store: ClusterStore;
  /** The server's chain asked on nobody's behalf (an internal request): records, skip (REFUSED) or error. */
  resolve: (qname: string, qtype: number) => HandlerResult | Promise<HandlerResult>;
  /** The cluster or reverse zone `name` is in, or null (RecordIndex#findZone). */
  indexZone: (name: string) => string | null;
  /** True when `name` exists in the record index (RecordIndex#exists). */
  indexHas: (name: string) => boolean;
  /** Every zone of the record index. */
  indexZones: readonly string[];
  settings?: ExplainSettings;
}

export interface ExplainOptions {
  /** `namespace/name` of a pod: walk its search path as its resolver would. */
  fromPod?: string;
}

const RCODE_NAMES = new Map<number, string>(Object.entries(RCode).map(([name, value]) => [value, name]));

export function rcodeName(rcode: number): string {
  return RCODE_NAMES.get(rcode) ?? `RCODE${rcode}`;
}

/** `A`, `aaaa`, `33` → the type number; throws a ClusterDnsError for anything else. */
export function parseQtype(type: string | number | undefined): number {
  if (type === undefined || type === '') return RRType.A;
  if (typeof type === 'number' || /^\d+$/.test(type)) {
    const n = Number(type);
    if (Number.isInteger(n) && n >= 1 && n <= 65535) return n;
  } else {
    const known = (RRType as Record<string, number>)[type.toUpperCase()];
    if (known !== undefined && known !== RRType.OPT) return known;
  }
  throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `explain: unknown record type ${JSON.stringify(type)}`);
}

/** A question name as the server sees it: lowercase, absolute, no trailing dot; throws for what is no name. */
export function parseQuestionName(name: string): string {
  const normalized = normalizeName(name.trim());
  const labels = normalized === '' ? [] : normalized.split('.');
  if (name.trim() === '' || normalized.length > 253 || labels.some((l) => l === '' || l.length > 63)) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `explain: ${JSON.stringify(name)} is not a domain name`);
  }
  return normalized;
}

/** A settled chain result as rcode and sections; `skip` (no handler serves the name) is the REFUSED the server sends. */
function outcomeOf(result: HandlerResult): { rcode: number; answer: ResourceRecord[]; authority: ResourceRecord[]; additional: ResourceRecord[] } {
  if (result.kind === 'records') return { rcode: result.rcode, ...result.sections };
  if (result.kind === 'error') return { rcode: result.rcode, answer: [], authority: [], additional: [] };
  return { rcode: RCode.REFUSED, answer: [], authority: [], additional: [] };
}

export class Explainer {
  private readonly attribution: AttributionContext;
  private readonly diagnosis: DiagnosisContext;

  constructor(private readonly parts: ExplainerParts) {
    const settings = parts.settings ?? {};
    const clusterZones = parts.store.buildOptions.zones;
    const zoneFileOf = (name: string): string | null => {
      let best: { origin: string; file: string } | null = null;
      for (const zone of settings.zoneFiles?.() ?? []) {
        const inside = zone.origin === '' || name === zone.origin || name.endsWith(`.${zone.origin}`);
        if (inside && (best === null || zone.origin.length > best.origin.length)) best = zone;
      }
      return best?.file ?? null;
    };
    const routeOf = (name: string): { domain: string; upstreams: string[] } | null => {
      let best: { domain: string; upstreams: string[] } | null = null;
      for (const route of settings.forwardRoutes ?? []) {
        const inside = route.domain === '' || name === route.domain || name.endsWith(`.${route.domain}`);
        if (inside && (best === null || route.domain.length > best.domain.length)) best = route;
      }
      return best;
    };
    this.attribution = {
      store: parts.store,
      clusterZones,
      indexZone: parts.indexZone,
      zoneFileOf,
      upstreamsOf: (name) => routeOf(name)?.upstreams ?? [],
    };
    this.diagnosis = {
      store: parts.store,
      clusterZones,
      indexZone: parts.indexZone,
      zoneFileOf,
      routeOf,
      servedZones: () => [...parts.indexZones, ...(settings.zoneFiles?.() ?? []).map((z) => z.origin)],
      offline: settings.offline === true,
    };
  }

  /** Explain `name` `type` (default A); with `fromPod`, as that pod's resolver would ask it. */
  async explain(name: string, type?: string | number, options: ExplainOptions = {}): Promise<Explanation> {
    const qname = parseQuestionName(name);
    const qtype = parseQtype(type);
    if (options.fromPod !== undefined) {
      return walkSearchPath(name, qtype, options.fromPod, {
        store: this.parts.store,
        hostSearch: this.parts.settings?.hostSearch ?? [],
        ask: (candidate, t) => this.question(candidate, t),
      });
    }
    return this.question(qname, qtype);
  }

  /** One question, exactly as the server answers it. */
  async question(qname: string, qtype: number): Promise<Explanation> {
    const outcome = outcomeOf(await this.parts.resolve(qname, qtype));
    const attribute = (section: ExplainedRecord['section']) => (record: ResourceRecord): ExplainedRecord => ({
      record: formatRecord(record),
      section,
      ...attributeRecord(record, this.attribution),
    });
    const answered = outcome.answer.some((r) => r.type === qtype || qtype === RRType.ANY);
    const rcode = rcodeName(outcome.rcode);
    // Reasons for the name the answer ends at (a CNAME chain's last name: its target is what failed).
    const last = outcome.answer[outcome.answer.length - 1];
    const subject = !answered && last?.type === RRType.CNAME ? normalizeName(last.data as string) : qname;
    const reasons = outcome.rcode === RCode.SERVFAIL ? [] : diagnose(subject, qtype, { rcode, answered }, this.diagnosis);
    return {
      question: { name: qname, type: typeName(qtype) },
      rcode,
      nodata: outcome.rcode === RCode.NOERROR && outcome.answer.length === 0,
      answers: outcome.answer.map(attribute('answer')),
      others: [...outcome.authority.map(attribute('authority')), ...outcome.additional.map(attribute('additional'))],
      closestExisting: answered ? null : this.closestExisting(subject),
      reasons,
    };
  }

  /** The longest suffix of `name` that exists in the record index (the closest encloser, RFC 8020), or null. */
  private closestExisting(name: string): string | null {
    const zone = this.parts.indexZone(name);
    if (zone === null) return null;
    for (let at = name; ; at = at.slice(at.indexOf('.') + 1)) {
      if (at === zone || this.parts.indexHas(at)) return at;
      if (!at.includes('.')) return zone;
    }
  }
}
