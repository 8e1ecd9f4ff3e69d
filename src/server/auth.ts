import { errors, jwtVerify } from 'jose'
import { isValidId } from '../protocol'
import type { ResolvedServerOptions } from './options'

/** The outcome of checking an `auth` frame's token; `expiresAt` is its `exp` in epoch ms. */
export type TokenCheck =
  { ok: true; userId: string; expiresAt: number } | { ok: false; reason: string }

/** Verifies tokens against the configured secret, algorithm allow-list, iss and aud. */
export type TokenVerifier = (token: string) => Promise<TokenCheck>

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

/**
 * Builds the verifier the connections use. `exp` and `sub` are required; `nbf` is honoured.
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
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key, verifyOptions)
      if (!isValidId(payload.sub))
        return { ok: false, reason: 'token "sub" is not a valid user id' }
      // jose has checked that `exp` is present and a number.
      return {
        ok: true,
        userId: payload.sub,
        expiresAt: Math.floor((payload.exp as number) * 1000),
      }
    } catch (error) {
      return { ok: false, reason: describeFailure(error) }
    }
  }
}
