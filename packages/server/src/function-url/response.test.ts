import { describe, expect, it } from 'vitest';
import { triggerResponse } from './response.ts';

const ours = { 'X-Instance-Id': 'i-1', 'X-Invocation-Id': 'inv-1' };

describe('triggerResponse', () => {
  it("sends the function's answer with our headers, which it cannot replace", async () => {
    const { response, dropped } = triggerResponse(
      201,
      [
        ['content-type', 'text/plain'],
        ['x-instance-id', 'forged'],
        ['X-Invocation-Id', 'forged'],
        ['content-length', '1'],
      ],
      new Uint8Array(Buffer.from('héllo')),
      ours,
    );
    expect(response.status).toBe(201);
    expect(Object.fromEntries(response.headers)).toEqual({
      'content-type': 'text/plain',
      'x-instance-id': 'i-1',
      'x-invocation-id': 'inv-1',
    });
    expect(await response.text()).toBe('héllo');
    expect(dropped).toEqual(['content-length']);
  });

  it.each([204, 205, 304])(
    'sends no body with a %i, whatever the function gave',
    async (status) => {
      const { response } = triggerResponse(status, [], new Uint8Array([1, 2, 3]), ours);
      expect([response.status, response.body]).toEqual([status, null]);
    },
  );

  it('keeps every Set-Cookie apart', () => {
    const { response } = triggerResponse(
      200,
      [
        ['set-cookie', 'a=1; Path=/'],
        ['set-cookie', 'b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT'],
      ],
      new Uint8Array(0),
      ours,
    );
    expect(response.headers.getSetCookie()).toEqual([
      'a=1; Path=/',
      'b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT',
    ]);
  });
});
