// Handlers in order, as CoreDNS runs its plugin chain: the first that does not skip answers.
// Stays synchronous while every handler answers synchronously (DESIGN.md "The hot path").
import { RCode } from '../wire/types.js';
import type { DnsRequest, Handler, HandlerResult } from './handler.js';

/** No handler claimed the name: until forwarding exists, names outside the served zones are refused. */
const REFUSED: HandlerResult = { kind: 'error', rcode: RCode.REFUSED };

export class Chain implements Handler {
  readonly name = 'chain';

  constructor(private readonly handlers: readonly Handler[]) {}

  handle(request: DnsRequest): HandlerResult | Promise<HandlerResult> {
    return this.from(0, request);
  }

  private from(start: number, request: DnsRequest): HandlerResult | Promise<HandlerResult> {
    for (let i = start; i < this.handlers.length; i++) {
      const result = this.handlers[i].handle(request);
      if (result instanceof Promise) {
        return result.then((settled) => (settled.kind === 'skip' ? this.from(i + 1, request) : settled));
      }
      if (result.kind !== 'skip') return result;
    }
    return REFUSED;
  }
}
