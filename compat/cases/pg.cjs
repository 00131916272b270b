// pg: a PostgreSQL client needs TCP sockets (net/tls), which functions do not have. Listed as an
// expected failure: the point is that deploy says so, naming the module, instead of failing later.
const { Client } = require('pg');

exports.handler = async (event) => {
  const client = new Client({ connectionString: event.databaseUrl });
  try {
    await client.connect();
    return { connected: true };
  } catch (err) {
    return { connected: false, code: err.code ?? null };
  }
};
