import { describe, expect, it } from 'vitest';
import { tokenExpiresAt } from './token-expiry';

// base64url without Node's Buffer: src/shared is also type-checked as web code.
const b64url = (text: string): string => btoa(String.fromCharCode(...new TextEncoder().encode(text))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const jwt = (payload: object) => `${b64url('{"alg":"HS512"}')}.${b64url(JSON.stringify(payload))}.c2ln`;

describe('token expiry', () => {
  it("reads exp from a Dhan-style JWT's payload", () => {
    expect(tokenExpiresAt(jwt({ iss: 'dhan', exp: 1_795_000_000, dhanClientId: '1100000000' }))).toBe(1_795_000_000_000);
  });

  it('decodes a UTF-8 payload (base64url, no padding)', () => {
    expect(tokenExpiresAt(jwt({ name: 'ऋषि ~?~', exp: 1_795_000_001 }))).toBe(1_795_000_001_000);
  });

  it('says null for tokens it cannot read', () => {
    for (const t of ['sim-access-token', 'a.b.c', jwt({ iss: 'x' }), jwt({ exp: 'soon' }), `x.${b64url('null')}.y`, 'x.!!.y', '']) expect(tokenExpiresAt(t), t).toBeNull();
  });
});
