// A timer as a promise, for the waits of a graceful shutdown (lameduck, drain deadline).
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
