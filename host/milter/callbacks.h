/* callbacks.h — the libmilter side: the callbacks that hand each step of an SMTP transaction to
 * message.c and turn its decisions into replies and message changes. */
#ifndef TG_MILTER_CALLBACKS_H
#define TG_MILTER_CALLBACKS_H

#include <libmilter/mfapi.h>

#include "engine.h"

/* The filter description to pass to smfi_register; callbacks reach `engine` (which must outlive
 * smfi_main). */
struct smfiDesc *tg_milter_callbacks(TgEngine *engine);

#endif
