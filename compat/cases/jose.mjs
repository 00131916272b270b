// jose: JWTs signed and verified with keys from the event (HS256, RS256, ES256) and a JWE.
import * as jose from 'jose';

export async function handler(event) {
  const secret = new TextEncoder().encode(event.secret);
  const claims = { sub: 'user-42', role: 'admin' };
  const hs = await new jose.SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(event.iat)
    .setIssuer('urn:compat')
    .setExpirationTime(event.iat + 3600)
    .sign(secret);
  const hsVerified = await jose.jwtVerify(hs, secret, {
    issuer: 'urn:compat',
    currentDate: new Date((event.iat + 10) * 1000),
  });

  const rsPrivate = await jose.importPKCS8(event.rsaPrivatePem, 'RS256');
  const rsPublic = await jose.importSPKI(event.rsaPublicPem, 'RS256');
  // RSASSA-PKCS1-v1_5 is deterministic: the token itself is comparable with Node's.
  const rs = await new jose.SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuedAt(event.iat)
    .sign(rsPrivate);
  const rsVerified = await jose.jwtVerify(rs, rsPublic, {
    currentDate: new Date(event.iat * 1000),
  });
  let tampered;
  try {
    await jose.jwtVerify(`${rs.slice(0, -4)}AAAA`, rsPublic);
    tampered = 'accepted';
  } catch (err) {
    tampered = err.code;
  }

  // ECDSA signatures are random: verify, and compare the parts that are not.
  const ec = await jose.generateKeyPair('ES256', { extractable: true });
  const es = await new jose.SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256' })
    .sign(ec.privateKey);
  const esVerified = await jose.jwtVerify(es, ec.publicKey);
  const jwk = await jose.exportJWK(ec.publicKey);

  const jwe = await new jose.EncryptJWT(claims)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .encrypt(new Uint8Array(32).fill(7));
  const decrypted = await jose.jwtDecrypt(jwe, new Uint8Array(32).fill(7));

  return {
    hs,
    hsPayload: hsVerified.payload,
    rs,
    rsHeader: rsVerified.protectedHeader,
    tampered,
    esParts: es.split('.').length,
    esPayload: esVerified.payload,
    jwkShape: { kty: jwk.kty, crv: jwk.crv, xLength: jwk.x.length },
    jweParts: jwe.split('.').length,
    jwePayload: decrypted.payload,
    decoded: jose.decodeJwt(hs),
  };
}
