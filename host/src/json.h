/* json.h — cJSON with GLib's automatic cleanup: g_autoptr(cJSON) deletes a tree on scope exit.
 * Include this rather than defining the cleanup function again (it may exist only once). */
#ifndef TG_JSON_H
#define TG_JSON_H

#include <cjson/cJSON.h>
#include <glib.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(cJSON, cJSON_Delete)

#endif
