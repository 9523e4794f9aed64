/* milter_config.c — reads milter.conf (see milter_config.h). */
#include "milter_config.h"

#include <arpa/inet.h>
#include <string.h>

#define TG_MILTER_ERROR (g_quark_from_static_string("tg-milter-config"))
/* The same bound as policy.conf: a larger file is not a settings file. */
#define TG_MILTER_MAX_CONFIG_BYTES (1024u * 1024u)

const char *tg_on_block_name(TgOnBlock a) {
  static const char *const names[] = {"reject", "hold", "quarantine", "tag"};
  return names[a];
}

const char *tg_on_warn_name(TgOnWarn a) {
  static const char *const names[] = {"tag", "hold", "pass"};
  return names[a];
}

void tg_milter_config_free(TgMilterConfig *c) {
  if (!c)
    return;
  g_free(c->path);
  g_free(c->socket);
  g_ptr_array_unref(c->local_domains);
  g_free(c->history_dir);
  g_free(c->quarantine_to);
  tg_settings_free(c->settings);
  g_free(c);
}

static bool loopback_host(const char *host) {
  if (g_ascii_strcasecmp(host, "localhost") == 0)
    return true;
  struct in_addr a4;
  if (inet_pton(AF_INET, host, &a4) == 1)
    return (ntohl(a4.s_addr) >> 24) == 127;
  struct in6_addr a6;
  if (inet_pton(AF_INET6, host, &a6) == 1)
    return IN6_IS_ADDR_LOOPBACK(&a6);
  return false;
}

bool tg_milter_socket_ok(const char *spec, GError **error) {
  if (strlen(spec) > TG_MILTER_MAX_SOCKET_BYTES) {
    g_set_error(error, TG_MILTER_ERROR, 0, "socket is longer than %u bytes",
                TG_MILTER_MAX_SOCKET_BYTES);
    return false;
  }
  const char *rest = NULL;
  if ((rest = g_str_has_prefix(spec, "unix:") ? spec + 5 : NULL) ||
      (rest = g_str_has_prefix(spec, "local:") ? spec + 6 : NULL)) {
    if (!g_path_is_absolute(rest)) {
      g_set_error(error, TG_MILTER_ERROR, 0, "socket %s: a Unix socket needs an absolute path",
                  spec);
      return false;
    }
    return true;
  }
  if ((rest = g_str_has_prefix(spec, "inet:") ? spec + 5 : NULL) ||
      (rest = g_str_has_prefix(spec, "inet6:") ? spec + 6 : NULL)) {
    const char *at = strchr(rest, '@');
    guint64 port = 0;
    g_autofree char *port_text = at ? g_strndup(rest, (gsize)(at - rest)) : NULL;
    if (!at || !g_ascii_string_to_unsigned(port_text, 10, 1, 65535, &port, NULL)) {
      g_set_error(error, TG_MILTER_ERROR, 0, "socket %s: write inet:PORT@127.0.0.1", spec);
      return false;
    }
    /* The milter sees every outgoing address: it never listens beyond this machine. */
    if (!loopback_host(at + 1)) {
      g_set_error(error, TG_MILTER_ERROR, 0,
                  "socket %s: only a Unix socket or a loopback address (127.0.0.1, ::1) is allowed",
                  spec);
      return false;
    }
    return true;
  }
  g_set_error(error, TG_MILTER_ERROR, 0,
              "socket %s: write unix:/run/typoguard/milter.sock or inet:PORT@127.0.0.1", spec);
  return false;
}

static bool parse_choice(const char *value, const char *const *names, size_t n, int *out) {
  for (size_t i = 0; i < n; i++)
    if (g_ascii_strcasecmp(value, names[i]) == 0) {
      *out = (int)i;
      return true;
    }
  return false;
}

/* A [milter] string value, trimmed; NULL when absent. */
static char *get_string(GKeyFile *kf, const char *key) {
  char *v = g_key_file_get_string(kf, TG_MILTER_GROUP, key, NULL);
  return v ? g_strstrip(v) : NULL;
}

