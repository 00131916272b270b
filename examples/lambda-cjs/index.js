// Lambda code as it is usually written for Node: CommonJS, configuration read from
// process.env once, at cold start, and the Node built-ins it needs. Deploy it with
// `pnpm mini-lambda deploy orders examples/lambda-cjs`, then give it its table with
// `pnpm mini-lambda config orders --env TABLE_NAME=orders` (a new cold start reads it).
const { createHash } = require('node:crypto');

const TABLE = process.env.TABLE_NAME ?? 'unset';
const REGION = process.env.AWS_REGION;

exports.handler = async (event, context) => {
  const id = createHash('sha256')
    .update(JSON.stringify(event ?? null))
    .digest('hex')
    .slice(0, 12);
  return {
    table: TABLE,
    region: REGION,
    id,
    by: context.functionName,
    leftMs: context.getRemainingTimeInMillis(),
  };
};
