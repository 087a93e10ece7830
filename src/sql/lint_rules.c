/*
 * lint_rules.c - the lint rule table as data: stable code, stable name,
 * default level, why the change is risky and the safer way to make it.
 * Codes are published (JSON, SARIF, --allow, dbshift.conf), so a rule keeps
 * its code forever and new rules are appended; docs/lint.md mirrors this
 * table and explains each rule at length.
 */
#include "sql/lint.h"

#include <string.h>
#include <strings.h>

static const lint_rule rules[LINT_RULE_COUNT] = {
    [LINT_DROP_TABLE] = {"DS001", "drop-table", DBSHIFT_LINT_DANGEROUS,
                         "dropping a table loses its data and breaks code that still uses it",
                         "stop using the table in the application first, deploy, back it up, "
                         "then drop it in a later migration"},
    [LINT_DROP_COLUMN] = {"DS002", "drop-column", DBSHIFT_LINT_DANGEROUS,
                          "dropping a column loses its data and breaks code that still reads it",
                          "stop reading it in the application first, deploy, then drop"},
    [LINT_DROP_SCHEMA] = {"DS003", "drop-schema", DBSHIFT_LINT_DANGEROUS,
                          "dropping a schema loses every object and row in it",
                          "move what is still needed out of the schema, back it up, then drop it "
                          "outside the normal deployment"},
    [LINT_DROP_DATABASE] = {"DS004", "drop-database", DBSHIFT_LINT_DANGEROUS,
                            "dropping a database loses all of its data",
                            "drop databases by hand after a backup, never from a migration"},
    [LINT_TRUNCATE] = {"DS005", "truncate", DBSHIFT_LINT_DANGEROUS,
                       "TRUNCATE deletes every row and takes an exclusive lock on the table",
                       "delete the rows that must go with a WHERE clause, in batches"},
    [LINT_DELETE_WITHOUT_WHERE] = {"DS006", "delete-without-where", DBSHIFT_LINT_DANGEROUS,
                                   "a DELETE without WHERE removes every row of the table",
                                   "add a WHERE clause naming the rows to remove, and delete in "
                                   "batches on large tables"},
    [LINT_UPDATE_WITHOUT_WHERE] = {"DS007", "update-without-where", DBSHIFT_LINT_DANGEROUS,
                                   "an UPDATE without WHERE rewrites every row and locks them all "
                                   "until the migration commits",
                                   "add a WHERE clause, and backfill large tables in batches "
                                   "outside the schema change"},
    [LINT_RENAME_TABLE] = {"DS008", "rename-table", DBSHIFT_LINT_DANGEROUS,
                           "renaming a table breaks every running client that still uses the "
                           "old name",
                           "create the new table (or a view under the new name), write to both, "
                           "backfill, switch reads, then drop the old one"},
    [LINT_RENAME_COLUMN] = {"DS009", "rename-column", DBSHIFT_LINT_DANGEROUS,
                            "renaming a column breaks every running client that still uses the "
                            "old name",
                            "add the new column, write to both, backfill, switch reads, then "
                            "drop the old one"},
    [LINT_CHANGE_COLUMN_TYPE] = {"DS010", "change-column-type", DBSHIFT_LINT_DANGEROUS,
                                 "changing a column's type can rewrite the whole table under an "
                                 "exclusive lock and break clients that expect the old type",
                                 "add a column of the new type, write to both, backfill in "
                                 "batches, switch reads, then drop the old column"},
    [LINT_ADD_NOT_NULL_COLUMN] = {"DS011", "add-not-null-column", DBSHIFT_LINT_DANGEROUS,
                                  "adding a NOT NULL column without a default fails on a table "
                                  "that has rows",
                                  "add the column with a DEFAULT, or add it nullable, backfill, "
                                  "then add the NOT NULL constraint"},
    [LINT_VOLATILE_DEFAULT] = {"DS012", "volatile-default", DBSHIFT_LINT_CAREFUL,
                               "a column with a volatile default (or serial, identity, generated) "
                               "makes Postgres rewrite the whole table under an exclusive lock",
                               "add the column without a default, set the default afterwards, "
                               "and backfill existing rows in batches"},
    [LINT_SET_NOT_NULL] = {"DS013", "set-not-null", DBSHIFT_LINT_CAREFUL,
                           "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
                           "add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a "
                           "later migration, then SET NOT NULL (Postgres 12+ skips the scan) "
                           "and drop the check"},
    [LINT_CREATE_INDEX] = {"DS014", "create-index", DBSHIFT_LINT_CAREFUL,
                           "CREATE INDEX without CONCURRENTLY blocks every write to the table "
                           "while the index builds",
                           "CREATE INDEX CONCURRENTLY in a migration marked "
                           "`-- dbshift:up transaction=false`"},
    [LINT_DROP_INDEX] = {"DS015", "drop-index", DBSHIFT_LINT_CAREFUL,
                         "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the "
                         "table, blocking reads and writes",
                         "DROP INDEX CONCURRENTLY in a migration marked "
                         "`-- dbshift:up transaction=false`"},
    [LINT_FOREIGN_KEY] = {"DS016", "foreign-key", DBSHIFT_LINT_CAREFUL,
                          "adding a foreign key validates every row while it blocks writes to "
                          "both tables",
                          "add the constraint NOT VALID, then VALIDATE CONSTRAINT in a later "
                          "migration"},
    [LINT_CHECK_CONSTRAINT] = {"DS017", "check-constraint", DBSHIFT_LINT_CAREFUL,
                               "adding a CHECK constraint scans every row under an ACCESS "
                               "EXCLUSIVE lock",
                               "add the constraint NOT VALID, then VALIDATE CONSTRAINT in a "
                               "later migration"},
    [LINT_UNIQUE_CONSTRAINT] = {"DS018", "unique-constraint", DBSHIFT_LINT_CAREFUL,
                                "adding a UNIQUE constraint builds its index while blocking "
                                "writes to the table",
                                "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT "
                                "... UNIQUE USING INDEX"},
    [LINT_PRIMARY_KEY] = {"DS019", "primary-key", DBSHIFT_LINT_DANGEROUS,
                          "changing a primary key rebuilds its index under an exclusive lock and "
                          "breaks foreign keys and clients that rely on it",
                          "build the new unique index CONCURRENTLY, then ADD PRIMARY KEY USING "
                          "INDEX, after moving foreign keys over"},
    [LINT_VACUUM_FULL] = {"DS020", "vacuum-full", DBSHIFT_LINT_DANGEROUS,
                          "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock",
                          "use plain VACUUM, or pg_repack, outside the migration"},
    [LINT_CLUSTER] = {"DS021", "cluster", DBSHIFT_LINT_DANGEROUS,
                      "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock",
                      "use pg_repack outside the migration"},
    [LINT_REINDEX] = {"DS022", "reindex", DBSHIFT_LINT_CAREFUL,
                      "REINDEX without CONCURRENTLY blocks writes to the table (and reads that "
                      "use the index) while it runs",
                      "REINDEX ... CONCURRENTLY in a migration marked "
                      "`-- dbshift:up transaction=false`"},
    [LINT_CONCURRENTLY_IN_TRANSACTION] = {"DS023", "concurrently-in-transaction",
                                          DBSHIFT_LINT_DANGEROUS,
                                          "a CONCURRENTLY statement cannot run inside a "
                                          "transaction, so this migration fails",
                                          "mark the migration `-- dbshift:up transaction=false` "
                                          "and keep the statement alone in it"},
    [LINT_MIXED_SCHEMA_AND_DATA] = {"DS024", "mixed-schema-and-data", DBSHIFT_LINT_CAREFUL,
                                    "changing data in an existing table in the same migration as "
                                    "schema changes holds schema locks while the data changes",
                                    "put schema changes and data changes in separate migrations"},
    [LINT_MISSING_DOWN] = {"DS025", "missing-down", DBSHIFT_LINT_CAREFUL,
                           "the migration has no down section, so it cannot be rolled back",
                           "write a down section that reverses the up section, or mark the "
                           "migration `-- dbshift:irreversible`"},
    [LINT_INCOMPLETE_DOWN] = {"DS026", "incomplete-down", DBSHIFT_LINT_CAREFUL,
                              "the down section does not remove something the up section "
                              "creates, so a rollback leaves it behind",
                              "drop in the down section every table, column and index the up "
                              "section creates"},
    [LINT_LOCK_TIMEOUT] = {"DS027", "lock-timeout", DBSHIFT_LINT_CAREFUL,
                           "an ACCESS EXCLUSIVE lock without lock_timeout waits behind long "
                           "queries while every other query on the table queues behind it",
                           "SET lock_timeout = '5s' at the top of the migration, or run with "
                           "--lock-timeout, and retry on timeout"},
    [LINT_PRAGMA_FOREIGN_KEYS] = {"DS028", "pragma-foreign-keys", DBSHIFT_LINT_DANGEROUS,
                                  "PRAGMA foreign_keys does nothing inside a transaction, so "
                                  "foreign keys stay as they were (and ON DELETE actions fire)",
                                  "mark the migration `-- dbshift:up transaction=false` and "
                                  "manage BEGIN/COMMIT yourself around the PRAGMA"},
    [LINT_MYSQL_ALGORITHM] = {"DS029", "mysql-algorithm", DBSHIFT_LINT_CAREFUL,
                              "an ALTER TABLE without ALGORITHM and LOCK may silently copy the "
                              "table and block writes",
                              "add ALGORITHM=INPLACE, LOCK=NONE (or ALGORITHM=INSTANT) so MySQL "
                              "refuses instead of locking"},
    [LINT_PASSWORD_LITERAL] = {"DS030", "password-literal", DBSHIFT_LINT_DANGEROUS,
                               "a password written in a migration ends up in version control, "
                               "logs and the history table",
                               "create the user without a password and set it outside the "
                               "migration, from a secret store"},
    [LINT_NOT_ANALYSED] = {"DS031", "not-analysed", DBSHIFT_LINT_SAFE,
                           "the statement could not be parsed, so it was not checked",
                           "review it by hand; the server decides whether it is valid"},
};

const lint_rule *lint_rule_get(int id)
{
    if (id < 0 || id >= LINT_RULE_COUNT)
        return NULL;
    return &rules[id];
}

int lint_rule_lookup(const char *text)
{
    if (!text)
        return -1;
    for (int i = 0; i < LINT_RULE_COUNT; i++) {
        if (strcasecmp(text, rules[i].code) == 0 || strcasecmp(text, rules[i].name) == 0)
            return i;
    }
    return -1;
}

static const char *const level_names[] = {"safe", "careful", "dangerous"};

const char *lint_level_name(int level)
{
    if (level < DBSHIFT_LINT_SAFE || level > DBSHIFT_LINT_DANGEROUS)
        return NULL;
    return level_names[level];
}

int lint_level_parse(const char *text)
{
    if (!text)
        return -1;
    for (int i = DBSHIFT_LINT_SAFE; i <= DBSHIFT_LINT_DANGEROUS; i++) {
        if (strcasecmp(text, level_names[i]) == 0)
            return i;
    }
    return -1;
}
