// pino (CommonJS): structured log lines with levels, child bindings and serializers, written to a
// destination (the Node build) or to browser.write (its browser build); both give the same fields.
const pino = require('pino');

exports.handler = async (event) => {
  const lines = [];
  const logger = pino(
    {
      level: 'debug',
      base: { service: event.service },
      timestamp: false,
      serializers: { user: (u) => ({ id: u.id }) },
      // serialize: the browser build applies serializers only when asked (the Node one always does).
      browser: { asObject: true, serialize: true, write: (o) => lines.push(o) },
    },
    { write: (s) => lines.push(JSON.parse(s)) },
  );
  const child = logger.child({ requestId: 'r-1' });
  logger.info('started');
  child.debug({ user: { id: 7, secret: 'x' } }, 'user %s logged in', 'ada');
  child.trace('not written: below the level');
  logger.error({ code: 42 }, 'failed');
  const pick = ({ level, msg, requestId, user, code }) => ({ level, msg, requestId, user, code });
  return {
    lines: lines.map(pick),
    levels: pino.levels.values,
    enabled: [logger.isLevelEnabled('debug'), logger.isLevelEnabled('trace')],
  };
};
