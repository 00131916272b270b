// jsonwebtoken (CommonJS, as most Lambda code using it is): HS256 and RS256 with keys from the event.
const jwt = require('jsonwebtoken');

exports.handler = async (event) => {
  const payload = { sub: 'user-42', scope: ['read', 'write'], iat: event.iat };
  const clock = { clockTimestamp: event.iat + 5 };
  const hs = jwt.sign(payload, event.secret, {
    algorithm: 'HS256',
    expiresIn: '1h',
    issuer: 'compat',
  });
  const rs = jwt.sign(payload, event.rsaPrivatePem, { algorithm: 'RS256', keyid: 'k1' });
  const hsVerified = jwt.verify(hs, event.secret, {
    algorithms: ['HS256'],
    issuer: 'compat',
    ...clock,
  });
  const rsVerified = jwt.verify(rs, event.rsaPublicPem, { algorithms: ['RS256'], ...clock });
  // ECDSA and RSA-PSS signatures are random: verified here, compared by their verification.
  const es = jwt.sign(payload, event.ecPrivatePem, { algorithm: 'ES256' });
  const ps = jwt.sign(payload, event.rsaPrivatePem, { algorithm: 'PS256' });
  const esVerified = jwt.verify(es, event.ecPublicPem, { algorithms: ['ES256'], ...clock });
  const psVerified = jwt.verify(ps, event.rsaPublicPem, { algorithms: ['PS256'], ...clock });
  const failures = {};
  const attempt = (name, fn) => {
    try {
      fn();
      failures[name] = 'accepted';
    } catch (err) {
      failures[name] = `${err.name}: ${err.message}`;
    }
  };
  attempt('wrongSecret', () => jwt.verify(hs, 'not the secret', clock));
  attempt('expired', () => jwt.verify(hs, event.secret, { clockTimestamp: event.iat + 7200 }));
  attempt('algNone', () => jwt.verify(rs, event.rsaPublicPem, { algorithms: ['HS256'], ...clock }));
  // The callback form, as older handlers use it.
  const viaCallback = await new Promise((resolve, reject) =>
    jwt.verify(rs, event.rsaPublicPem, clock, (err, decoded) =>
      err ? reject(err) : resolve(decoded),
    ),
  );
  return {
    hs,
    rs,
    hsVerified,
    rsVerified,
    viaCallback,
    esVerified,
    psVerified,
    esSignatureBytes: Buffer.from(es.split('.')[2], 'base64url').length,
    failures,
    decoded: jwt.decode(rs, { complete: true }),
  };
};
