/*
 * dfx_universal_tag.h: what the encoder asks the universal_tag module.
 */
#ifndef DFX_UNIVERSAL_TAG_H
#define DFX_UNIVERSAL_TAG_H

#include "dfx_buf.h"
#include "dfx_module.h"

/* The translated value of emit entry e (fmt DFX_FMT_UTAG) of the record in
 * rc, as a JSON string literal with its quotes ("\"cn-beijing\""), or an
 * empty slice when the id has no name (the empty-tag rule then applies).
 * The slice points into the dictionary or into scratch (IP-valued
 * auto_instance / auto_service), valid until scratch is next used. */
dfx_str_t dfx_universal_tag_value(const dfx_rec_ctx_t *rc,
                                  const dfx_emit_t *e, dfx_buf_t *scratch);

/* k8s labels of the record's pod on one side, selected by the chain:
 * appends ,"k8s_label_names_0":[...],"k8s_label_values_0":[...] to out
 * when the pod has at least one selected label. */
int dfx_universal_tag_labels(const dfx_rec_ctx_t *rc, unsigned side,
                             dfx_buf_t *out);

#endif /* DFX_UNIVERSAL_TAG_H */
