// Number formatting of the report: QPS and counts grouped in thousands, latencies in ms with 3 decimals.

const missing = (n: number | null | undefined): n is null | undefined => n === null || n === undefined || Number.isNaN(n);

export const fmt = (n: number | null | undefined): string => (missing(n) ? '—' : Math.round(n).toLocaleString('en-US'));
export const fmtMs = (n: number | null | undefined): string => (missing(n) ? '—' : n.toFixed(3));
