import { errors, jwtVerify } from 'jose'
import { isForbiddenKey, isValidId } from '../protocol'
import type { ResolvedServerOptions } from './serverOptions'

/**
 * The outcome of checking an `auth` frame's token. `expiresAt` (epoch ms) is when the session it
 * opens or extends expires: its `exp`, or sooner under `jwt.maxTokenAgeSec`.
 */
export type TokenCheck =
  { ok: true; userId: string; expiresAt: number } | { ok: false; reason: string }

/** Verifies tokens against the configured secret, algorithm allow-list, iss, aud and max age. */
export type TokenVerifier = (token: string, now?: number) => Promise<TokenCheck>

const encoder = new TextEncoder()

/** A short, client-safe reason for a rejected token. */
function describeFailure(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired'
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'token not valid yet'
    if (error.reason === 'missing') return `token has no "${error.claim}" claim`
    return `token "${error.claim}" claim is not accepted`
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token algorithm not allowed'
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid'
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid)
    return 'token is malformed'
  return 'token could not be verified'
}

function describeBadSubject(sub: unknown): string {
  if (typeof sub === 'string' && isForbiddenKey(sub))
    return `token "sub" ${JSON.stringify(sub)} is a reserved name and cannot be a user id`
  return 'token "sub" is not a valid user id (1-128 printable ASCII characters)'
}

/**
 * When the session ends: at `exp`, or `maxTokenAgeSec` after `iat` (after `now` for a token
 * without `iat`) if that comes first.
 */
function sessionExpiry(exp: number, iat: unknown, maxAgeSec: number | undefined, now: number) {
  const expiresAt = Math.floor(exp * 1000)
  if (maxAgeSec === undefined) return expiresAt
  const issuedAt = typeof iat === 'number' ? Math.floor(iat * 1000) : now
  return Math.min(expiresAt, issuedAt + maxAgeSec * 1000)
}

/**
 * Builds the verifier the connections use. `exp` and `sub` are required; `nbf` is honoured; a
 * `sub` that is not a valid id (an `Object.prototype` member name among them) is refused.
 *
 * @example
 * const verify = createTokenVerifier(options.jwt)
 * const check = await verify(frame.data.token)
 * if (!check.ok) reject(check.reason)
 */
export function createTokenVerifier(jwt: ResolvedServerOptions['jwt']): TokenVerifier {
  const key = typeof jwt.secret === 'string' ? encoder.encode(jwt.secret) : jwt.secret
  const verifyOptions = {
    algorithms: jwt.algorithms,
    requiredClaims: ['exp', 'sub'],
    ...(jwt.issuer !== undefined ? { issuer: jwt.issuer } : {}),
    ...(jwt.audience !== undefined ? { audience: jwt.audience } : {}),
  }
  return async (token, now = Date.now()) => {
    try {
      const { payload } = await jwtVerify(token, key, verifyOptions)
      if (!isValidId(payload.sub)) return { ok: false, reason: describeBadSubject(payload.sub) }
      // jose has checked that `exp` is present and a number, and `iat` a number if present.
      const expiresAt = sessionExpiry(payload.exp as number, payload.iat, jwt.maxTokenAgeSec, now)
      if (expiresAt <= now)
        return {
          ok: false,
          reason: `token older than jwt.maxTokenAgeSec (${jwt.maxTokenAgeSec} s)`,
        }
      return { ok: true, userId: payload.sub, expiresAt }
    } catch (error) {
      return { ok: false, reason: describeFailure(error) }
    }
  }
}
