/**
 * The token of an `Authorization: Bearer <token>` header (scheme case-insensitive,
 * one token, surrounding spaces allowed), or undefined when the header is
 * missing or shaped otherwise.
 */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  return (authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null)?.[1];
}
