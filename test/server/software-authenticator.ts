/**
 * A software WebAuthn authenticator, in node:crypto: what a browser and a platform authenticator
 * would hand the console, built byte by byte — an ES256 key pair per credential, `none`
 * attestation, a CBOR attestationObject, authenticatorData with its flags, signature counter and
 * attested credential data, and the clientDataJSON the signature covers. The server tests run the
 * real verification (@simplewebauthn/server) against it; nothing is mocked.
 *
 * The knobs (`origin`, `rpId`, `counter`, `userVerified`) let a test play a browser on another
 * site, an authenticator answering for another relying party, or a cloned authenticator.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

type Json = Record<string, unknown>;

/** What generateRegistrationOptions() gives the browser (the fields an authenticator reads). */
export type CreationOptions = { challenge: string; rp: { id?: string; name: string }; user: { id: string; name: string; displayName: string } };
/** What generateAuthenticationOptions() gives the browser. */
export type RequestOptions = { challenge: string; rpId?: string; allowCredentials?: Array<{ id: string }> };

export type StoredCredential = {
  id: Buffer;
  rpId: string;
  /** The user handle the relying party gave at registration (base64url). */
  userHandle: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  counter: number;
};

export type Ceremony = {
  /** The page's origin, as the browser writes it into clientDataJSON. */
  origin: string;
  /**
   * The relying party whose SHA-256 starts authenticatorData; default: the one the options name,
   * else the origin's host name. (A credential is still chosen by the one the options name.)
   */
  rpId?: string;
  /** User verification done (the UV flag); default true. */
  userVerified?: boolean;
};

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

export class SoftwareAuthenticator {
  readonly credentials: StoredCredential[] = [];
  /** Every credential starts here and counts up by one per assertion (a platform authenticator with a counter). */
  constructor(private readonly startCounter = 0) {}

  /** navigator.credentials.create(): a new discoverable credential, answered as RegistrationResponseJSON. */
  create(options: CreationOptions, ceremony: Ceremony): Json {
    const rpId = ceremony.rpId ?? options.rp.id ?? new URL(ceremony.origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credential: StoredCredential = { id: randomBytes(32), rpId, userHandle: options.user.id, privateKey, publicKey, counter: this.startCounter };
    this.credentials.push(credential);

    const clientDataJSON = clientData('webauthn.create', options.challenge, ceremony.origin);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credential.id.length);
    const attestedCredentialData = Buffer.concat([Buffer.alloc(16) /* AAGUID: none */, idLength, credential.id, coseKey(publicKey)]);
    const authData = Buffer.concat([
      authenticatorData(rpId, FLAG_UP | (ceremony.userVerified === false ? 0 : FLAG_UV) | FLAG_AT, credential.counter),
      attestedCredentialData,
    ]);
    const attestationObject = cbor(
      new Map<unknown, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ['internal'] },
    };
  }

  /**
   * navigator.credentials.get(): an assertion by the credential (default: one the options allow,
   * else — discoverable — the newest for the relying party), answered as AuthenticationResponseJSON.
   * `counter` overrides the signature counter (a cloned authenticator replays an old one).
   */
  get(options: RequestOptions, ceremony: Ceremony & { credential?: StoredCredential; counter?: number }): Json {
    const asked = options.rpId ?? new URL(ceremony.origin).hostname;
    const rpId = ceremony.rpId ?? asked;
    const allowed = options.allowCredentials?.map((c) => c.id) ?? [];
    const credential =
      ceremony.credential ?? this.credentials.filter((c) => c.rpId === asked && (allowed.length === 0 || allowed.includes(b64url(c.id)))).at(-1);
    if (!credential) throw new Error(`The software authenticator holds no credential for ${asked}`);
    credential.counter = ceremony.counter ?? credential.counter + 1;

    const clientDataJSON = clientData('webauthn.get', options.challenge, ceremony.origin);
    const authData = authenticatorData(rpId, FLAG_UP | (ceremony.userVerified === false ? 0 : FLAG_UV), credential.counter);
    // ES256: ECDSA over authenticatorData ‖ SHA-256(clientDataJSON), DER-encoded (node's default for EC keys).
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
    };
  }
}

function clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

/** rpIdHash (32) ‖ flags (1) ‖ signCount (4, big-endian). */
function authenticatorData(rpId: string, flags: number, counter: number): Buffer {
  const tail = Buffer.alloc(5);
  tail.writeUInt8(flags, 0);
  tail.writeUInt32BE(counter, 1);
  return Buffer.concat([sha256(Buffer.from(rpId, 'utf8')), tail]);
}

/** The public key as a COSE_Key: EC2 (kty 2), ES256 (alg -7), P-256 (crv 1), x, y. */
function coseKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  return cbor(
    new Map<unknown, unknown>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
}

/** Just enough CBOR (RFC 8949) for the above: integers, byte strings, text strings and maps. */
export function cbor(value: unknown): Buffer {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error('cbor: integers only');
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Map) return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
  throw new Error(`cbor: cannot encode ${typeof value}`);
}

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function b64url(data: Buffer): string {
  return data.toString('base64url');
}
