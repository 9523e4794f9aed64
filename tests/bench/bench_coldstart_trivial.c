/* bench_coldstart_trivial.c — the baseline of bench_coldstart: the least a process can do with a
 * native-messaging request, read its input to the end and exit. */
#include <unistd.h>

int main(void) {
  char buf[65536];
  while (read(STDIN_FILENO, buf, sizeof buf) > 0)
    ;
  return 0;
}
