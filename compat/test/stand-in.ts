// The loopback server the fetch-based cases call: JSON echo routes, an error status and enough
// of the OpenAI API (a completion, a streamed one, an error) for its SDK.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandIn {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT`, for EGRESS_ALLOW. */
  address: string;
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

/** Only the headers the cases set themselves: user agents and the like differ by design. */
function chosenHeaders(req: IncomingMessage): Record<string, string | null> {
  const pick = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' ? value : null;
  };
  return { 'x-test': pick('x-test'), 'x-intercepted': pick('x-intercepted') };
}

const completion = (content: string) => ({
  id: 'chatcmpl-standin',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'stand-in-1',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
});

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const body = await bodyOf(req);
  if (url.pathname === '/json') {
    json(res, 200, {
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: chosenHeaders(req),
    });
  } else if (url.pathname === '/echo') {
    json(res, 200, {
      method: req.method,
      contentType: req.headers['content-type'] ?? null,
      headers: chosenHeaders(req),
      body: body === '' ? null : JSON.parse(body),
    });
  } else if (url.pathname === '/status/404') {
    json(res, 404, { error: 'nothing here' });
  } else if (url.pathname === '/v1/chat/completions' && req.method === 'POST') {
    if (req.headers.authorization !== 'Bearer sk-stand-in') {
      json(res, 401, { error: { message: 'bad key', type: 'invalid_request_error' } });
      return;
    }
    const request = JSON.parse(body) as { stream?: boolean; messages: { content: string }[] };
    if (!request.stream) {
      json(res, 200, completion(`Hello! You said: ${request.messages[0]?.content}`));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const piece of ['one', ' two', ' three']) {
      const chunk = {
        id: 'chatcmpl-standin',
        object: 'chat.completion.chunk',
        created: 1_700_000_000,
        model: 'stand-in-1',
        choices: [{ index: 0, delta: { content: piece }, finish_reason: null }],
      };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  } else if (url.pathname === '/v1/customers' && req.method === 'POST') {
    const form = new URLSearchParams(body);
    json(res, 200, {
      id: 'cus_standin1',
      object: 'customer',
      email: form.get('email'),
      metadata: { plan: form.get('metadata[plan]') },
    });
  } else if (url.pathname === '/v1/customers' && req.method === 'GET') {
    const limit = Number(url.searchParams.get('limit'));
    const data = ['cus_a', 'cus_b', 'cus_c']
      .slice(0, limit)
      .map((id) => ({ id, object: 'customer' }));
    json(res, 200, { object: 'list', url: '/v1/customers', has_more: limit < 3, data });
  } else if (url.pathname === '/v1/charges') {
    json(res, 402, {
      error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' },
    });
  } else if (url.pathname.startsWith('/v1/models/')) {
    json(res, 404, {
      error: {
        message: 'The model does not exist',
        type: 'invalid_request_error',
        code: 'model_not_found',
      },
    });
  } else {
    json(res, 404, { error: `no route ${url.pathname}` });
  }
}

export async function startStandIn(): Promise<StandIn> {
  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => json(res, 500, { error: String(err) }));
  });
  // Idle keep-alive sockets stay open for the run: a client reusing one just as the server
  // times it out gets "other side closed", a flake that has nothing to do with the case.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
