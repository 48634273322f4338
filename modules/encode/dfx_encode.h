/*
 * dfx_encode.h: the last stage of every chain, DeepFlow's JSON message,
 * and the text forms of typed values that other modules share (a tag
 * filter on an address compares the same text a message carries).
 *
 * Forms: IPv4 dotted quad; IPv6 in RFC 5952 form (lower case, no leading
 * zeros, the longest run of two or more zero groups compressed to "::",
 * the leftmost on a tie), with an IPv4-mapped address (::ffff:0:0/96)
 * written with a dotted tail as RFC 5952 section 5 recommends, e.g.
 * "::ffff:192.0.2.1"; MAC lower-case "aa:bb:cc:dd:ee:ff" of the low 48
 * bits; float64 like Go's strconv.FormatFloat(v, 'f', -1, 64): the
 * shortest digits that read back as v, never an exponent.
 */
#ifndef DFX_ENCODE_H
#define DFX_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "dfx_module.h"

#define DFX_IP4_STR_MAX  16     /* "255.255.255.255" + NUL room */
#define DFX_IP6_STR_MAX  46     /* INET6_ADDRSTRLEN */
#define DFX_MAC_STR_MAX  18
#define DFX_F64_STR_MAX  400    /* "-0." + 323 zeros + 17 digits, rounded up */

extern const dfx_module_t  dfx_encode_module;

/* Each writes the text form to out (no quotes, no NUL) and returns its
 * length. */
size_t dfx_encode_ip4(uint32_t ip, char *out);          /* host order */
size_t dfx_encode_ip6(const uint8_t ip[16], char *out); /* network order */
size_t dfx_encode_mac(uint64_t mac, char *out);

/* Go's FormatFloat(v, 'f', -1, 64); a NaN or an infinity (which JSON
 * cannot carry) is written as "null". */
size_t dfx_encode_f64(double v, char *out);

#endif /* DFX_ENCODE_H */
