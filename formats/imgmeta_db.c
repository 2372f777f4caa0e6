/* imgmeta_db.c: see imgmeta_db.h. */
#include "config.h"

#include <stddef.h>

#include "imgmeta_db.h"

/* A PRAGMA's integer: 0, or an SQLite error code. */
static int
imgmeta_db_pragma(sqlite3 *db, const char *sql, int *v)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		return rc;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*v = sqlite3_column_int(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int
imgmeta_db_ids(sqlite3 *db, int *app, int *ver)
{
	int rc;

	if ((rc = imgmeta_db_pragma(db, "PRAGMA application_id", app)) == 0)
		rc = imgmeta_db_pragma(db, "PRAGMA user_version", ver);
	return rc;
}
