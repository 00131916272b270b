// bcryptjs: hashes with a fixed salt (comparable with Node), random salts (verified), sync and async.
const bcrypt = require('bcryptjs');

exports.handler = async (event) => {
  const fixed = bcrypt.hashSync(event.password, event.salt);
  const salted = await bcrypt.hash(event.password, 4);
  return {
    fixed,
    rounds: bcrypt.getRounds(salted),
    saltPrefix: bcrypt.getSalt(salted).slice(0, 7),
    saltedLength: salted.length,
    matches: await bcrypt.compare(event.password, salted),
    rejects: await bcrypt.compare(`${event.password}!`, salted),
    syncMatches: bcrypt.compareSync(event.password, fixed),
    truncates: bcrypt.truncates('x'.repeat(80)),
  };
};
