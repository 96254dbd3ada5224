import { describe, expect, it } from 'vitest';
import { tokenExpiresAt } from './token-expiry';

const jwt = (payload: object) => `${Buffer.from('{"alg":"HS512"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;

describe('token expiry', () => {
  it("reads exp from a Dhan-style JWT's payload", () => {
    expect(tokenExpiresAt(jwt({ iss: 'dhan', exp: 1_795_000_000, dhanClientId: '1100000000' }))).toBe(1_795_000_000_000);
  });

  it('says null for tokens it cannot read', () => {
    for (const t of ['sim-access-token', 'a.b.c', jwt({ iss: 'x' }), jwt({ exp: 'soon' }), '']) expect(tokenExpiresAt(t), t).toBeNull();
  });
});