static bool read_milter_group(TgMilterConfig *c, GKeyFile *kf, GPtrArray *warnings,
                              GError **error) {
  static const char *const known[] = {"socket",  "on_block",      "on_warn",        "local_domains",
                                      "history", "quarantine_to", "history_reload", NULL};
  g_auto(GStrv) keys = g_key_file_get_keys(kf, TG_MILTER_GROUP, NULL, NULL);
  for (guint i = 0; keys && keys[i]; i++)
    if (!g_strv_contains(known, keys[i]))
      g_ptr_array_add(warnings, g_strdup_printf("%s: [milter] %s is not a milter key; ignored",
                                                c->path, keys[i]));

  g_autofree char *socket = get_string(kf, "socket");
  if (socket) {
    if (!tg_milter_socket_ok(socket, error))
      return false;
    g_free(c->socket);
    c->socket = g_steal_pointer(&socket);
  }
  g_autofree char *on_block = get_string(kf, "on_block");
  static const char *const block_names[] = {"reject", "hold", "quarantine", "tag"};
  int choice = 0;
  if (on_block) {
    if (!parse_choice(on_block, block_names, G_N_ELEMENTS(block_names), &choice)) {
      g_set_error(error, TG_MILTER_ERROR, 0,
                  "%s: on_block = %s: write reject, hold, quarantine or tag", c->path, on_block);
      return false;
    }
    c->on_block = (TgOnBlock)choice;
  }
  g_autofree char *on_warn = get_string(kf, "on_warn");
  static const char *const warn_names[] = {"tag", "hold", "pass"};
  if (on_warn) {
    if (!parse_choice(on_warn, warn_names, G_N_ELEMENTS(warn_names), &choice)) {
      g_set_error(error, TG_MILTER_ERROR, 0, "%s: on_warn = %s: write tag, hold or pass", c->path,
                  on_warn);
      return false;
    }
    c->on_warn = (TgOnWarn)choice;
  }
  if (g_key_file_has_key(kf, TG_MILTER_GROUP, "local_domains", NULL)) {
    g_auto(GStrv) list =
        g_key_file_get_string_list(kf, TG_MILTER_GROUP, "local_domains", NULL, NULL);
    for (guint i = 0; list && list[i]; i++) {
      /* Commas separate too, as in policy.conf. */
      g_auto(GStrv) parts = g_strsplit(list[i], ",", -1);
      for (guint j = 0; parts[j]; j++) {
        char *text = g_strstrip(parts[j]);
        if (!*text)
          continue;
        g_autoptr(GError) err = NULL;
        char *d = tg_settings_normalise_domain(text, &err);
        if (!d) {
          g_set_error(error, TG_MILTER_ERROR, 0, "%s: local_domains: %s", c->path, err->message);
          return false;
        }
        g_ptr_array_add(c->local_domains, d);
      }
    }
  }
  g_autofree char *history = get_string(kf, "history");
  if (history) {
    if (g_ascii_strcasecmp(history, "none") == 0) {
      g_clear_pointer(&c->history_dir, g_free);
    } else if (!g_path_is_absolute(history)) {
      g_set_error(error, TG_MILTER_ERROR, 0, "%s: history = %s: write an absolute folder or none",
                  c->path, history);
      return false;
    } else {
      g_free(c->history_dir);
      c->history_dir = g_steal_pointer(&history);
    }
  }
  g_autofree char *quarantine_to = get_string(kf, "quarantine_to");
  if (quarantine_to) {
    const char *at = strrchr(quarantine_to, '@');
    if (!at || at == quarantine_to || !at[1] || strpbrk(quarantine_to, "<>,; \t")) {
      g_set_error(error, TG_MILTER_ERROR, 0, "%s: quarantine_to = %s is not a bare address",
                  c->path, quarantine_to);
      return false;
    }
    c->quarantine_to = g_steal_pointer(&quarantine_to);
  }
  if (c->on_block == TG_ON_BLOCK_QUARANTINE && !c->quarantine_to) {
    g_set_error(error, TG_MILTER_ERROR, 0,
                "%s: on_block = quarantine needs quarantine_to (the mailbox that reviews them)",
                c->path);
    return false;
  }
  g_autofree char *reload = get_string(kf, "history_reload");
  if (reload) {
    guint64 v = 0;
    if (!g_ascii_string_to_unsigned(reload, 10, 1, TG_MILTER_MAX_RELOAD, &v, NULL)) {
      g_set_error(error, TG_MILTER_ERROR, 0, "%s: history_reload = %s: write seconds, 1 to %u",
                  c->path, reload, TG_MILTER_MAX_RELOAD);
      return false;
    }
    c->history_reload = (unsigned)v;
  }
  return true;
}

TgMilterConfig *tg_milter_config_load(const char *path, GPtrArray *warnings, GError **error) {
  g_autoptr(TgMilterConfig) c = g_new0(TgMilterConfig, 1);
  c->path = g_strdup(path);
  c->socket = g_strdup(TG_MILTER_DEFAULT_SOCKET);
  c->local_domains = g_ptr_array_new_with_free_func(g_free);
  c->history_dir = g_strdup(TG_MILTER_DEFAULT_HISTORY);
  c->history_reload = TG_MILTER_DEFAULT_RELOAD;
  c->settings = tg_settings_new();

  g_autofree char *text = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &text, &len, error))
    return NULL;
  if (len > TG_MILTER_MAX_CONFIG_BYTES) {
    g_set_error(error, TG_MILTER_ERROR, 0, "%s: larger than %u bytes, not a settings file", path,
                TG_MILTER_MAX_CONFIG_BYTES);
    return NULL;
  }
  /* The [typoguard] keys: read by the host's own code, as an administrator's policy. */
  (void)tg_settings_load_file(c->settings, path, true, warnings, NULL);

  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(GError) kerr = NULL;
  if (memchr(text, '\0', len) ||
      !g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &kerr)) {
    g_set_error(error, TG_MILTER_ERROR, 0, "%s: not a key file%s%s", path, kerr ? ": " : "",
                kerr ? kerr->message : "");
    return NULL;
  }
  if (g_key_file_has_group(kf, TG_MILTER_GROUP) && !read_milter_group(c, kf, warnings, error))
    return NULL;
  if (c->local_domains->len == 0)
    for (guint i = 0; i < c->settings->org_domains->len; i++)
      g_ptr_array_add(c->local_domains, g_strdup(g_ptr_array_index(c->settings->org_domains, i)));
  if (c->local_domains->len == 0)
    g_ptr_array_add(warnings, g_strdup_printf("%s: neither local_domains nor org_domains is set: "
                                              "no sender is local, nothing will be judged",
                                              path));
  return g_steal_pointer(&c);
}
