/*
 * memory.h - reading migrations compiled into a program (dbshift embed)
 * into the same migration model as a folder.
 */
#ifndef DBSHIFT_SOURCE_MEMORY_H
#define DBSHIFT_SOURCE_MEMORY_H

#include "source/migration.h"

/*
 * Reads the files of emb with the folder readers, then checks the result
 * against what the generator recorded (versions, names, checksums): a
 * mismatch means the generated file was edited or built by an incompatible
 * generator, and is a DBSHIFT_EPARSE naming the migration. opts->format is
 * ignored: the embedded set names its own format.
 */
int migration_set_load_embedded(migration_set **out, const dbshift_embedded *emb,
                                const source_options *opts, dbshift_error *err);

#endif
