// What a configuration error must be: our ClusterDnsError, naming a file the run wrote and a line that file has.
import { ClusterDnsError } from '../../src/errors.js';
import { FuzzFailure, describeError } from '../fuzz-failure.js';

/** `files`: path → text of every file the parser may have read. */
export function checkConfigError(err: unknown, files: ReadonlyMap<string, string>, input: string, allowUnlocated: (err: ClusterDnsError) => boolean = () => false): void {
  if (!(err instanceof ClusterDnsError)) throw new FuzzFailure('a bad file fails with ClusterDnsError only', describeError(err), input);
  const location = err.location;
  if (!location) {
    if (allowUnlocated(err)) return;
    throw new FuzzFailure('a config error names its file and line', `${err.code}: ${err.message}`, input);
  }
  const text = files.get(location.file);
  if (text === undefined) throw new FuzzFailure('a config error names a file that was read', `${location.file}: ${err.message}`, input);
  const lines = text.split('\n').length;
  if (!Number.isInteger(location.line) || (location.line as number) < 1 || (location.line as number) > lines) {
    throw new FuzzFailure('a config error names a line of its file', `line ${location.line} of ${lines}: ${err.message}`, input);
  }
}
