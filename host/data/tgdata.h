/* tgdata.h — the arrays generated at build time by gen-tgdata.c from the lists in host/data
 * (library tgdata). Internal to wellknown.c and typo.c: callers use wellknown.h and typo.h.
 *
 * Guarantees (checked by the generator, which fails the build otherwise): tg_data_wellknown is
 * sorted by strcmp and free of duplicates, every domain is lowercase ASCII [a-z0-9.-] with a dot
 * and at most TG_KEY_MAX_LEN bytes; tg_data_tld_pairs is sorted by (typed, intended). The two
 * hash indexes are sorted by hash and bucketed by their top bits: the entries whose hash has top
 * bits b are [dir[b], dir[b+1]). */
#ifndef TG_DATA_H
#define TG_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "wellknown.h"

extern const TgWellKnown tg_data_wellknown[];
extern const size_t tg_data_wellknown_count;
/* Bytes of the longest built-in domain. */
extern const size_t tg_data_wellknown_longest;
extern const TgTldPair tg_data_tld_pairs[];
extern const size_t tg_data_tld_pair_count;

/* Exact index: hash of the whole domain -> id (index into tg_data_wellknown). */
#define TG_DATA_EXACT_BITS 12u
extern const uint32_t tg_data_exact_dir[(1u << TG_DATA_EXACT_BITS) + 1u];
extern const uint32_t tg_data_exact_hash[];
extern const uint32_t tg_data_exact_id[];

/* Deletion index: hash of each one-deletion key (tgkeys.h) -> id. */
#define TG_DATA_DEL_BITS 16u
extern const uint32_t tg_data_del_dir[(1u << TG_DATA_DEL_BITS) + 1u];
extern const uint32_t tg_data_del_hash[];
extern const uint32_t tg_data_del_id[];
extern const size_t tg_data_del_count;

#endif
