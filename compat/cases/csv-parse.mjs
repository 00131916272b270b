// csv-parse: its stream API (a Transform fed through stream/promises pipeline) and its sync API.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';

export async function handler(event) {
  const rows = [];
  await pipeline(
    Readable.from(event.chunks),
    parse({ columns: true, cast: true, trim: true }),
    new Writable({
      objectMode: true,
      write(row, _encoding, callback) {
        rows.push(row);
        callback();
      },
    }),
  );
  let error;
  try {
    parseSync('a,b\n1,2,3\n');
  } catch (err) {
    error = { code: err.code, message: err.message };
  }
  return {
    rows,
    sync: parseSync(event.chunks.join(''), { from_line: 2, delimiter: ',' }),
    info: parseSync('x;y\n1;2', { delimiter: ';', info: true }).map((r) => r.info.lines),
    error,
  };
}
