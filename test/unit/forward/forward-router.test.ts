import { describe, expect, it } from 'vitest';
import { ForwardRouter } from '../../../src/forward/forward-router.js';
import { UpstreamPool } from '../../../src/forward/upstream-pool.js';

function pool(port: number): UpstreamPool {
  return new UpstreamPool({ upstreams: [{ host: '127.0.0.1', port, family: 4 }] });
}

describe('ForwardRouter', () => {
  const general = pool(1);
  const corp = pool(2);
  const eng = pool(3);
  const router = new ForwardRouter([
    { domain: 'corp.example', pool: corp },
    { domain: '', pool: general },
    { domain: 'eng.corp.example', pool: eng },
  ]);

  it.each([
    ['www.example.com', 1],
    ['corp.example', 2],
    ['wiki.corp.example', 2],
    ['eng.corp.example', 3],
    ['ci.eng.corp.example', 3],
    ['notcorp.example', 1], // a suffix that is not a label boundary is not under the domain
    ['xeng.corp.example', 2],
    ['', 1],
  ])('%s goes to the pool of upstream port %i (the longest matching domain)', (qname, port) => {
    expect(router.route(qname)?.upstreams[0].address.port).toBe(port);
  });

  it('routes nothing outside the stub domains when there is no default route', () => {
    const stubOnly = new ForwardRouter([{ domain: 'corp.example', pool: corp }]);
    expect(stubOnly.route('www.example.com')).toBeNull();
    expect(stubOnly.route('corp.example')).toBe(corp);
    expect(stubOnly.defaultPool).toBeNull();
    expect(router.defaultPool).toBe(general);
  });

  it('routes no name at or under an except domain, whatever route would cover it (CoreDNS forward except)', () => {
    const excepting = new ForwardRouter([{ domain: '', pool: general }, { domain: 'corp.example', pool: corp }], ['internal.example', 'eng.corp.example']);
    expect(excepting.route('internal.example')).toBeNull();
    expect(excepting.route('db.internal.example')).toBeNull();
    expect(excepting.route('ci.eng.corp.example')).toBeNull();
    expect(excepting.route('notinternal.example')).toBe(general);
    expect(excepting.route('wiki.corp.example')).toBe(corp);
  });

  it('refuses two routes for one domain', () => {
    expect(() => new ForwardRouter([{ domain: 'a', pool: corp }, { domain: 'a', pool: eng }])).toThrow(/two forward routes for "a"/);
  });
});
