// The autopath handler in front of the kubernetes handler, as the composition root chains them; expected
// replies written as zone-file lines (CoreDNS plugin/autopath behaviour, see the handler's header).
import { describe, expect, it } from 'vitest';
import { AutopathHandler, type AutopathSettings } from '../../../src/pipeline/autopath-handler.js';
import { Chain, compileRecords } from '../../../src/pipeline/chain.js';
import type { DnsRequest, Handler, HandlerResult } from '../../../src/pipeline/handler.js';
import { KubernetesHandler } from '../../../src/pipeline/kubernetes-handler.js';
import { AnswerCache } from '../../../src/records/answer-cache.js';
import { RecordIndex } from '../../../src/records/record-index.js';
import { HeaderFlag } from '../../../src/wire/header.js';
import { decodeMessage } from '../../../src/wire/message.js';
import { formatRecord } from '../../../src/wire/presentation.js';
import { buildReply } from '../../../src/wire/reply.js';
import { RCode, RRClass, RRType } from '../../../src/wire/types.js';
import { query, rr, soaLine, srv } from '../records/helpers.js';

const SERIAL = 1700000000;
const SOA = `AUTH ${soaLine('cluster.local', SERIAL)}`;
const RCODE_NAMES = new Map<number, string>(Object.entries(RCode).map(([name, value]) => [value, name]));
/** Client IPs of pods: 10.244.1.7 runs in `shop`, 10.244.2.9 in `default`. */
const PODS = new Map([
  ['10.244.1.7', 'shop'],
  ['10.244.2.9', 'default'],
]);

function setup(settings: AutopathSettings = {}) {
  const index = new RecordIndex({ zones: ['cluster.local', 'in-addr.arpa'], ttl: 5, now: () => SERIAL });
  index.setOwner('svc:default/hello', [
    rr('hello.default.svc.cluster.local', RRType.A, '10.96.0.20'),
    rr('hello.default.svc.cluster.local', RRType.SRV, srv(80, 'hello.default.svc.cluster.local', 0, 100)),
    rr('_http._tcp.hello.default.svc.cluster.local', RRType.SRV, srv(80, 'hello.default.svc.cluster.local', 0, 100)),
  ]);
  index.setOwner('svc:shop/cart', [rr('cart.shop.svc.cluster.local', RRType.A, '10.96.0.50')]);
  index.setOwner('svc:default/db', [rr('db.default.svc.cluster.local', RRType.CNAME, 'my.database.example.com')]);
  index.setOwner('ns:shop', [], ['shop.svc.cluster.local']);
  index.setOwner('ns:default', [], ['default.svc.cluster.local']);
  const state = { synced: true, successes: 0 };
  const autopath = new AutopathHandler({
    ...settings,
    index,
    zones: ['cluster.local'],
    isSynced: () => state.synced,
    ttl: 5,
    namespaceOfPod: (ip) => PODS.get(ip),
    onSuccess: () => state.successes++,
  });
  const kubernetes = new KubernetesHandler({
    index,
    cache: new AnswerCache(index),
    zones: ['cluster.local'],
    isSynced: () => state.synced,
    pods: 'verified',
    namespaceExists: () => true,
    ttl: 5,
  });
  return { chain: new Chain([autopath, kubernetes]), index, state };
}

/** `error <RCODE>`, or `<RCODE> aa`, the answer lines, then `AUTH …` and `ADD …` lines. */
function outcome(req: DnsRequest, asked: string, result: HandlerResult | Promise<HandlerResult>): string[] {
  if (result instanceof Promise) throw new Error('the chain must answer synchronously');
  if (result.kind === 'skip' || result.kind === 'drop') return [result.kind];
  if (result.kind === 'error') return [`error ${RCODE_NAMES.get(result.rcode)}`];
  const answer = result.kind === 'records' ? compileRecords(req.query, result) : result.answer;
  const message = decodeMessage(buildReply(req.raw, req.query, answer, 65535));
  expect(message.questions[0].name).toBe(asked); // the question comes back as asked, letter case included
  return [
    `${RCODE_NAMES.get(message.rcode)}${message.aa ? ' aa' : ''}`,
    ...message.answers.map(formatRecord),
    ...message.authorities.map((r) => `AUTH ${formatRecord(r)}`),
    ...message.additionals.map((r) => `ADD ${formatRecord(r)}`),
  ];
}

