// One GET against the Kubernetes API with the KubeConfig's credentials (token, client certificate, CA,
// exec/file auth plugins — all applied by client-node's applyToHTTPSOptions) and a body parsed as raw JSON.
//
// Why not client-node's generated list calls: they deserialise every item into classes with Date fields, which
// costs time and memory only to be thrown away by the trimmer, and take no abort signal, so a stopped reflector
// could not cancel a list in flight (docs/architecture.md "Kubernetes API client").
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** A non-2xx answer; `status` is the API's Status object when the body was one. */
export class ApiStatusError extends Error {
  readonly statusCode: number;
  readonly reason?: string;
  readonly status?: Record<string, unknown>;

  constructor(statusCode: number, message: string, status?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiStatusError';
    this.statusCode = statusCode;
    this.status = status;
    this.reason = typeof status?.reason === 'string' ? status.reason : undefined;
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface GetJsonOptions {
  /** Abort the whole request (connect, headers, body) after this many ms. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Refuse bodies larger than this (default 512 MiB). */
  maxBytes?: number;
}

/** The URL client-node's Watch builds: cluster.server + path (the server may carry a path prefix). */
export function apiUrl(kubeConfig: KubeConfig, path: string, query: Query): URL {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url;
}

export async function getJson(
  kubeConfig: KubeConfig,
  path: string,
  query: Query,
  options: GetJsonOptions,
): Promise<unknown> {
  const url = apiUrl(kubeConfig, path, query);
  const opts: https.RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(opts);
  options.signal?.throwIfAborted();
  const headers: http.OutgoingHttpHeaders = { ...(opts.headers as http.OutgoingHttpHeaders | undefined) };
  headers.Accept = 'application/json';
  const request = url.protocol === 'https:' ? https.request : http.request;
  const maxBytes = options.maxBytes ?? 512 * 1024 * 1024;

  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, value?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(value);
    };
    const onAbort = (): void => finish(new Error('request aborted'));
    const timer = setTimeout(() => finish(new Error(`GET ${path}: no complete answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const req = request(url, { ...opts, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) finish(new Error(`GET ${path}: body larger than ${maxBytes} bytes`));
        else chunks.push(chunk);
      });
      res.on('error', (err) => finish(err));
      res.on('aborted', () => finish(new Error(`GET ${path}: connection closed mid-body`)));
      res.on('end', () => {
        if (!res.complete) return finish(new Error(`GET ${path}: connection closed mid-body`));
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          if (code >= 200 && code < 300) return finish(new Error(`GET ${path}: answer is not JSON`));
        }
        if (code >= 200 && code < 300) return finish(null, body);
        const status = isStatus(body) ? body : undefined;
        const message =
          typeof status?.message === 'string' && status.message !== ''
            ? status.message
            : `${code} ${http.STATUS_CODES[code] ?? ''}`.trim();
        finish(new ApiStatusError(code, `GET ${path}: ${message}`, status));
      });
    });
    req.on('error', (err) => finish(err));
    req.end();
  });
}

function isStatus(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && (body as Record<string, unknown>).kind === 'Status';
}
