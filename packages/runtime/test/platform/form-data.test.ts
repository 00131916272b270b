import { afterAll, describe, expect, it } from 'vitest';
import { FORM_DATA_CASES } from './blob-form-data.cases.ts';
import { createOracle } from './oracle.ts';

// Each case runs in an isolate and in Node 24 (undici's FormData): equal results.
const oracle = createOracle();
afterAll(() => oracle.dispose());

describe('FormData', () => {
  for (const [name, body] of Object.entries(FORM_DATA_CASES)) it(name, () => oracle.same(body));
});

describe('multipart bodies cross between the isolate and Node', () => {
  it('a body serialised in the isolate parses with Node', async () => {
    const made = (await oracle.inIsolate(`
      const fd = new FormData();
      fd.append('name', 'välue\\r\\nline');
      fd.append('file', new File([new Uint8Array([0, 255, 10, 13])], 'f "1".bin', { type: 'application/x-y' }));
      fd.append('blob', new Blob(['b']));
      const r = new Response(fd);
      return { type: r.headers.get('content-type'), body: bytes(await r.arrayBuffer()) };
    `)) as { type: string; body: number[] };
    const fd = await new Response(new Uint8Array(made.body), {
      headers: { 'content-type': made.type },
    }).formData();
    const file = fd.get('file') as File;
    const blob = fd.get('blob') as File;
    expect(fd.get('name')).toBe('välue\r\nline');
    expect([file.name, file.type, [...new Uint8Array(await file.arrayBuffer())]]).toEqual([
      'f "1".bin',
      'application/x-y',
      [0, 255, 10, 13],
    ]);
    expect([blob.name, blob.type, await blob.text()]).toEqual([
      'blob',
      'application/octet-stream',
      'b',
    ]);
  });

  it('a body serialised by Node parses in the isolate', async () => {
    const fd = new FormData();
    fd.append('name', 'välue\nline');
    fd.append(
      'file',
      new File([new Uint8Array([0, 255, 10, 13])], 'f "1".bin', { type: 'application/x-y' }),
    );
    const r = new Response(fd);
    const type = r.headers.get('content-type');
    const body = [...new Uint8Array(await r.arrayBuffer())];
    const parsed = await oracle.inIsolate(`
      const fd = await new Response(new Uint8Array(${JSON.stringify(body)}), { headers: { 'content-type': ${JSON.stringify(type)} } }).formData();
      const file = fd.get('file');
      return [fd.get('name'), file.name, file.type, bytes(await file.arrayBuffer())];
    `);
    expect(parsed).toEqual(['välue\r\nline', 'f "1".bin', 'application/x-y', [0, 255, 10, 13]]);
  });
});
