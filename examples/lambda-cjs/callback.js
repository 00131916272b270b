// The callback form of Lambda's Node runtimes up to nodejs22.x: the result is what the
// callback is called with (or the error it is given). Deploy it with
// `pnpm mini-lambda deploy greet examples/lambda-cjs --entry callback.js`.
exports.handler = (event, _context, callback) => {
  if (!event || typeof event.name !== 'string') {
    callback(new Error('event.name is required'));
    return;
  }
  setTimeout(() => callback(null, { greeting: `Hello, ${event.name}` }), 10);
};
