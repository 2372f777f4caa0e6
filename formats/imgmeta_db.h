/*
 * imgmeta_db.h: what the SQLite output's writer (write_sqlite.c) and its
 * reader (read_imgmeta_sqlite.c) share.
 */
#ifndef IMGMETA_IMGMETA_DB_H
#define IMGMETA_IMGMETA_DB_H

#include <stddef.h>

#include <sqlite3.h>

#include "record.h"

/* The database's PRAGMA application_id and user_version, which tell an
 * imgmeta database and its schema version: 0, or an SQLite error code
 * (SQLITE_NOTADB for a file that is not a database). */
int	imgmeta_db_ids(sqlite3 *, int *app, int *ver);

/* The oldest schema version (user_version) read and written: version 1
 * differs from 2 only in that its image_sources.observation is never
 * NULL. */
#define IMGMETA_DB_OLDEST_VERSION	1

/*
 * An SQL expression for the observation of the image_sources row named s,
 * as the canonical JSON text record_json_read reads: the stored one, or,
 * where it is NULL (the image's one observation, schema version 2), the
 * one made again from the image's row in images and its rows in
 * image_properties, with the source of row s. A source field that db's
 * image_sources has no column for (sha256, before schema version 3) is
 * NULL. Allocated.
 */
char	*imgmeta_db_observation_sql(sqlite3 *db);

/*
 * What that expression gave for image id (text, NULL when there was
 * nothing to make it from) read into obs, the observation of that image
 * with one source, and a source as imgmeta writes it (source_check):
 * NULL, or why it is damaged (in err, n bytes, when it needs
 * formatting). obs is replaced only on success.
 */
const char *imgmeta_db_observation_read(const char *id, const char *text,
	    struct record *obs, char *err, size_t n);

#endif
