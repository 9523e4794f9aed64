/* main.c — typoguard-host: chooses the mode from the arguments (DESIGN.md, "Host modes").
 *
 * A browser or mail client starts the host with a manifest path and an extension id
 * (Thunderbird, Firefox) or a chrome-extension:// origin (Chrome, Chromium): any first argument
 * that is not an option means native messaging. Everything else goes through GOption. Usage
 * errors exit 64. */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "install.h"
#include "native.h"
#include "selftest.h"
#include "typoguard.h"

/* The absolute path of this program, for manifests and the self-test. */
static char *program_path(const char *argv0) {
  g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
  if (exe)
    return g_steal_pointer(&exe);
  if (g_path_is_absolute(argv0))
    return g_strdup(argv0);
  g_autofree char *found = g_find_program_in_path(argv0);
  return found ? g_steal_pointer(&found) : g_canonicalize_filename(argv0, NULL);
}

int main(int argc, char **argv) {
  setlocale(LC_ALL, "");

  if (argc >= 2 && argv[1][0] != '-')
    return tg_native_run(NULL);

  gboolean native = FALSE, check = FALSE, json = FALSE, selftest = FALSE, install = FALSE,
           uninstall = FALSE, system_wide = FALSE, version = FALSE;
  g_autofree char *sender = NULL, *policy = NULL, *browsers = NULL, *extension_id = NULL,
                  *chrome_origin = NULL, *root = NULL;
  g_auto(GStrv) known_domains = NULL, known_addresses = NULL, org_domains = NULL, rest = NULL;
  const GOptionEntry modes[] = {
      {"native", 0, 0, G_OPTION_ARG_NONE, &native, "Serve native messaging on stdin/stdout", NULL},
      {"check", 0, 0, G_OPTION_ARG_NONE, &check,
       "Check the addresses given as arguments (or one per line on stdin with -)", NULL},
      {"selftest", 0, 0, G_OPTION_ARG_NONE, &selftest,
       "Check the installation and run built-in cases", NULL},
      {"install", 0, 0, G_OPTION_ARG_NONE, &install,
       "Write native-messaging manifests that point at this program", NULL},
      {"uninstall", 0, 0, G_OPTION_ARG_NONE, &uninstall, "Remove those manifests", NULL},
      {"version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, "[ADDR...|-]"},
      {NULL, 0, 0, 0, NULL, NULL, NULL}};
  const GOptionEntry check_entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (--check, --selftest)", NULL},
      {"sender", 0, 0, G_OPTION_ARG_STRING, &sender, "The sender's address", "ADDR"},
      {"known-domain", 0, 0, G_OPTION_ARG_STRING_ARRAY, &known_domains,
       "A domain the user knows (repeatable)", "D"},
      {"known-address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &known_addresses,
       "An address-book entry, e.g. 'John Smith <john.smith@army.mil>' (repeatable)", "MAILBOX"},
      {"org-domain", 0, 0, G_OPTION_ARG_STRING_ARRAY, &org_domains,
       "An organisation domain (repeatable)", "D"},
      {"policy", 0, 0, G_OPTION_ARG_FILENAME, &policy,
       "Administrator policy file instead of " TG_SYSTEM_POLICY_PATH, "FILE"},
      {NULL, 0, 0, 0, NULL, NULL, NULL}};
  const GOptionEntry install_entries[] = {
      {"system", 0, 0, G_OPTION_ARG_NONE, &system_wide, "System-wide manifests", NULL},
      {"browser", 0, 0, G_OPTION_ARG_STRING, &browsers,
       "Comma list of thunderbird,firefox,chrome,chromium (default: thunderbird,firefox)", "LIST"},
      {"extension-id", 0, 0, G_OPTION_ARG_STRING, &extension_id,
       "Extension id allowed to start the host (default " TG_EXTENSION_ID ")", "ID"},
      {"chrome-origin", 0, 0, G_OPTION_ARG_STRING, &chrome_origin,
       "chrome-extension://ID/ origin allowed by the Chrome and Chromium manifests", "URL"},
      {"root", 0, 0, G_OPTION_ARG_FILENAME, &root,
       "Destination root prefixed to every path (packaging)", "DIR"},
      {NULL, 0, 0, 0, NULL, NULL, NULL}};

  g_autoptr(GOptionContext) octx = g_option_context_new("- catch misaddressed email");
  g_option_context_set_summary(
      octx,
      "Native-messaging host and command-line checker of email recipients.\n"
      "Started by Thunderbird, Firefox or Chromium with a manifest path and an extension id,\n"
      "it serves native messaging. Exit status of --check: 0 ok or info, 1 warn, 2 block,\n"
      "64 usage error, 70 internal error.");
  g_option_context_add_main_entries(octx, modes, NULL);
  GOptionGroup *cg =
      g_option_group_new("check", "Options of --check:", "Show --check options", NULL, NULL);
  g_option_group_add_entries(cg, check_entries);
  g_option_context_add_group(octx, cg);
  GOptionGroup *ig = g_option_group_new(
      "install", "Options of --install and --uninstall:", "Show --install options", NULL, NULL);
  g_option_group_add_entries(ig, install_entries);
  g_option_context_add_group(octx, ig);

  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(octx, &argc, &argv, &error)) {
    g_printerr("typoguard-host: %s (see --help)\n", error->message);
    return TG_EXIT_USAGE;
  }
  int modes_given = native + check + selftest + install + uninstall + version;
  if (modes_given != 1) {
    g_printerr("typoguard-host: %s (see --help)\n",
               modes_given ? "choose one of --native, --check, --selftest, --install, "
                             "--uninstall, --version"
                           : "no mode given");
    return TG_EXIT_USAGE;
  }
  if (rest && !check) {
    g_printerr("typoguard-host: unexpected argument '%s' (see --help)\n", rest[0]);
    return TG_EXIT_USAGE;
  }
  if (version) {
    g_print("typoguard-host %s\n", tg_version());
    return 0;
  }
  if (native)
    return tg_native_run(policy);
  if (check) {
    TgCliOptions o = {.json = json,
                      .sender = sender,
                      .known_domains = known_domains,
                      .known_addresses = known_addresses,
                      .org_domains = org_domains,
                      .policy_path = policy,
                      .addresses = rest};
    return tg_cli_check(&o);
  }
  g_autofree char *self = program_path(argv[0]);
  if (selftest)
    return tg_selftest_run(self, policy, json);
  TgInstallOptions io = {.system = system_wide,
                         .uninstall = uninstall,
                         .browsers = browsers,
                         .extension_id = extension_id,
                         .chrome_origin = chrome_origin,
                         .root = root,
                         .program = self};
  return tg_install_run(&io);
}
