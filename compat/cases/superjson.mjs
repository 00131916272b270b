// superjson: serialises Date, Map, Set, BigInt, RegExp, undefined and back.
import superjson from 'superjson';

export async function handler(event) {
  const value = {
    when: new Date(event.at),
    map: new Map([
      ['a', 1],
      ['b', 2],
    ]),
    set: new Set([1, 2, 2, 3]),
    big: 12345678901234567890n,
    re: /ab+c/gi,
    nothing: undefined,
    nested: [{ d: new Date(0) }],
  };
  const { json, meta } = superjson.serialize(value);
  const back = superjson.parse(superjson.stringify(value));
  return {
    json,
    meta,
    back: {
      when: back.when instanceof Date && back.when.toISOString(),
      map: back.map instanceof Map && [...back.map],
      set: back.set instanceof Set && [...back.set],
      big: typeof back.big === 'bigint' && back.big.toString(),
      re: back.re instanceof RegExp && back.re.flags,
      hasNothing: 'nothing' in back,
    },
  };
}
