// uuid: deterministic v1/v3/v5/v6/v7 from fixed inputs, v4 validated, parse/stringify round trip.
import * as uuid from 'uuid';

export async function handler(event) {
  const random = Uint8Array.from({ length: 16 }, (_, i) => i * 13);
  const fixed = {
    msecs: event.msecs,
    nsecs: 0,
    clockseq: 0x1234,
    node: Uint8Array.of(1, 2, 3, 4, 5, 6),
  };
  const v4 = Array.from({ length: 20 }, () => uuid.v4());
  return {
    v1: uuid.v1(fixed),
    v3: uuid.v3('compat.example', uuid.v3.DNS),
    v5: uuid.v5('https://example.com/a', uuid.v5.URL),
    v6: uuid.v6(fixed),
    v7: uuid.v7({ msecs: event.msecs, random }),
    v4Valid: v4.every((u) => uuid.validate(u) && uuid.version(u) === 4),
    v4Distinct: new Set(v4).size,
    parsed: Array.from(uuid.parse('6ba7b810-9dad-11d1-80b4-00c04fd430c8')),
    roundTrip: uuid.stringify(uuid.parse(uuid.NIL)),
    max: uuid.MAX,
    invalid: uuid.validate('not-a-uuid'),
  };
}