function ask(chain: Chain, name: string, type: number, from: string, qclass: number = RRClass.IN): string[] {
  const req: DnsRequest = { ...query(name, type, qclass), transport: 'udp', remoteAddress: from, remotePort: 5353 };
  return outcome(req, name, chain.handle(req));
}

describe('AutopathHandler (autopath @kubernetes)', () => {
  const SHOP_POD = '10.244.1.7';
  const cases: Array<[string, string, number, string, string[]]> = [
    [
      'another namespace’s service by <svc>.<ns>: found at svc.<zone>',
      'hello.default.shop.svc.cluster.local',
      RRType.A,
      SHOP_POD,
      ['NOERROR aa', 'hello.default.shop.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.', 'hello.default.svc.cluster.local. 5 IN A 10.96.0.20'],
    ],
    [
      'a fully qualified name asked without its dot: found as given (the end of the path)',
      'hello.default.svc.cluster.local.shop.svc.cluster.local',
      RRType.A,
      SHOP_POD,
      [
        'NOERROR aa',
        'hello.default.svc.cluster.local.shop.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.',
        'hello.default.svc.cluster.local. 5 IN A 10.96.0.20',
      ],
    ],
    [
      'the found name exists without the type: NODATA for the question, so the client stops (CoreDNS)',
      'hello.default.shop.svc.cluster.local',
      RRType.AAAA,
      SHOP_POD,
      ['NOERROR aa', SOA],
    ],
    [
      'CNAME asked: the synthesized alias is the answer',
      'hello.default.shop.svc.cluster.local',
      RRType.CNAME,
      SHOP_POD,
      ['NOERROR aa', 'hello.default.shop.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.'],
    ],
    [
      'SRV of the found name keeps its additional records',
      '_http._tcp.hello.default.shop.svc.cluster.local',
      RRType.SRV,
      SHOP_POD,
      [
        'NOERROR aa',
        '_http._tcp.hello.default.shop.svc.cluster.local. 5 IN CNAME _http._tcp.hello.default.svc.cluster.local.',
        '_http._tcp.hello.default.svc.cluster.local. 5 IN SRV 0 100 80 hello.default.svc.cluster.local.',
        'ADD hello.default.svc.cluster.local. 5 IN A 10.96.0.20',
      ],
    ],
    [
      'an ExternalName found: its CNAME follows the autopath CNAME',
      'db.default.shop.svc.cluster.local',
      RRType.A,
      SHOP_POD,
      [
        'NOERROR aa',
        'db.default.shop.svc.cluster.local. 5 IN CNAME db.default.svc.cluster.local.',
        'db.default.svc.cluster.local. 5 IN CNAME my.database.example.com.',
      ],
    ],
    ['the question itself exists: its own answer, no CNAME', 'cart.shop.svc.cluster.local', RRType.A, SHOP_POD, ['NOERROR aa', 'cart.shop.svc.cluster.local. 5 IN A 10.96.0.50']],
    ['nothing found anywhere: the question’s own NXDOMAIN', 'nope.shop.svc.cluster.local', RRType.A, SHOP_POD, ['NXDOMAIN aa', SOA]],
    ['a name outside the zones is passed over (no forwarding yet)', 'example.com.shop.svc.cluster.local', RRType.A, SHOP_POD, ['NXDOMAIN aa', SOA]],
    [
      'not under the pod’s first search domain: no walk (CoreDNS firstInSearchPath)',
      'hello.default.default.svc.cluster.local',
      RRType.A,
      SHOP_POD,
      ['NXDOMAIN aa', SOA],
    ],
    ['a client that is no pod: no walk', 'hello.default.shop.svc.cluster.local', RRType.A, '192.0.2.1', ['NXDOMAIN aa', SOA]],
    [
      'an IPv4 client of a dual-stack socket is found by its unmapped address',
      'hello.default.shop.svc.cluster.local',
      RRType.A,
      `::ffff:${SHOP_POD}`,
      ['NOERROR aa', 'hello.default.shop.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.', 'hello.default.svc.cluster.local. 5 IN A 10.96.0.20'],
    ],
    [
      'letter case of the question is kept in the CNAME owner',
      'Hello.Default.SHOP.svc.cluster.local',
      RRType.A,
      SHOP_POD,
      ['NOERROR aa', 'Hello.Default.SHOP.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.', 'hello.default.svc.cluster.local. 5 IN A 10.96.0.20'],
    ],
    // Class CH: neither handler claims it, so the chain refuses (as for any name no handler serves).
    ['qclass CH is left to the next handler', 'hello.default.shop.svc.cluster.local', RRType.A, SHOP_POD, ['error REFUSED']],
  ];

  for (const [what, name, type, from, expected] of cases) {
    it(what, () => {
      const { chain } = setup();
      const qclass = what.startsWith('qclass CH') ? RRClass.CH : RRClass.IN;
      expect(ask(chain, name, type, from, qclass)).toEqual(expected);
    });
  }

  it('counts only walks that answered', () => {
    const { chain, state } = setup();
    ask(chain, 'hello.default.shop.svc.cluster.local', RRType.A, SHOP_POD);
    ask(chain, 'hello.default.shop.svc.cluster.local', RRType.A, SHOP_POD); // cached, counted again
    ask(chain, 'nope.shop.svc.cluster.local', RRType.A, SHOP_POD);
    ask(chain, 'cart.shop.svc.cluster.local', RRType.A, SHOP_POD);
    expect(state.successes).toBe(2);
  });

  it('follows index changes: a cached walk is redone after the data changes', () => {
    const { chain, index } = setup();
    const name = 'web.default.shop.svc.cluster.local';
    expect(ask(chain, name, RRType.A, SHOP_POD)).toEqual(['NXDOMAIN aa', SOA]);
    index.setOwner('svc:default/web', [rr('web.default.svc.cluster.local', RRType.A, '10.96.0.77')]);
    expect(ask(chain, name, RRType.A, SHOP_POD)).toEqual([
      'NOERROR aa',
      `${name}. 5 IN CNAME web.default.svc.cluster.local.`,
      'web.default.svc.cluster.local. 5 IN A 10.96.0.77',
    ]);
    // The namespace's own service now exists: the question itself answers, without a CNAME.
    index.setOwner('svc:shop/web', [rr('web.shop.svc.cluster.local', RRType.A, '10.96.0.78')]);
    expect(ask(chain, 'web.shop.svc.cluster.local', RRType.A, SHOP_POD)).toEqual(['NOERROR aa', 'web.shop.svc.cluster.local. 5 IN A 10.96.0.78']);
    index.deleteOwner('svc:default/web');
    expect(ask(chain, name, RRType.A, SHOP_POD)).toEqual(['NXDOMAIN aa', SOA]);
  });

  it('answers SERVFAIL (the kubernetes handler) until synced, never a walk over missing data', () => {
    const { chain, state } = setup();
    state.synced = false;
    expect(ask(chain, 'hello.default.shop.svc.cluster.local', RRType.A, SHOP_POD)).toEqual(['error SERVFAIL']);
  });

  it('clients that are no pod search from defaultNamespace when one is set', () => {
    const { chain } = setup({ defaultNamespace: 'shop' });
    expect(ask(chain, 'hello.default.shop.svc.cluster.local', RRType.A, '127.0.0.1')[1]).toBe(
      'hello.default.shop.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.',
    );
    // A pod still searches from its own namespace.
    expect(ask(chain, 'hello.default.shop.svc.cluster.local', RRType.A, '10.244.2.9')).toEqual(['NXDOMAIN aa', SOA]);
  });

  it('host search domains inside a cluster zone are walked after the pod’s own', () => {
    const { chain, index } = setup({ hostSearch: ['corp.cluster.local.'] });
    index.setOwner('static', [rr('wiki.corp.cluster.local', RRType.A, '192.0.2.80')]);
    expect(ask(chain, 'wiki.shop.svc.cluster.local', RRType.A, SHOP_POD)).toEqual([
      'NOERROR aa',
      'wiki.shop.svc.cluster.local. 5 IN CNAME wiki.corp.cluster.local.',
      'wiki.corp.cluster.local. 5 IN A 192.0.2.80',
    ]);
  });

  it('a fixed search path (autopath FILE) applies to every client', () => {
    const { chain } = setup({ search: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'] });
    for (const from of ['192.0.2.1', '10.244.2.9']) {
      expect(ask(chain, 'hello.default.shop.svc.cluster.local', RRType.A, from)[1]).toBe(
        'hello.default.shop.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.',
      );
    }
  });
});

describe('autopath and ExternalName through the rest of the chain (forwarding, zone files)', () => {
  /** Stands where forward sits in the server's chain: answers two outside names, NXDOMAIN for the rest, asynchronously. */
  function outside(asked: string[]): Handler {
    const data = new Map([
      ['www.example.com', '192.0.2.7'],
      ['my.database.example.com', '192.0.2.9'],
    ]);
    return {
      name: 'outside',
      handle(req: DnsRequest): Promise<HandlerResult> {
        asked.push(req.query.qname);
        const address = data.get(req.query.qname);
        const answer = address === undefined ? [] : [rr(req.query.qname, RRType.A, address, 300)];
        return Promise.resolve({
          kind: 'records',
          rcode: address === undefined ? RCode.NXDOMAIN : RCode.NOERROR,
          flags: HeaderFlag.RA,
          sections: { answer, authority: [], additional: [] },
        });
      },
    };
  }

  function chained() {
    const { index, state } = setup();
    const asked: string[] = [];
    let chain: Chain | undefined;
    const autopath = new AutopathHandler({
      index,
      zones: ['cluster.local'],
      isSynced: () => true,
      ttl: 5,
      namespaceOfPod: (ip) => PODS.get(ip),
      onSuccess: () => state.successes++,
      resolve: (name, type, from) => chain!.resolve(name, type, from),
    });
    const kubernetes = new KubernetesHandler({
      index,
      cache: new AnswerCache(index),
      zones: ['cluster.local'],
      isSynced: () => true,
      pods: 'verified',
      namespaceExists: () => true,
      ttl: 5,
      chaseExternal: true,
    });
    chain = new Chain([autopath, kubernetes, outside(asked)]);
    return { chain, asked, state };
  }

  async function askAsync(chain: Chain, name: string, from: string): Promise<string[]> {
    const req: DnsRequest = { ...query(name, RRType.A, RRClass.IN), transport: 'udp', remoteAddress: from, remotePort: 5353 };
    return outcome(req, name, await chain.handle(req));
  }

  it('an outside name asked through a pod’s search path is answered in one round trip: CNAME to the name as given and its forwarded records', async () => {
    const { chain, asked, state } = chained();
    expect(await askAsync(chain, 'www.example.com.default.svc.cluster.local', '10.244.2.9')).toEqual([
      'NOERROR',
      'www.example.com.default.svc.cluster.local. 300 IN CNAME www.example.com.',
      'www.example.com. 300 IN A 192.0.2.7',
    ]);
    expect(asked).toEqual(['www.example.com']); // the cluster expansions came from the index, only the name as given went out
    expect(state.successes).toBe(1);
  });

  it('an ExternalName is completed with its target’s records, directly and through the search path', async () => {
    const { chain } = chained();
    expect(await askAsync(chain, 'db.default.svc.cluster.local', '10.244.2.9')).toEqual([
      'NOERROR aa',
      'db.default.svc.cluster.local. 5 IN CNAME my.database.example.com.',
      'my.database.example.com. 300 IN A 192.0.2.9',
    ]);
    expect(await askAsync(chain, 'db.default.shop.svc.cluster.local', '10.244.1.7')).toEqual([
      'NOERROR aa',
      'db.default.shop.svc.cluster.local. 5 IN CNAME db.default.svc.cluster.local.',
      'db.default.svc.cluster.local. 5 IN CNAME my.database.example.com.',
      'my.database.example.com. 300 IN A 192.0.2.9',
    ]);
  });

  it('a name that exists nowhere ends the walk with the question’s own NXDOMAIN', async () => {
    const { chain, asked, state } = chained();
    expect(await askAsync(chain, 'nope.example.default.svc.cluster.local', '10.244.2.9')).toEqual(['NXDOMAIN aa', SOA]);
    expect(asked).toEqual(['nope.example']);
    expect(state.successes).toBe(0);
  });
});
