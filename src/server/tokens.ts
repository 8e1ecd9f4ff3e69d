import { SignJWT } from 'jose'

/** Options for `signDevToken`. Durations are jose time spans ('24h', '-5m') or seconds from now. */
export interface DevTokenOptions {
  /** Default '24h'. */
  expiresIn?: string | number
  /** The token is not valid before this (relative to now). */
  notBefore?: string | number
  /** An HMAC algorithm; default 'HS256'. */
  algorithm?: 'HS256' | 'HS384' | 'HS512'
  issuer?: string
  audience?: string | string[]
}

const encoder = new TextEncoder()

function fromNow(span: string | number): string | number {
  return typeof span === 'number' ? Math.floor(Date.now() / 1000) + span : span
}

/**
 * Signs a JWT for `userId` (the `sub` claim) with a shared secret, for local development, the
 * CLI's `--dev` tokens and tests. Real deployments issue tokens from their own auth service.
 *
 * @example
 * const token = await signDevToken('dev-secret', 'alice')
 * socket.send(JSON.stringify({ v: 1, id: 'a1', type: 'auth', timestamp: Date.now(), data: { token } }))
 */
export async function signDevToken(
  secret: string | Uint8Array,
  userId: string,
  options: DevTokenOptions = {},
): Promise<string> {
  const algorithm = options.algorithm ?? 'HS256'
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(fromNow(options.expiresIn ?? '24h'))
  if (options.notBefore !== undefined) jwt.setNotBefore(fromNow(options.notBefore))
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer)
  if (options.audience !== undefined) jwt.setAudience(options.audience)
  return jwt.sign(typeof secret === 'string' ? encoder.encode(secret) : secret)
}
