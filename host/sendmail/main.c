/* main.c — typoguard-sendmail: a checking drop-in sendmail for terminal mail clients and
 * git send-email (sendmail.h says what it does). */
#include <locale.h>

#include "sendmail.h"

int main(int argc, char **argv) {
  setlocale(LC_ALL, "");
  return tg_sendmail_run(argc, argv, 0);
}
