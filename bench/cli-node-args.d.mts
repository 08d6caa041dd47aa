export function cliNodeArgs(binPath: string): string[];
