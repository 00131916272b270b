// ky: GET/POST JSON with hooks and an HTTPError against the loopback stand-in (ky uses fetch).
import ky, { HTTPError } from 'ky';

export async function handler(event) {
  const api = ky.create({
    prefix: event.baseUrl,
    headers: { 'x-test': 'ky' },
    retry: 0,
    hooks: { beforeRequest: [({ request }) => request.headers.set('x-intercepted', 'yes')] },
  });
  const got = await api.get('json', { searchParams: { q: 'a b', n: 2 } }).json();
  const posted = await api.post('echo', { json: { hello: 'world' } }).json();
  let failed;
  try {
    await api.get('status/404');
  } catch (err) {
    failed = {
      isHTTPError: err instanceof HTTPError,
      status: err.response?.status,
      name: err.name,
    };
  }
  return { got, posted, failed };
}
