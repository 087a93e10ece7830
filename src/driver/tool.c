/*
 * tool.c - starting an engine's client tool for a backup or restore, the
 * same way for every driver: the password travels in the child's
 * environment only, the files the tool creates are its owner's only, and a
 * tool that is not installed is told apart from one that failed.
 */
#include "driver/tool.h"

#include "dbshift.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

int driver_tool_env_init(driver_tool_env *env, const char *name, const char *password,
                         bool keep_inherited)
{
    size_t name_len = strlen(name);
    size_t n = 0;
    env->vars = NULL;
    env->secret = NULL;
    while (environ && environ[n])
        n++;
    char **vars = calloc(n + 2, sizeof(*vars));
    if (!vars)
        return DBSHIFT_ENOMEM;
    bool drop = password || !keep_inherited;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!drop || strncmp(environ[i], name, name_len) != 0 || environ[i][name_len] != '=')
            vars[k++] = environ[i];
    if (password) {
        size_t len = strlen(password);
        char *secret = malloc(name_len + len + 2);
        if (!secret) {
            free(vars);
            return DBSHIFT_ENOMEM;
        }
        memcpy(secret, name, name_len);
        secret[name_len] = '=';
        memcpy(secret + name_len + 1, password, len + 1);
        vars[k++] = secret;
        env->secret = secret;
    }
    vars[k] = NULL;
    env->vars = vars;
    return 0;
}

void driver_tool_env_release(driver_tool_env *env)
{
    if (env->secret) {
        explicit_bzero(env->secret, strlen(env->secret));
        free(env->secret);
        env->secret = NULL;
    }
    free(env->vars);
    env->vars = NULL;
}

int driver_tool_spawn(pid_t *pid, int *exec_errno, char *const argv[], const driver_tool_env *env,
                      int in_fd, int out_fd, int err_fd)
{
    /* The child writes its exec errno here; a successful exec closes the
     * pipe (close-on-exec), so the read below ends with nothing. */
    int execpipe[2];
    *exec_errno = 0;
    if (pipe(execpipe) != 0)
        return -1;
    fcntl(execpipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(execpipe[1], F_SETFD, FD_CLOEXEC);
    pid_t child = fork();
    if (child < 0) {
        int e = errno;
        close(execpipe[0]);
        close(execpipe[1]);
        errno = e;
        return -1;
    }
    if (child == 0) {
        umask(077);
        if (in_fd >= 0)
            dup2(in_fd, 0);
        if (out_fd >= 0)
            dup2(out_fd, 1);
        if (err_fd >= 0)
            dup2(err_fd, 2);
        environ = env->vars;
        execvp(argv[0], argv);
        int e = errno;
        ssize_t ignored = write(execpipe[1], &e, sizeof(e));
        (void)ignored;
        _exit(127);
    }
    close(execpipe[1]);
    int e = 0;
    ssize_t got;
    while ((got = read(execpipe[0], &e, sizeof(e))) < 0 && errno == EINTR)
        ;
    close(execpipe[0]);
    if (got == (ssize_t)sizeof(e))
        *exec_errno = e;
    *pid = child;
    return 0;
}
