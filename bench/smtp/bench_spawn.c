/* bench_spawn: runs a command (once, or N times one after the other) and
 * reports what the client process(es) cost, for bench/smtp/run.py.
 *
 *   bench_spawn [--repeat N] [--stdin FILE] [--log FILE] -- PROGRAM ARG...
 *
 * Prints one JSON line: processes run, wall seconds from the first fork to
 * the last exit, user and system CPU seconds of the children (wait4, which
 * includes the children they waited for), the largest ru_maxrss (KiB), and
 * the exit code of the last child (the loop stops at the first failure).
 *
 * Why a C launcher: a child's ru_maxrss starts from the RSS of the process
 * that forked it (the kernel carries the old address space's high-water mark
 * across exec), so spawning from the Python driver would add its 10-200 MB
 * to every figure. This process is about 1 MB, below every client measured.
 * The child's stdout goes to /dev/null, its stderr to --log (or ours).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void usage(const char *why) {
    fprintf(stderr, "bench_spawn: %s\nusage: bench_spawn [--repeat N] [--stdin FILE] [--log FILE] -- PROGRAM ARG...\n",
            why);
    exit(64);
}

static double tv(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

int main(int argc, char **argv) {
    long repeat = 1;
    const char *in = NULL;
    const char *log = NULL;
    int i = 1;
    for (; i < argc; ++i) {
        if (strcmp(argv[i], "--") == 0) {
            ++i;
            break;
        }
        if (i + 1 >= argc) usage("missing value");
        if (strcmp(argv[i], "--repeat") == 0) {
            char *end = NULL;
            repeat = strtol(argv[++i], &end, 10);
            if (*end != '\0' || repeat < 1) usage("bad --repeat");
        } else if (strcmp(argv[i], "--stdin") == 0) {
            in = argv[++i];
        } else if (strcmp(argv[i], "--log") == 0) {
            log = argv[++i];
        } else {
            usage("unknown option");
        }
    }
    if (i >= argc) usage("no command");
    char **cmd = argv + i;

    double user = 0, sys = 0;
    long maxrss = 0, n = 0;
    int code = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long k = 0; k < repeat; ++k) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("bench_spawn: fork");
            return 71;
        }
        if (pid == 0) {
            int fd = open(in ? in : "/dev/null", O_RDONLY);
            if (fd < 0 || dup2(fd, 0) < 0) _exit(126);
            fd = open("/dev/null", O_WRONLY);
            if (fd < 0 || dup2(fd, 1) < 0) _exit(126);
            if (log) {
                fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
                if (fd < 0 || dup2(fd, 2) < 0) _exit(126);
            }
            execv(cmd[0], cmd);
            fprintf(stderr, "bench_spawn: %s: %s\n", cmd[0], strerror(errno));
            _exit(127);
        }
        int status = 0;
        struct rusage ru;
        while (wait4(pid, &status, 0, &ru) < 0) {
            if (errno != EINTR) {
                perror("bench_spawn: wait4");
                return 71;
            }
        }
        ++n;
        user += tv(ru.ru_utime);
        sys += tv(ru.ru_stime);
        if (ru.ru_maxrss > maxrss) maxrss = ru.ru_maxrss;
        code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (code != 0) break;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("{\"processes\": %ld, \"wall\": %.6f, \"user\": %.6f, \"sys\": %.6f, \"maxrss_kb\": %ld, \"exit\": %d}\n",
           n, wall, user, sys, maxrss, code);
    return 0;
}
