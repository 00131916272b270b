// The benchmark's function, as mini-lambda runs it (an event handler).
export function handler(event) {
  return { hello: event?.name ?? 'world' };
}
