// A problem found while reading a zone file, located by line and column; the loader adds the file and turns
// it into a ClusterDnsError (the lexer, the RDATA readers and the zone builder do not know which file they read).
export type ZoneFileProblem = 'syntax' | 'data' | 'include';

export class ZoneFileError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
    /** syntax: the text does not parse; data: the zone it describes is not valid; include: $INCLUDE leaves the zones directory. */
    readonly problem: ZoneFileProblem = 'syntax',
  ) {
    super(reason);
    this.name = 'ZoneFileError';
  }
}
