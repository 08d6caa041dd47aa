// The handler a Corefile reload swaps (CoreDNS plugin/reload restarts its servers; here the listeners stay and
// only the chain behind them changes): queries already in the old chain finish there, new ones go to the new.
import { RCode } from '../wire/types.js';
import type { DnsRequest, Handler, HandlerResult } from './handler.js';

export class SwappableHandler implements Handler {
  readonly name = 'reload';
  private target: Handler | null = null;

  /** Sends every later query to `handler`. */
  swap(handler: Handler): void {
    this.target = handler;
  }

  handle(request: DnsRequest): HandlerResult | Promise<HandlerResult> {
    // Only before the first configuration is in place, which the CLI sets before it binds.
    if (this.target === null) return { kind: 'error', rcode: RCode.SERVFAIL };
    return this.target.handle(request);
  }
}
