/*
 * tool.h - running an engine's client tool (pg_dump, mariadb-dump, ...) as a
 * child process, shared by the drivers that back up and restore through one.
 * Not part of any public contract.
 */
#ifndef DBSHIFT_DRIVER_TOOL_H
#define DBSHIFT_DRIVER_TOOL_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * The child's environment: ours, with the password in one variable so it
 * never appears on a command line. Built before the fork because the child
 * may only do async-signal-safe work.
 */
typedef struct driver_tool_env {
    char **vars;  /* NULL-terminated; the entries but secret are borrowed */
    char *secret; /* "NAME=password", owned, wiped on release; NULL for none */
} driver_tool_env;

/*
 * Fills env from environ with NAME=password. Without a password an
 * inherited NAME is kept when keep_inherited is true and dropped otherwise
 * (so a stray one never applies). Returns 0 or DBSHIFT_ENOMEM (env then
 * holds nothing).
 */
int driver_tool_env_init(driver_tool_env *env, const char *name, const char *password,
                         bool keep_inherited);

/* Wipes the password and frees what env holds; harmless on a zeroed env. */
void driver_tool_env_release(driver_tool_env *env);

/*
 * Starts argv[0], looked up on PATH, with env's variables; stdin from in_fd,
 * stdout to out_fd, stderr to err_fd (each -1 to inherit), and umask 077,
 * since what a tool writes holds the whole database. Waits only until the
 * exec: *exec_errno is 0 when the tool runs, or why it could not be run
 * (the child then exits 127 and still needs waitpid). Returns 0 with *pid
 * set, or -1 with errno set when no process could be started.
 */
int driver_tool_spawn(pid_t *pid, int *exec_errno, char *const argv[], const driver_tool_env *env,
                      int in_fd, int out_fd, int err_fd);

#endif
