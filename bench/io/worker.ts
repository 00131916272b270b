// What the I/O-bound scenario's processes share: the upstream's answer and the function.

/** The upstream's one route. */
export const UPSTREAM_PATH = '/data';

/** What the upstream answers; every target must return exactly this. */
export const UPSTREAM_BODY = JSON.stringify({
  source: 'upstream',
  items: [
    { id: 1, name: 'alpha' },
    { id: 2, name: 'beta' },
  ],
});

/**
 * The I/O-bound function as an ES module with a fetch handler: fetch the upstream, answer
 * its JSON. The same text is deployed to mini-lambda and served by workerd.
 */
export function ioWorker(upstream: string): string {
  return `export default {
  async fetch(request) {
    const answer = await fetch(${JSON.stringify(upstream)});
    const data = await answer.json();
    return new Response(JSON.stringify(data), {
      headers: { 'content-type': 'application/json' },
    });
  },
};
`;
}
