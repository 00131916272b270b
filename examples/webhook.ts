// A webhook receiver that checks an HMAC-SHA256 signature (GitHub's `X-Hub-Signature-256:
// sha256=<hex>` scheme) with crypto.subtle. Deploy it public, with its secret:
//   pnpm mini-lambda deploy webhook examples/webhook.ts --public
//   pnpm mini-lambda config webhook --env WEBHOOK_SECRET=…
// and point the sender at /fn/webhook.
interface Env {
  WEBHOOK_SECRET?: string;
}

interface Ctx {
  waitUntil(promise: Promise<unknown>): void;
}

const encoder = new TextEncoder();

/** The bytes of a hex string, or null when it is not one. */
function fromHex(hex: string): Uint8Array | null {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(hex)) return null;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export default {
  async fetch(request: Request, env: Env, ctx: Ctx): Promise<Response> {
    if (request.method !== 'POST') return new Response('POST only', { status: 405 });
    if (!env.WEBHOOK_SECRET) return new Response('WEBHOOK_SECRET is not set', { status: 500 });
    const header = request.headers.get('x-hub-signature-256') ?? '';
    const signature = fromHex(header.replace(/^sha256=/, ''));
    const body = new Uint8Array(await request.arrayBuffer());
    const key = await crypto.subtle.importKey(
      'raw',
      encoder.encode(env.WEBHOOK_SECRET),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    // verify compares in constant time; comparing hex strings with === would not.
    if (!signature || !(await crypto.subtle.verify('HMAC', key, signature, body))) {
      return new Response('bad signature', { status: 401 });
    }
    const event = JSON.parse(new TextDecoder().decode(body)) as { action?: string };
    // Answer at once; slower work may go on after the response, until timeout_ms.
    ctx.waitUntil(Promise.resolve(console.log('webhook accepted', event.action)));
    return Response.json({ accepted: true, action: event.action ?? null });
  },
};
