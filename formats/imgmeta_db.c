/* imgmeta_db.c: see imgmeta_db.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "imgmeta_db.h"
#include "record.h"
#include "record_json.h"
#include "util.h"

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

/*
 * A record of one observation is that observation (merge.c folds the
 * first into an empty record as it is), so the images row of an image
 * with one source holds its fields, as INTEGER, 0/1 or TEXT; booleans go
 * back to JSON true and false, and the properties, a NULL value being a
 * JSON null, to one object (through json(): a subquery's result loses
 * the JSON subtype that json_object would embed it by).
 */
char *
imgmeta_db_observation_sql(sqlite3 *db)
{
	struct buf b = BUF_INIT;
	sqlite3_stmt *st = NULL;

	buf_addstr(&b, "coalesce(s.observation, (SELECT json_object(");
	for (int f = 0; f < F__COUNT; f++) {
		const char *n = field_info[f].name;

		if (field_info[f].type == FT_BOOL)
			buf_printf(&b, "'%s', CASE i.%s WHEN 1 THEN "
			    "json('true') WHEN 0 THEN json('false') END, ",
			    n, n);
		else
			buf_printf(&b, "'%s', i.%s, ", n, n);
	}
	buf_addstr(&b, "'properties', json((SELECT "
	    "json_group_object(p.key, p.value) FROM image_properties p "
	    "WHERE p.image_id = i.id)), 'sources', json_array(json_object(");
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM "
	    "pragma_table_info('image_sources') WHERE name = ?", -1, &st,
	    NULL) != SQLITE_OK)
		st = NULL;
	for (int k = 0; k < S__COUNT; k++) {
		int has = 1;

		if (st != NULL) {
			sqlite3_bind_text(st, 1, source_field_name[k], -1,
			    SQLITE_STATIC);
			has = sqlite3_step(st) == SQLITE_ROW;
			sqlite3_reset(st);
		}
		buf_printf(&b, "%s'%s', %s%s", k ? ", " : "",
		    source_field_name[k], has ? "s." : "NULL",
		    has ? source_field_name[k] : "");
	}
	sqlite3_finalize(st);
	buf_addstr(&b, "))) FROM images i WHERE i.id = s.image_id))");
	return buf_detach(&b);
}

const char *
imgmeta_db_observation_read(const char *id, const char *text,
    struct record *obs, char *err, size_t n)
{
	struct jv_doc doc = JV_DOC_INIT;
	const struct jv *j;
	const char *why = NULL;
	char src[160];
	json_error_t jerr;

	if (text == NULL)
		return "it is NULL, and images has no row for the image";
	if ((j = jv_parse(&doc, text, strlen(text), 0, &jerr)) == NULL) {
		snprintf(err, n, "invalid JSON: %s", jerr.text);
		jv_doc_free(&doc);
		return err;
	}
	if (record_json_read(obs, j, &why) != 0)
		;
	else if (obs->f[F_ID] == NULL || id == NULL ||
	    strcmp(obs->f[F_ID], id) != 0)
		why = "it is another image's";
	else if (obs->nsrcs != 1)
		why = "it has not exactly one source";
	else if ((why = source_check(&obs->srcs[0], src, sizeof src)) !=
	    NULL) {
		snprintf(err, n, "its source's %s", why);
		why = err;
	}
	jv_doc_free(&doc);
	return why;
}
