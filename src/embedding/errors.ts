// Error codes of the embedding API. They extend the registry in src/errors.ts (same ClusterDnsError class,
// same CLUSTERDNS_ERR_<AREA>_<WHAT> form); users match on `err.code`.
//
// `lookup` errors follow node:dns instead (ENOTFOUND, EAI_AGAIN, with `hostname` and `syscall`), because
// HTTP clients and retry libraries already understand those.
import { ClusterDnsError, ErrorCodes } from '../errors.js';

export const EmbeddingErrorCodes = {
  /** An object given to `apply`/`delete`/`objects` is malformed (the message names the object and field). */
  OBJECT_INVALID: ErrorCodes.OBJECT_INVALID,
  /** An object of a kind (or apiVersion) clusterdns does not read: only v1 Namespace, Service, Pod and
   * discovery.k8s.io/v1 EndpointSlice (and `kind: List` of them). */
  OBJECT_UNSUPPORTED: ErrorCodes.OBJECT_UNSUPPORTED,
  /** `kubeconfig`: the first full list of the cluster did not arrive within `syncTimeoutMs`. */
  KUBE_SYNC_TIMEOUT: ErrorCodes.KUBE_SYNC_TIMEOUT,
  /** The server was closed (apply/delete/lookup after close, or queries cancelled by close). */
  SERVER_CLOSED: ErrorCodes.SERVER_CLOSED,
} as const;

export type EmbeddingErrorCode = (typeof EmbeddingErrorCodes)[keyof typeof EmbeddingErrorCodes];

export function embeddingError(code: EmbeddingErrorCode, message: string, cause?: unknown): ClusterDnsError {
  return new ClusterDnsError(code, message, cause === undefined ? {} : { cause });
}

/** A node:dns-style lookup error (what `dns.lookup` gives its callback). */
export interface LookupError extends Error {
  code: 'ENOTFOUND' | 'EAI_AGAIN';
  errno: number;
  syscall: 'getaddrinfo';
  hostname: string;
}

// libuv's getaddrinfo error numbers on Linux/macOS (UV_EAI_NONAME, UV_EAI_AGAIN).
const ERRNO = { ENOTFOUND: -3008, EAI_AGAIN: -3001 } as const;

export function lookupError(code: LookupError['code'], hostname: string, cause?: unknown): LookupError {
  const err = new Error(`getaddrinfo ${code} ${hostname}`, cause === undefined ? undefined : { cause }) as LookupError;
  err.code = code;
  err.errno = ERRNO[code];
  err.syscall = 'getaddrinfo';
  err.hostname = hostname;
  return err;
}
