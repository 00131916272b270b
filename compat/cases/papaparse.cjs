// papaparse (CommonJS): CSV with headers, typing, quotes and errors, and unparse back to CSV.
const Papa = require('papaparse');

exports.handler = async (event) => {
  const result = Papa.parse(event.csv, { header: true, dynamicTyping: true, skipEmptyLines: true });
  const broken = Papa.parse('a,b\n"unterminated,2', { header: true });
  return {
    data: result.data,
    fields: result.meta.fields,
    delimiter: Papa.parse('x;y;z\n1;2;3').meta.delimiter,
    errors: broken.errors.map((e) => ({ type: e.type, code: e.code, row: e.row })),
    unparsed: Papa.unparse(result.data),
  };
};
