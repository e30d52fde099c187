/* CTermGuard: restores the terminal when storemon dies by a signal.
 *
 * tg_install(fd) saves the tty settings of fd and installs handlers for every
 * catchable signal whose default action ends the process (SIGINT, SIGTERM, SIGHUP,
 * SIGPIPE, SIGALRM, SIGUSR1/2, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, real-time
 * signals...) and the crash signals. A handler writes the
 * sequences that leave the alternate screen, show the cursor and reset colours,
 * restores the saved tty settings, then hands the signal on: a kernel-raised
 * fault returns so that the previous handler (Swift's backtracer) sees the real
 * context; anything else is re-raised with the previous disposition.
 * tg_restore() does the same restoring from normal code and is idempotent. */
#ifndef TERMGUARD_H
#define TERMGUARD_H
/// Saves fd's tty settings and installs the signal handlers. Call before newterm.
/// When fd is not a terminal only the handlers are installed (for graceful mode).
void tg_install(int fd);
/// Leaves the alternate screen and restores the saved tty settings (once).
void tg_restore(void);
/// Forgets the saved terminal (newterm failed: there is nothing to restore).
void tg_disarm(void);
/// Re-arms tg_restore after a deliberate endwin/refresh cycle (e.g. suspend).
void tg_rearm(void);
/// Graceful mode: the first ending signal that is not a fault (SIGINT, SIGTERM,
/// SIGHUP, SIGPIPE, SIGUSR1...) only sets a flag that the event loop polls (so it can
/// clean up and exit); a second one restores the terminal and dies by the signal.
/// Faults (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT, SIGSYS, SIGQUIT) always
/// restore the terminal and take their default action at once.
void tg_set_graceful(int on);
/// The signal number that asked for a graceful quit, or 0.
int tg_quit_requested(void);
/// 1 when sig is handled gracefully (not a fault), else 0.
int tg_is_graceful_signal(int sig);
#endif
