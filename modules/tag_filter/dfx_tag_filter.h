/*
 * dfx_tag_filter.h: what the tag_filter module tells dry runs.
 */
#ifndef DFX_TAG_FILTER_H
#define DFX_TAG_FILTER_H

#include "dfx_buf.h"
#include "dfx_module.h"
#include "dfx_record.h"

extern const dfx_module_t  dfx_tag_filter_module;

/* Appends a JSON array of the chain's filters that rec fails, each as
 * {"filter":"tag-filters-groups[N].tag-filters[i]","field-name":...,
 * "operator":...,"field-values":[...],"value":<the record's value>}
 * ([] when the chain has no tag filter).  Evaluates the filters again:
 * for dry runs, not the per-record path.  Returns 0 or -1 (no memory). */
int dfx_tag_filter_explain(const dfx_chain_t *chain, const dfx_record_t *rec,
                           dfx_buf_t *out);

#endif /* DFX_TAG_FILTER_H */
