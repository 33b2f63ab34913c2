// An independent SD-JWT implementation (@sd-jwt/core with jose's EdDSA) that checks the
// registry's credentials and issues credentials for the registry's verifier to check.
//
//   node sdjwt_interop.mjs verify CREDENTIAL_FILE JWKS_FILE NOW_SECONDS
//       Verifies the SD-JWT (signature by the key the header's kid names in the JWKS, every
//       disclosure, iat/nbf/exp at NOW_SECONDS, typ dc+sd-jwt) and prints the disclosed claims
//       as JSON. Exit 0 valid, 3 refused (the reason on stderr), 2 usage.
//   node sdjwt_interop.mjs status TOKEN_FILE JWKS_FILE URI IDX NOW_SECONDS
//       Verifies a Token Status List JWT (EdDSA by the JWKS's key, typ statuslist+jwt, sub URI,
//       exp after NOW) with jose, inflates its lst with node's zlib and prints entry IDX's
//       status (0 valid, 1 invalid). Exit 0 when read, 3 refused, 2 usage.
//   node sdjwt_interop.mjs issue OUT_DIR NOW_SECONDS
//       Generates an Ed25519 key, issues a credential whose given_name, family_name and
//       birthdate are selectively disclosable, and writes OUT_DIR/credential.sdjwt (every
//       disclosure), OUT_DIR/presentation.sdjwt (family_name only) and OUT_DIR/jwks.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync, sign } from 'node:crypto';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { SDJwtInstance } from '@sd-jwt/core';
import { digest, generateSalt } from '@sd-jwt/crypto-nodejs';
import {
  importJWK, flattenedVerify, calculateJwkThumbprint, base64url, createLocalJWKSet, jwtVerify,
} from 'jose';

const TYP = 'dc+sd-jwt';

function usage() {
  process.stderr.write('usage: sdjwt_interop.mjs verify CREDENTIAL JWKS NOW | status TOKEN JWKS URI IDX NOW | issue OUT_DIR NOW\n');
  process.exit(2);
}

// Selects the key by the protected header's kid, then verifies with jose (EdDSA only).
function jwksVerifier(jwks) {
  return async (data, signature) => {
    const [protectedHeader, payload] = data.split('.');
    const header = JSON.parse(Buffer.from(protectedHeader, 'base64url').toString('utf8'));
    if (header.alg !== 'EdDSA') throw new Error(`alg ${header.alg} is not EdDSA`);
    const jwk = jwks.keys.find((k) => k.kid === header.kid);
    if (!jwk) throw new Error('no key in the JWKS has the kid of the header');
    const key = await importJWK(jwk, 'EdDSA');
    await flattenedVerify({ protected: protectedHeader, payload, signature }, key,
                          { algorithms: ['EdDSA'] });
    return true;
  };
}

async function verify(credentialFile, jwksFile, now) {
  const credential = readFileSync(credentialFile, 'utf8').trim();
  const jwks = JSON.parse(readFileSync(jwksFile, 'utf8'));
  const sdjwt = new SDJwtInstance({ hasher: digest, verifier: jwksVerifier(jwks) });
  const { payload, header } = await sdjwt.verify(credential, { currentDate: now });
  if (header.typ !== TYP) throw new Error(`typ ${header.typ} is not ${TYP}`);
  process.stdout.write(JSON.stringify(payload) + '\n');
}

async function status(tokenFile, jwksFile, uri, idx, now) {
  const token = readFileSync(tokenFile, 'utf8').trim();
  const jwks = createLocalJWKSet(JSON.parse(readFileSync(jwksFile, 'utf8')));
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    algorithms: ['EdDSA'], typ: 'statuslist+jwt', subject: uri, currentDate: new Date(now * 1000),
  });
  if (!protectedHeader.kid) throw new Error('no kid');
  const { bits, lst } = payload.status_list;
  if (![1, 2, 4, 8].includes(bits)) throw new Error(`bits ${bits}`);
  const list = inflateSync(Buffer.from(lst, 'base64url'));
  const bit = idx * bits;
  if (bit / 8 >= list.length) throw new Error('index beyond the list');
  process.stdout.write(String((list[Math.floor(bit / 8)] >> (bit % 8)) & ((1 << bits) - 1)) + '\n');
}

async function issue(outDir, now) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  jwk.kid = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'sha256');
  const sdjwt = new SDJwtInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
    signAlg: 'EdDSA',
    signer: (data) => base64url.encode(sign(null, Buffer.from(data), privateKey)),
  });
  const claims = {
    iss: 'https://issuer.example',
    vct: 'urn:example:person',
    iat: now - 60,
    exp: now + 3600,
    given_name: '明',
    family_name: '王',
    birthdate: '1990-01-01',
  };
  const credential = await sdjwt.issue(
    claims, { _sd: ['given_name', 'family_name', 'birthdate'] },
    { header: { typ: TYP, kid: jwk.kid } });
  const presentation = await sdjwt.present(credential, { family_name: true });
  writeFileSync(join(outDir, 'credential.sdjwt'), credential + '\n');
  writeFileSync(join(outDir, 'presentation.sdjwt'), presentation + '\n');
  writeFileSync(join(outDir, 'jwks.json'), JSON.stringify({ keys: [jwk] }) + '\n');
}

const [mode, ...args] = process.argv.slice(2);
try {
  if (mode === 'verify' && args.length === 3) {
    await verify(args[0], args[1], Number(args[2]));
  } else if (mode === 'status' && args.length === 5) {
    await status(args[0], args[1], args[2], Number(args[3]), Number(args[4]));
  } else if (mode === 'issue' && args.length === 2) {
    await issue(args[0], Number(args[1]));
  } else {
    usage();
  }
} catch (e) {
  process.stderr.write(`refused: ${e.message}\n`);
  process.exit(3);
}
