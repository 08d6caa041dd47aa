// One error class with stable codes (docs/architecture.md "Errors"); users match on `err.code`.
// docs/errors.md documents every code; test/unit/errors.test.ts keeps the two in sync.

export const ErrorCodes = {
  CONFIG_INVALID_FLAG: 'CLUSTERDNS_ERR_CONFIG_INVALID_FLAG',
  CONFIG_INVALID_VALUE: 'CLUSTERDNS_ERR_CONFIG_INVALID_VALUE',
  MANIFEST_READ: 'CLUSTERDNS_ERR_MANIFEST_READ',
  MANIFEST_PARSE: 'CLUSTERDNS_ERR_MANIFEST_PARSE',
  MANIFEST_OBJECT: 'CLUSTERDNS_ERR_MANIFEST_OBJECT',
  OBJECT_INVALID: 'CLUSTERDNS_ERR_OBJECT_INVALID',
  OBJECT_UNSUPPORTED: 'CLUSTERDNS_ERR_OBJECT_UNSUPPORTED',
  KUBE_CONFIG: 'CLUSTERDNS_ERR_KUBE_CONFIG',
  KUBE_SYNC_TIMEOUT: 'CLUSTERDNS_ERR_KUBE_SYNC_TIMEOUT',
  KUBE_CLOSED: 'CLUSTERDNS_ERR_KUBE_CLOSED',
  SERVER_LISTEN: 'CLUSTERDNS_ERR_SERVER_LISTEN',
  SERVER_CLOSED: 'CLUSTERDNS_ERR_SERVER_CLOSED',
  ZONE_READ: 'CLUSTERDNS_ERR_ZONE_READ',
  ZONE_PARSE: 'CLUSTERDNS_ERR_ZONE_PARSE',
  ZONE_DATA: 'CLUSTERDNS_ERR_ZONE_DATA',
  ZONE_INCLUDE: 'CLUSTERDNS_ERR_ZONE_INCLUDE',
  COREFILE_READ: 'CLUSTERDNS_ERR_COREFILE_READ',
  COREFILE_PARSE: 'CLUSTERDNS_ERR_COREFILE_PARSE',
  COREFILE_SERVER_BLOCK: 'CLUSTERDNS_ERR_COREFILE_SERVER_BLOCK',
  COREFILE_DIRECTIVE: 'CLUSTERDNS_ERR_COREFILE_DIRECTIVE',
  KUBE_DNS_CONFIG: 'CLUSTERDNS_ERR_KUBE_DNS_CONFIG',
  HEAP_LIMIT: 'CLUSTERDNS_ERR_HEAP_LIMIT',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface ErrorLocation {
  file: string;
  /** 1-based line, when known. */
  line?: number;
  column?: number;
}

// Marks every ClusterDnsError, whichever copy of this module made it: the package ships an ESM and a
// CommonJS build, and `instanceof` must hold across the two when a process loads both.
const BRAND = Symbol.for('clusterdns.ClusterDnsError');

export class ClusterDnsError extends Error {
  readonly code: ErrorCode;
  readonly location?: ErrorLocation;

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== ClusterDnsError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: true })[BRAND] === true;
  }

  constructor(code: ErrorCode, message: string, options: { location?: ErrorLocation; cause?: unknown } = {}) {
    const where = options.location ? `${formatLocation(options.location)}: ` : '';
    super(`${where}${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClusterDnsError';
    Object.defineProperty(this, BRAND, { value: true });
    this.code = code;
    this.location = options.location;
  }
}

export function formatLocation(location: ErrorLocation): string {
  if (location.line === undefined) return location.file;
  return location.column === undefined
    ? `${location.file}:${location.line}`
    : `${location.file}:${location.line}:${location.column}`;
}
