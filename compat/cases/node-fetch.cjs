// node-fetch@2 (CommonJS): the function itself, its Headers, POST with a body, status handling.
const fetch = require('node-fetch');
const { Headers } = fetch;

exports.handler = async (event) => {
  const headers = new Headers({ 'x-test': 'node-fetch' });
  headers.append('x-intercepted', 'yes');
  const got = await fetch(`${event.baseUrl}/json?q=1`, { headers });
  const posted = await fetch(`${event.baseUrl}/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-test': 'node-fetch' },
    body: JSON.stringify({ hello: 'world' }),
  });
  const missing = await fetch(`${event.baseUrl}/status/404`);
  return {
    got: {
      ok: got.ok,
      status: got.status,
      json: await got.json(),
      type: got.headers.get('content-type'),
    },
    posted: await posted.json(),
    missing: { ok: missing.ok, status: missing.status, text: await missing.text() },
    isFunction: typeof fetch === 'function' && typeof fetch.Response === 'function',
  };
};
