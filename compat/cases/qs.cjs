// qs (CommonJS): nested parse and stringify with the options APIs use.
const qs = require('qs');

exports.handler = async (event) => ({
  parsed: qs.parse(event.query),
  parsedDots: qs.parse('a.b.c=1&a.d=2', { allowDots: true }),
  limited: qs.parse('a[b][c][d][e][f][g]=deep', { depth: 2 }),
  brackets: qs.stringify({ a: [1, 2], b: { c: 'x y' } }, { arrayFormat: 'brackets' }),
  indices: qs.stringify({ a: [1, 2], b: { c: 'ü&=' } }),
  comma: qs.stringify({ a: ['x', 'y'] }, { arrayFormat: 'comma', encode: false }),
  roundTrip: qs.parse(qs.stringify(event.object)),
});
