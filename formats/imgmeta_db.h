/*
 * imgmeta_db.h: what the SQLite output's writer (write_sqlite.c) and its
 * reader (read_imgmeta_sqlite.c) share.
 */
#ifndef IMGMETA_IMGMETA_DB_H
#define IMGMETA_IMGMETA_DB_H

#include <sqlite3.h>

/* The database's PRAGMA application_id and user_version, which tell an
 * imgmeta database and its schema version: 0, or an SQLite error code
 * (SQLITE_NOTADB for a file that is not a database). */
int	imgmeta_db_ids(sqlite3 *, int *app, int *ver);

#endif
