// A 127.0.0.1 port free for both UDP and TCP, for servers that cannot be told to pick one themselves
// (Knot and NSD take a fixed port in their configuration).
import dgram from 'node:dgram';
import net from 'node:net';

function freeOnBoth(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const udp = dgram.createSocket('udp4');
    udp.once('error', () => resolve(false));
    udp.bind(port, '127.0.0.1', () => {
      const tcp = net.createServer();
      tcp.once('error', () => udp.close(() => resolve(false)));
      tcp.listen(port, '127.0.0.1', () => tcp.close(() => udp.close(() => resolve(true))));
    });
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    if (await freeOnBoth(port)) return port;
  }
  throw new Error('no free port on 127.0.0.1 after 20 tries');
}
