// Client queries to the forwarder over real sockets, with the header bits and EDNS a test needs.
import { createMessage, decodeMessage, encodeMessage, type Message } from '../../../src/wire/message.js';
import { RRClass, RRType } from '../../../src/wire/types.js';
import { TcpClient, udpExchange } from '../../helpers/raw-query.js';

export interface AskOptions {
  type?: number;
  id?: number;
  /** EDNS payload size; omitted: no OPT. */
  udpSize?: number;
  dnssecOk?: boolean;
  cd?: boolean;
  tcp?: boolean;
  timeoutMs?: number;
}

export function queryPacket(name: string, options: AskOptions = {}): Buffer {
  return encodeMessage(
    createMessage({
      id: options.id ?? 0x2a2a,
      rd: true,
      cd: options.cd ?? false,
      questions: [{ name, type: options.type ?? RRType.A, class: RRClass.IN }],
      edns: options.udpSize === undefined && !options.dnssecOk ? null : { udpSize: options.udpSize ?? 1232, version: 0, dnssecOk: options.dnssecOk ?? false, options: [] },
    }),
  );
}

/** One query; rejects when no reply arrives in time. */
export async function ask(port: number, name: string, options: AskOptions = {}): Promise<Message> {
  const packet = queryPacket(name, options);
  if (options.tcp) {
    const client = await TcpClient.connect(port);
    try {
      client.socket.write(Buffer.concat([Buffer.from([packet.length >> 8, packet.length & 0xff]), packet]));
      const [reply] = await client.waitFor(1, options.timeoutMs ?? 3000);
      if (!reply) throw new Error(`no TCP reply for ${name}`);
      return reply;
    } finally {
      client.destroy();
    }
  }
  const reply = await udpExchange(port, packet, options.timeoutMs ?? 3000);
  if (!reply) throw new Error(`no UDP reply for ${name}`);
  return decodeMessage(reply);
}

/** The question name exactly as the reply spells it, from its raw bytes (decodeMessage keeps case too). */
export function addresses(message: Message): string[] {
  return message.answers.filter((record) => record.type === RRType.A).map((record) => record.data as string);
}
