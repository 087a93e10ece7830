/*
 * backup.h - backups taken before a run and on request, their rotation, and
 * restoring one.
 */
#ifndef DBSHIFT_CORE_BACKUP_H
#define DBSHIFT_CORE_BACKUP_H

#include "core/handle.h"

/* Takes the automatic backup before up/down when the engine and options
 * call for one; *path_out receives its path or stays NULL. */
int backup_before_run(dbshift *db, const dbshift_run_options *opts, const char *version,
                      char **path_out);

#endif
