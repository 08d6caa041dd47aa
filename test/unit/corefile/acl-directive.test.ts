import { describe, expect, it } from 'vitest';
import { parseCorefile } from '../../../src/corefile/corefile-parser.js';
import { corefileSettings } from '../../../src/corefile/corefile-settings.js';
import { ErrorCodes } from '../../../src/errors.js';

const settingsOf = (text: string) => corefileSettings(parseCorefile(text, 'Corefile'));

describe('Corefile acl (CoreDNS plugin/acl syntax)', () => {
  it('reads every action with type and net sections, `*`, and zones from the arguments or the server block', () => {
    const settings = settingsOf(`.:53 {
  acl {
    allow net 192.168.1.0/24 fd00::/8
    block type A AAAA net 192.168.0.0/16
    filter type MX TYPE65
    drop net *
  }
  acl Example.ORG. {
    block type * net 10.0.0.1
  }
}
`);
    expect(settings.acl).toEqual([
      {
        zones: [''],
        policies: [
          { action: 'allow', nets: ['192.168.1.0/24', 'fd00::/8'] },
          { action: 'block', types: [1, 28], nets: ['192.168.0.0/16'] },
          { action: 'filter', types: [15, 65] },
          { action: 'drop' },
        ],
      },
      { zones: ['example.org'], policies: [{ action: 'block', nets: ['10.0.0.1'] }] },
    ]);
  });

  it.each([
    ['acl {\n    deny net 10.0.0.0/8\n  }', 3, /unexpected token "deny"; expect 'allow', 'block', 'filter' or 'drop'/],
    ['acl {\n    block net 10.0.0.0/33\n  }', 3, /illegal CIDR notation "10\.0\.0\.0\/33"/],
    ['acl {\n    block type BOGUS\n  }', 3, /unexpected token "BOGUS"; expect a query type/],
    ['acl {\n    block net\n  }', 3, /no token given in the "net" section/],
    ['acl {\n    block from 10.0.0.0/8\n  }', 3, /unexpected token "from"; expect 'type' or 'net'/],
    ['acl', 2, /expected a \{ \.\.\. \} block/],
  ])('an unsupported form is an error with file:line: %s', (directive, line, message) => {
    let error: unknown;
    try {
      settingsOf(`.:53 {\n  ${directive}\n}\n`);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: ErrorCodes.COREFILE_DIRECTIVE });
    expect((error as Error).message).toMatch(new RegExp(`^Corefile:${line}: directive acl`));
    expect((error as Error).message).toMatch(message);
  });
});
