/* The terminal guard: see include/termguard.h. Only async-signal-safe calls
 * (write, tcsetattr, sigaction, raise) run inside the handler. */
#include "termguard.h"
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct termios g_saved;
static int g_fd = -1;
static volatile sig_atomic_t g_restored = 0;

/* Every catchable signal whose default action ends the process. SIGKILL and SIGSTOP
 * cannot be caught; SIGCHLD, SIGWINCH, SIGURG, SIGCONT are ignored by default;
 * SIGTSTP/SIGTTIN/SIGTTOU stop (ncurses deals with them). Real-time signals
 * (SIGRTMIN..SIGRTMAX, default: terminate) are added at install time. */
static const int g_fixed[] = {
    SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2,
    SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO, SIGPWR, SIGSTKFLT, SIGSYS,
    SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE,
};
#define NFIXED (sizeof g_fixed / sizeof g_fixed[0])
#define MAXSIGS (NFIXED + 40)
static int g_sigs[MAXSIGS];
static unsigned g_nsigs = 0;
static struct sigaction g_old[MAXSIGS];
static volatile sig_atomic_t g_graceful = 0;
static volatile sig_atomic_t g_quit = 0;

void tg_set_graceful(int on) { g_graceful = on ? 1 : 0; }
int tg_quit_requested(void) { return (int)g_quit; }

/* Signals that report a fault, a debugger trap or an abort: the terminal is restored and
 * the default action (a core dump) follows at once; never graceful. */
static int is_fault(int sig) {
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP
        || sig == SIGABRT || sig == SIGSYS || sig == SIGQUIT;
}

int tg_is_graceful_signal(int sig) { return !is_fault(sig); }

void tg_restore(void) {
    if (g_fd < 0 || g_restored) return;
    g_restored = 1;
    /* leave the alternate screen, show the cursor, reset SGR, keypad off */
    static const char seq[] = "\033[?1049l\033[?25h\033[0m\033[?1l\033>";
    (void)!write(g_fd, seq, sizeof seq - 1);
    tcsetattr(g_fd, TCSAFLUSH, &g_saved);
}

void tg_rearm(void) { g_restored = 0; }

void tg_disarm(void) { g_fd = -1; }

static void handler(int sig, siginfo_t *info, void *uctx) {
    (void)uctx;
    /* Graceful: the first ending signal only asks the event loop to stop (it cleans up,
       then dies by the same signal); a second one is obeyed at once. */
    if (!is_fault(sig) && g_graceful && g_quit == 0) { g_quit = sig; return; }
    tg_restore();
    for (unsigned i = 0; i < g_nsigs; i++) {
        if (g_sigs[i] == sig) { sigaction(sig, &g_old[i], NULL); break; }
    }
    int sync_fault = (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE);
    if (sync_fault && info && info->si_code > 0) return;   /* faults again, chained handler runs */
    raise(sig);
    /* The previous handler returned (Swift's backtracer does so for a fault signal that
       was sent rather than raised by the CPU): the signal still ends the process. */
    signal(sig, SIG_DFL);
    raise(sig);
}

void tg_install(int fd) {
    g_fd = fd;
    g_restored = 0;
    if (fd < 0 || tcgetattr(fd, &g_saved) != 0) g_fd = -1;   /* not a tty: handlers only */
    if (g_nsigs == 0) {
        for (unsigned i = 0; i < NFIXED; i++) g_sigs[g_nsigs++] = g_fixed[i];
        for (int s = SIGRTMIN; s <= SIGRTMAX && g_nsigs < MAXSIGS; s++) g_sigs[g_nsigs++] = s;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sigemptyset(&sa.sa_mask);
    /* no SA_RESTART: a blocking call (a write to a full pipe) returns EINTR, so the
       caller sees the request at once */
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigset_t unblock;
    sigemptyset(&unblock);
    for (unsigned i = 0; i < g_nsigs; i++) {
        struct sigaction now;
        sigaction(g_sigs[i], NULL, &now);
        if (now.sa_handler == SIG_IGN) continue;        /* keep inherited ignores (nohup) */
        if (now.sa_sigaction == handler) continue;      /* installed already */
        g_old[i] = now;
        sigaddset(&unblock, g_sigs[i]);
        sigaction(g_sigs[i], &sa, NULL);
    }
    /* a parent may have left these blocked (some spawners pass their thread's mask on) */
    sigprocmask(SIG_UNBLOCK, &unblock, NULL);
}
