/* b64.h: base64 (RFC 4648). base64url without padding for tokens, cursors and ETags that
 * travel in URLs and headers (§5), and standard padded base64 for MIME-style consumers.
 *
 * Encoders write a NUL-terminated string into a caller buffer; decoders are strict: any
 * character outside the alphabet (including '=', whitespace and the other alphabet's
 * '+' '/' or '-' '_'), a length of 4k+1, or nonzero unused trailing bits is rejected, so
 * every accepted string has exactly one encoding (no token malleability).
 * No allocation; all functions are reentrant and thread-safe.
 */
#ifndef PB_B64_H
#define PB_B64_H

#include <stddef.h>

/* Length (without the NUL) of the unpadded base64url encoding of n bytes: ceil(4n/3). */
size_t pb_b64url_encoded_len(size_t n);
/* Length (without the NUL) of padded standard base64: 4 * ceil(n/3). */
size_t pb_b64_encoded_len(size_t n);
/* Upper bound of the decoded size of a base64url string of len characters. */
size_t pb_b64url_decoded_max(size_t len);

/* Encode n bytes. 0 ok; -1 when outsz < encoded length + 1 (out is then "" if outsz > 0). */
int pb_b64url_encode(const void *in, size_t n, char *out, size_t outsz);
int pb_b64_encode(const void *in, size_t n, char *out, size_t outsz);

/* Decode len characters of unpadded base64url into out (outsz bytes), *outlen = bytes.
 * 0 ok; -1 not canonical base64url; -2 out too small. */
int pb_b64url_decode(const char *in, size_t len, void *out, size_t outsz, size_t *outlen);

#endif
