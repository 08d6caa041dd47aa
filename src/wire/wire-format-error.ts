// The one error the codec throws: the bytes are not a well-formed DNS message (RFC 1035 4.1).
// wire/ imports nothing from the rest of src/, so this is not a ClusterDnsError; parseQuery turns it into a
// FORMERR result and callers of decodeMessage (tests, the forwarder) catch it.

export class WireFormatError extends Error {
  /** Byte offset in the message where the problem was found. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = 'WireFormatError';
    this.offset = offset;
  }
}
