// Startup time = spawn → first *correct* answer: one UDP question asked every ~20 ms until a reply passes
// the check (NOERROR with an answer, and for a real server the expected address in it).
import dgram from 'node:dgram';

/** A plain query (RD set) for `name` and `type` with the given id. */
export function encodeQuery(id: number, name: string, type: number): Buffer {
  const labels = name.split('.').filter(Boolean);
  const parts = [Buffer.from([id >> 8, id & 255, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const label of labels) parts.push(Buffer.from([label.length]), Buffer.from(label, 'ascii'));
  parts.push(Buffer.from([0, type >> 8, type & 255, 0, 1]));
  return Buffer.concat(parts);
}

/** NOERROR with at least one answer record. */
export const answeredNoError = (msg: Buffer): boolean => msg.length >= 12 && (msg[3] & 15) === 0 && msg.readUInt16BE(6) > 0;

/** answeredNoError, and the A record's address appears in the reply (as RDLENGTH 4 + the 4 bytes). */
export function answersAddress(ipv4: string): (msg: Buffer) => boolean {
  const rdata = Buffer.from([0, 4, ...ipv4.split('.').map(Number)]);
  return (msg) => answeredNoError(msg) && msg.indexOf(rdata, 12) > 0;
}

/**
 * Asks `name` A on 127.0.0.1:port until `check(reply)` holds; resolves performance.now() of that moment,
 * or null once `timeoutMs` has passed since `t0wall` (Date.now()) or `alive()` turns false.
 */
export async function waitForAnswer(port: number, name: string, check: (msg: Buffer) => boolean, t0wall: number, timeoutMs: number, alive: () => boolean): Promise<number | null> {
  const sock = dgram.createSocket('udp4');
  sock.on('error', () => {});
  let good = false;
  sock.on('message', (msg) => {
    if (check(msg)) good = true;
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  let id = 1;
  try {
    while (Date.now() - t0wall < timeoutMs) {
      if (!alive()) return null;
      sock.send(encodeQuery(id++ & 0xffff, name, 1), port, '127.0.0.1');
      for (let i = 0; i < 10 && !good; i++) await new Promise((r) => setTimeout(r, 2));
      if (good) return performance.now();
    }
    return null;
  } finally {
    sock.close();
  }
}
