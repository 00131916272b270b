// ajv: compiles a JSON Schema (code generation with new Function) and validates good and bad data.
const Ajv = require('ajv');

exports.handler = async (event) => {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: false });
  const validate = ajv.compile(event.schema);
  const results = event.samples.map((sample) => {
    const data = structuredClone(sample);
    const valid = validate(data);
    return {
      valid,
      data,
      errors: (validate.errors || []).map((e) => ({
        path: e.instancePath,
        keyword: e.keyword,
        message: e.message,
      })),
    };
  });
  return { results, text: ajv.errorsText(validate.errors) };
};
